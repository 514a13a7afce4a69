"""The rules an import applies to a document's lines, in one place, each with the reason for it.

Read this file to know what the importer keeps, drops, turns into fields and flags for the editor.
It holds data (patterns, labels, reasons) and small yes/no questions about one line; the order in
which they are applied is parsing.py's. Nothing here names a particular source document: the five
sources in fixtures/sources/ are examples of the kinds, tested in discsite/tests/test_import_parsing.py.

Kinds of document, recognised from the document itself (never from its file name):

- "doctor_qa": a question answered by a doctor ("Written by NAME", a department, "Updated on ..."),
  an audio player's timestamps, then "Other Voices": more answers, each with its doctor, department,
  audio duration and question. Every answer becomes its own question page, linked to the others.
- "portal_qa": a health portal's question page: the question, "Nov 14, 2024 Source: NAME", the
  doctor ("Dr. NAME"), "Introduction" and the short answer, then the full answer.
- "article": anything else, with or without a title.

Metadata lines (bylines, departments, dates, sources, durations) become the page's fields and are
not listed as dropped: the editor sees them as fields. Everything else left out is listed, with
the reason below, so that an editor can restore what was dropped wrongly.
"""

import datetime
import re
from urllib.parse import urlsplit

from django.utils.html import escape

from articles.guardrail import html_findings

# --------------------------------------------------------------------------
# Cleaning each line before anything else looks at it

CLEANING_RULES = [
    # Control characters and lone surrogates are no one's words, and a database refuses NUL.
    (re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]"), ""),
    # Bold marks left over from a Markdown export ("non-surgical** methods"): stray markup, no meaning.
    (re.compile(r"\*\*|__"), ""),
    # "back pain , or": a space before punctuation is a typing slip, not how the text reads.
    (re.compile(r"\s+([,.;:?!])(?=\s|$)"), r"\1"),
    # Runs of spaces, tabs and no-break spaces are one space to a reader.
    (re.compile(r"\s+"), " "),
]


def clean(text):
    """One line as a reader sees it."""
    for pattern, replacement in CLEANING_RULES:
        text = pattern.sub(replacement, text)
    return text.strip()


# --------------------------------------------------------------------------
# Page furniture: lines of the source site's page, not of the document. Matched against the whole
# line, ignoring case; each reason is what the editor reads in the list of dropped pieces.

# An audio player's position and length ("00:00", "01:32 / 03:15", "00:00 02:10" when a saved page
# runs them together); also a sign of a doctor_qa page.
TIMESTAMP = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?(\s*/?\s*\d{1,2}:\d{2}(:\d{2})?)*$")
# Where the answering doctor's photo was; also a sign of a doctor_qa page.
DOCTOR_PHOTO = re.compile(r"^doctor (image|photo|avatar)$", re.I)

FURNITURE = [
    (TIMESTAMP, "audio player timestamp"),
    (DOCTOR_PHOTO, "image placeholder (the doctor's photo)"),
    (re.compile(r"^[\w-]*-image$|^image$", re.I), "image placeholder"),
    (
        re.compile(r"^(view all|see all|more|read more|show more)( >+| »)?$", re.I),
        "link to more pages on the source site",
    ),
    (re.compile(r"^<<\s*:"), "link to the previous page on the source site"),
    (re.compile(r"^>>\s*:"), "link to the next page on the source site"),
    (re.compile(r"^(previous|next) (article|page|post)\s*:", re.I), "link to another page on the source site"),
    (re.compile(r"^(share|print|share this( article| page)?|back to top)$", re.I), "a button of the source site"),
    (re.compile(r"^share (to|on|via) .{1,60}$", re.I), "a button of the source site"),
    (
        re.compile(
            r"^(comments?|likes?|views?|reads?|favou?rites?|collect|bookmark)\s*[(\uff08]?\s*\d*\s*[)\uff09]?$", re.I
        ),
        "a counter or button of the source site",
    ),
]

# Lines after which the rest of the document is the source site's, not the author's: lists of other
# pages. Each entry: the line (lower case) -> (why the line is dropped when nothing follows it, why
# when a list follows it, why each line of that list is dropped).
STOP_LINES = {
    "recommend": (
        "empty 'Recommend' list",
        "heading of the source site's unrelated recommendations",
        "unrelated recommendations after 'Recommend'",
    ),
    "recommended": (
        "empty 'Recommended' list",
        "heading of the source site's unrelated recommendations",
        "unrelated recommendations after 'Recommended'",
    ),
    "you may also like": (
        "empty 'You may also like' list",
        "heading of the source site's unrelated recommendations",
        "unrelated recommendations after 'You may also like'",
    ),
    "related articles": (
        "empty 'Related Articles' list",
        "heading of the source site's 'Related Articles' list",
        "link in the source site's 'Related Articles' list",
    ),
    "related reading": (
        "empty 'Related reading' list",
        "heading of the source site's 'Related reading' list",
        "link in the source site's 'Related reading' list",
    ),
}

# --------------------------------------------------------------------------
# Section labels: lines that name what follows. The label is dropped; what follows is used.

# Before the other doctors' answers (doctor_qa). The site shows other voices in its own way.
OTHER_VOICES_LABELS = {"other voices", "other answers", "more answers"}
OTHER_VOICES_REASON = "section label 'Other Voices' (each answer is its own page, linked to the others)"
# Before the short answer (portal_qa): what follows is the page's summary.
INTRODUCTION_LABELS = {"introduction", "summary", "short answer", "in brief"}
INTRODUCTION_REASON = "section label 'Introduction' (the text after it is the short answer)"
# A label line before a boxed note: the next paragraph becomes a callout of this kind.
CALLOUT_LABELS = {
    "note": "info",
    "notes": "info",
    "tip": "info",
    "tips": "info",
    "reminder": "info",
    "warm reminder": "info",
    "warning": "warning",
    "caution": "warning",
    "attention": "warning",
}
CALLOUT_REASON = "label '{label}' (the paragraph after it is a callout box)"
# The same label opening a paragraph ("Note: Stop if the pain spreads."), as Word and Markdown
# authors write it: the paragraph becomes a callout titled with the label, every word kept.
INLINE_CALLOUT = re.compile(r"^\s*(?P<label>[A-Za-z][A-Za-z ]{1,15}?)\s*[:\uff1a]\s*(?P<text>\S.*)$", re.S)
EMPTY_CALLOUT_REASON = "label '{label}' with nothing after it"


COLONS = (":", "\uff1a")  # the ASCII colon and the full-width one of Chinese text


def inline_callout(text):
    """ "Note: Stop if it hurts." -> ("Note", "info", "Stop if it hurts."); None for other text."""
    match = INLINE_CALLOUT.match(text)
    if not match or match["label"].strip().lower() not in CALLOUT_LABELS:
        return None
    label = match["label"].strip()
    return label, CALLOUT_LABELS[label.lower()], match["text"].strip()


def label_name(text):
    """ "Note:" -> "note": a line as a label is looked up."""
    return text.rstrip("".join(COLONS)).strip().lower()


# --------------------------------------------------------------------------
# Metadata lines: they become fields of the page.

MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATE = (
    rf"(?:{MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}} {MONTH},? \d{{4}}|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}"
    r"|\d{4}年\d{1,2}月\d{1,2}日)"
)
NAME = r"[A-Z][A-Za-z'-]*(?: [A-Z][A-Za-z'-]*){0,3}"  # "Li Wen", "Ou Yang Ming", "O'Neil"
HONORIFIC = r"(?:Dr|Prof|Professor|Doctor)"
# "Written by Li Wen", "Answered by Dr. Zhou Min", "Expert: Dr. Gao Feng": the answer's author; starts
# an answer in doctor_qa.
WRITTEN_BY = re.compile(
    r"^(?:(?:Written|Answered|Authored) by\s*[:\uff1a]?|(?:Author|Expert|Doctor|Answering doctor)\s*[:\uff1a])\s*"
    rf"(?:(?P<honorific>{HONORIFIC})\.? )?(?P<name>{NAME})$"
)
# "Dr. Zhou Min" alone on a line: the author, with the honorific kept apart.
HONORIFIC_BYLINE = re.compile(rf"^(?P<honorific>{HONORIFIC})\.? (?P<name>{NAME})$")
# "Updated on January 23, 2025": the page's own date.
UPDATED_ON = re.compile(rf"^(?:Last )?(?:Updated|Published|Posted)(?: on)?:? (?P<date>{DATE})$", re.I)
# "Nov 14, 2024 Source: Some Health Portal": a portal's date and its name.
DATE_SOURCE = re.compile(rf"^(?:(?P<date>{DATE})\s*)?Source\s*[:\uff1a]\s*(?P<source>.+)$")
DATE_ONLY = re.compile(rf"^(?P<date>{DATE})$")
# "1min 32sec home-news-image", "43sec", "2min 5sec", "3min": an audio answer's length, with the
# image placeholder that shares its line in the source.
DURATION = re.compile(r"^(?P<duration>\d+ ?min(?: ?\d+ ?sec)?|\d+ ?sec)(?: [\w-]*image)?$", re.I)
# Words of a department's name beyond capitalised words ("Department of Orthopedics").
DEPARTMENT_CONNECTORS = {"of", "and", "&", "for"}

DATE_FORMATS = ["%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]


def parse_date(text):
    """A date as the sources write it ("January 23, 2025", "Nov 14, 2024", "2024-11-14"), or None."""
    text = text.strip()
    chinese = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    if chinese:
        text = "-".join(chinese.groups())
    text = re.sub(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", text)
    text = text.replace(",", " ").replace(".", " ").replace("Sept ", "Sep ")
    text = " ".join(text.split())[:40]
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    return None


def looks_like_department(text):
    """A department's name, as it follows a byline: "Orthopedics", "Spine Surgery"."""
    words = text.split()
    if not 1 <= len(words) <= 6 or re.search(r"[\d.,;:?!]", text):
        return False
    return words[0][0].isupper() and all(word[0].isupper() or word in DEPARTMENT_CONNECTORS for word in words)


# How the site writes an honorific (DraftPage.author_honorific): "Dr. " and "Doctor" are "Dr".
HONORIFICS = {"doctor": "Dr", "dr": "Dr", "prof": "Prof", "professor": "Prof"}


def split_honorific(name):
    """ "Dr. Zhou Min" -> ("Dr", "Zhou Min"); a name without one -> ("", name)."""
    match = HONORIFIC_BYLINE.match(name.strip())
    if not match:
        return "", name.strip()
    return HONORIFICS[match["honorific"].lower()], match["name"]


# --------------------------------------------------------------------------
# Recognising the kind of a document from its lines (the first few lines for a portal page).

PORTAL_HEAD_LINES = 10  # a portal's date, source and doctor are at the top of its page


def is_doctor_qa(texts):
    """An "Other Voices" section, or an answer's byline with an audio player's trace or the doctor's photo."""
    if any(label_name(text) in OTHER_VOICES_LABELS for text in texts):
        return True
    has_byline = any(WRITTEN_BY.match(text) for text in texts)
    has_player = any(DURATION.match(text) or TIMESTAMP.match(text) or DOCTOR_PHOTO.match(text) for text in texts)
    return has_byline and has_player


def is_portal_qa(texts):
    """A "Source: NAME" line at the top, or an "Introduction" label with a doctor's byline."""
    head = texts[:PORTAL_HEAD_LINES]
    if any(DATE_SOURCE.match(text) for text in head):
        return True
    has_intro = any(label_name(text) in INTRODUCTION_LABELS for text in head)
    return has_intro and any(HONORIFIC_BYLINE.match(text) or WRITTEN_BY.match(text) for text in head)


# --------------------------------------------------------------------------
# Titles and headings

TITLE_MAX_WORDS = 20  # "How to relieve stiffness in the lower back caused by lumbar disc herniation?" has 13
HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 160  # articles.blocks.HeadingBlock's limit


def looks_like_title(text):
    """A short line that is not a sentence: no full stop, colon or comma at its end."""
    words = text.split()
    return 1 <= len(words) <= TITLE_MAX_WORDS and not re.search(r"[.,;:!…]$", text)


def looks_like_heading(text):
    """A line of plain text that names a section: short, capitalised, not a sentence."""
    words = text.split()
    return (
        1 <= len(words) <= HEADING_MAX_WORDS
        and text[0].isupper()
        and not re.search(r"[.,;:!…)]$", text)
        and len(text) <= HEADING_MAX_CHARS
    )


# Proposing a title for a document without one, from its own words only (never invented):
# a sentence in which the text says what it is about ("In this article, you will learn about X"),
# else the first question it asks, else the main clause of its first sentence.
PROPOSAL_PARAGRAPHS = 2  # where a title's words are looked for: the opening paragraphs
ABOUT_PATTERNS = [
    re.compile(r"\byou will (?:learn|read|find out) about (?P<topic>[^,;.?!]+)", re.I),
    re.compile(r"\bthis article (?:explains|covers|describes|discusses|is about|looks at) (?P<topic>[^,;.?!]+)", re.I),
]
# Words that open a question in speech but not in a title ("So, is it okay ...").
DISCOURSE_OPENERS = re.compile(r"^(?:so|but|and|now then|then|well|now|thus|therefore|okay|ok),?\s+", re.I)
PROPOSAL_MAX_WORDS = 20
CLAUSE_END = re.compile(r"[,;:(\u2014\u2013]| - ")  # comma, semicolon, colon, bracket, dashes


# Punctuation and quotation marks around a word, stripped before it is compared.
AROUND_WORDS = ".,;:!?()\"'\u201c\u201d\u2018\u2019"
MARKS = "\u00ae\u2122"  # the registered and trade mark signs


def capitalise(text):
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------
# Sentences, for summaries

SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9\"'\u201c\u2018])")
ABBREVIATIONS = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Prof|St|No|vs|e\.g|i\.e|approx|Fig)\.$", re.I)
SUMMARY_MIN_CHARS = 120  # a first sentence shorter than this is followed by the second


def sentences(text):
    """The sentences of a paragraph, not split after "Dr." or "e.g."."""
    parts = []
    for piece in SENTENCE_END.split(text):
        if parts and ABBREVIATIONS.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return [part for part in parts if part]


# --------------------------------------------------------------------------
# Lists: real ones, and lists the source lost

# In plain text, "- item", "* item", "• item" and "1. item" / "1) item" are list items.
BULLET = re.compile(r"^[-*•·●▪]\s+(?P<text>\S.*)$")
NUMBERED = re.compile(r"^\d{1,2}(?:[.)]\s+|、\s*)(?P<text>\S.*)$")  # not "1.5 million people ..."


def introduces_list(text):
    """A sentence that announces a list ("..., including:", "... as follows:")."""
    return text.endswith(COLONS)


LOST_LIST_NOTE = (
    "A list seems to be missing after “{line}”: the source has an ordinary paragraph (or nothing) "
    "where its items should be. The sentence is kept as it is and nothing has been filled in; "
    "ask the source for the list or reword the sentence."
)

# --------------------------------------------------------------------------
# Promotion: the site's own vocabulary (articles/guardrail.py), not a second one.


def promotion_found(text):
    """What in one paragraph reads like promotion, as the site's promotion check words it."""
    return [found for found, _verdict in html_findings(f"<p>{escape(text)}</p>")]


WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+", re.I)
# Parts of a web address's host that name no one.
GENERIC_HOST_PARTS = {"www", "shop", "store", "buy", "info", "com", "net", "org", "co", "uk", "us", "cn", "io", "de"}
# Capitalised words that start many sentences or name no product.
COMMON_CAPITALISED = {
    "A",
    "An",
    "The",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "If",
    "In",
    "For",
    "With",
    "Although",
    "While",
    "When",
    "Our",
    "Your",
    "You",
    "We",
    "I",
    "Please",
    "Visit",
    "New",
    "US",
    "FDA",
}
# "This article is sponsored by BackCare Chairs." names the sponsor outright: that name wins.
SPONSORED_BY = re.compile(
    r"\b(?i:sponsored|brought to you|paid for|supported|presented) by "
    r"(?P<name>[A-Z0-9][\w&'-]*(?: [A-Z0-9][\w&'-]*){0,4})"  # up to five capitalised words
)
NO_SPONSOR = "Sponsor not named in the source"

# Tables: the site's table block needs a caption and a value in every cell.
TABLE_CAPTION = "Table from the source document (write a caption)"
EMPTY_CELL = "\u2013"  # an en dash, for a cell the source left empty
TABLE_NOTE = (
    "A table of {rows} row(s) and {columns} column(s) came from the source: write its caption "
    "(a placeholder now){empty}, and check its headings."
)
TABLE_EMPTY_CELLS = "; the cells it left empty show \u201c\u2013\u201d"
SPONSOR_DISCLOSURE = "This section promotes {sponsor}, a commercial product. It came with the source document."
SPONSORED_NOTE = (
    "{count} paragraph(s) read like promotion ({found}) and are kept together as one sponsored "
    "section for {sponsor}; check the sponsor's name and the disclosure, and whether the section "
    "belongs on the site at all."
)
UNNAMED_SPONSOR_NOTE = "The promotional section names no sponsor the importer could find: name it."


def web_address_names(text):
    """The names in the web addresses a text gives: "https://www.brand-shop.com/x" -> ["brand"]."""
    names = []
    for address in WEB_ADDRESS.findall(text):
        target = address if "://" in address else "https://" + address
        try:
            host = urlsplit(target.rstrip(".,;)")).hostname or ""
        except ValueError:
            continue
        parts = re.split(r"[.-]", host.lower())  # "www.brand-shop.com" -> "brand"
        names.extend(part for part in parts if part and part not in GENERIC_HOST_PARTS)
    return names


# --------------------------------------------------------------------------
# Notes for the editor

TITLE_PROPOSED_NOTE = (
    "The source has no title. This one is proposed from the document's own words (“{origin}”): "
    "check it, or write a better one."
)
SUMMARY_FROM_ANSWER_NOTE = (
    "The source gives no short answer: this one is the answer's first sentence(s), word for word. "
    "Check that it answers the question on its own."
)
SUMMARY_FROM_BODY_NOTE = (
    "The summary is the first sentence(s) of the document's only paragraph, word for word: check it reads as one."
)
NO_SUMMARY_NOTE = "The source has no paragraph to take a summary from: write one (this is a placeholder)."
TITLE_WITHOUT_CONTENT_REASON = "nothing follows it in the source (no content for a page)"
DUPLICATE_TITLE_REASON = "duplicate of the title"
EMPTY_LINE_REASON = "stray markup with no text"
