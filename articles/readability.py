"""Reading level of health content, measured on the server: on save, and as the editor types.

Patient material should read at grade 8 or below (NIH; the AMA says 6). Wagtail's
built-in readability hint (LIX, in the browser) is not a grade, so the editor
sees the Flesch-Kincaid grade and SMOG index of the text readers get: title,
short answer or introduction, and the words of the body's blocks.
"""

import textstat

from .blocks import block_text, body_texts

TARGET_GRADE = 8
# Fewer words than this in one block give no grade worth showing beside it.
BLOCK_WORDS_FOR_A_GRADE = 20


def page_text(page):
    """The text the reading level is measured on: title, summary and the words of each body block."""
    parts = [page.title, page.summary, *body_texts(page.body)]
    return "\n".join(part.strip() for part in parts if part and part.strip())


# Words enough for a grade, with a word of several syllables: measuring them loads what a measurement needs.
WARMING_TEXT = "Patients with a herniated lumbar disc usually recover with time, exercise and physiotherapy."


def load_pronunciations():
    """Load what measuring a grade needs now, rather than on the first measurement: textstat counts
    syllables with the CMU pronouncing dictionary, which it reads (about 1.2 s) the first time a
    process grades a text and keeps after that. A server calls this as it starts (discsite/wsgi.py),
    so that no editor's first save, import or keystroke in a new worker waits for it."""
    reading_level(WARMING_TEXT)


def reading_level(text):
    """(Flesch-Kincaid grade, SMOG index) rounded to one decimal, or (None, None) for too little text."""
    if textstat.lexicon_count(text) < 10:
        return None, None
    grade = round(max(textstat.flesch_kincaid_grade(text), 0.0), 1)
    smog = round(textstat.smog_index(text), 1) or None
    return grade, smog


def block_grades(page):
    """{block id: grade} for each body block long enough to grade that reads above the target."""
    grades = {}
    for block in page.body or []:
        text = block_text(block)
        if textstat.lexicon_count(text) >= BLOCK_WORDS_FOR_A_GRADE:
            grade, _smog = reading_level(text)
            if grade is not None and grade > TARGET_GRADE:
                grades[block.id] = grade
    return grades
