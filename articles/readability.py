"""Reading level of health content, computed on the server when a page is saved.

Patient material should read at grade 8 or below (NIH; the AMA says 6). Wagtail's
built-in readability hint (LIX, in the browser) is not a grade, so the editor
sees the Flesch-Kincaid grade and SMOG index of the text readers get: title,
short answer or introduction, and the body's text blocks.
"""

import textstat
from django.utils.html import strip_tags

TARGET_GRADE = 8
# Blocks that are not the page's own prose: promotional copy is judged separately, and the
# urgent-care card's wording lives in the site settings.
NOT_PROSE = {"sponsored", "urgent_care", "image", "audio", "video", "table"}


def block_text(block):
    """The words a reader sees in one StreamField block."""
    value = block.value
    if block.block_type in NOT_PROSE:
        return ""
    if block.block_type == "paragraph":
        return strip_tags(value.source)
    if block.block_type == "heading":
        return value["text"]
    if block.block_type == "list":
        return " ".join(strip_tags(item.source) for item in value["items"])
    if block.block_type == "callout":
        return " ".join(filter(None, [value["title"], strip_tags(value["text"].source)]))
    if block.block_type == "quote":
        return value["quote"]
    return ""


def page_text(page):
    parts = [page.title, page.summary, *(block_text(block) for block in page.body or [])]
    return "\n".join(part.strip() for part in parts if part and part.strip())


def reading_level(text):
    """(Flesch-Kincaid grade, SMOG index) rounded to one decimal, or (None, None) for too little text."""
    if textstat.lexicon_count(text) < 10:
        return None, None
    grade = round(max(textstat.flesch_kincaid_grade(text), 0.0), 1)
    smog = round(textstat.smog_index(text), 1) or None
    return grade, smog
