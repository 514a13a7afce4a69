"""Text helpers every layer uses: HTML as the words a reader sees, and descriptions cut to length."""

import html
import re

# Tags that end a block of text: replaced by a space so that words either side do not run together.
BLOCK_TAG = re.compile(r"</?(?:p|br|li|ul|ol|h[1-6]|div|blockquote|td|th|tr|figcaption)\b[^>]*>", re.IGNORECASE)
ANY_TAG = re.compile(r"<[^>]*>")

META_DESCRIPTION_LENGTH = 160
WORD = re.compile(r"[^\W_]+")


def html_to_text(value):
    """HTML (rich text, a block's reader HTML) as plain words on one line: block tags become spaces,
    other tags are dropped, entities decoded, runs of whitespace made one space.

    A regular expression rather than an HTML parser: the input is always HTML this site's own
    editor wrote (Wagtail's rich text, escaped plain fields), never a page from elsewhere, and it
    runs for every search result and listing card.
    """
    return " ".join(html.unescape(ANY_TAG.sub("", BLOCK_TAG.sub(" ", str(value or "")))).split())


def trim_description(text, limit=META_DESCRIPTION_LENGTH):
    """`text` on one line, cut to at most `limit` characters at a word boundary, with '…' if cut.

    Search engines show about 160 characters; a sentence cut mid-word reads as a mistake.
    """
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "…"


def words(text):
    """The words of `text`, lower-cased: runs of letters and digits, nothing else."""
    return [word.lower() for word in WORD.findall(str(text or ""))]
