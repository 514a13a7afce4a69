"""Reading one uploaded file into lines of text: the first stage of an import, no database.

`read_document(name, data)` decodes a file of any supported format into a `SourceText`: its
paragraphs, headings and list items in order, what its format says about it (an HTML page's
title, author, date, site and address) and what was stripped (scripts and styles, never stored).
Anything that cannot be read raises `ImportRefused` with one sentence naming the file.

The formats are read by well-kept libraries, not by parsers of our own: charset-normalizer
guesses the encoding of text and Markdown (GBK, UTF-16 with or without a byte-order mark, UTF-8,
...), markdown-it-py renders Markdown, trafilatura finds the main content and the metadata of a
page saved from a browser, and mammoth turns a Word document into HTML. All of them work on the
bytes given: nothing is fetched from the network.
"""

import datetime
import hashlib
import io
import logging
import re
import zipfile

import charset_normalizer
import mammoth
import trafilatura
import yaml
from bs4 import BeautifulSoup, NavigableString
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
from markdown_it import MarkdownIt

from .document import ImportRefused, Line, SourceText

MAX_BYTES = 5 * 1024 * 1024  # a patient-education document is a few kilobytes; 5 MB is far beyond any
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # a .docx's parts once unpacked, all together
MAX_ZIP_RATIO = 100  # unpacked size / packed size of one part: text compresses ~10x, a bomb ~1000x
MAX_ZIP_MEMBERS = 2000  # a Word document has a few dozen parts

# trafilatura logs every page it cannot parse as an error; the importer tells the uploader itself.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

# Extension -> format. The extension picks the family; the content is checked against it below.
FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}

# Markdown as an author writes it: CommonMark, raw HTML allowed so that any script in it is seen
# and stripped (with "html" off it would be kept as visible text).
MARKDOWN = MarkdownIt("commonmark", {"html": True, "typographer": False, "breaks": False}).enable("table")

# Elements whose content is never text for a reader: dropped whole, never stored.
SCRIPT_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "embed", "applet"}
# Elements that are not the document's words (form controls, drawings, the page head).
IGNORED_TAGS = {"head", "title", "meta", "link", "svg", "canvas", "button", "input", "select", "textarea", "img"}
# Page furniture of a site, left out when trafilatura finds no main content and the page is read whole.
FURNITURE_TAGS = {"nav", "header", "footer", "aside", "form"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Elements that start a new block of text; everything else is inline and joins its neighbours.
BLOCK_TAGS = {
    "address",
    "article",
    "blockquote",
    "body",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hr",
    "html",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
}
# Control characters that never occur in text a person wrote (tab, newline, form feed and carriage
# return do); a few of them mean the bytes were not text at all.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
FRONT_MATTER_KEYS = ("title", "author", "date", "sitename", "url", "source")
WORD_DOCUMENT_PART = "word/document.xml"


# A word: two letters in a row, in any script ("腰椎" counts). A file whose text has none (a stray
# byte pair that happens to decode as one UTF-16 character, a page of punctuation) is not a document.
WORD = re.compile(r"[^\W\d_]{2,}")


def read_document(name: str, data: bytes) -> SourceText:
    """One uploaded file as lines of text, or ImportRefused saying in one sentence why not."""
    name = base_name(name)
    data = bytes(data)
    if not data:
        raise ImportRefused(f"{name} is empty: there is nothing to import.")
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB, "
            f"over the limit of {MAX_BYTES // 1024 // 1024} MB for one file."
        )
    extension = name[name.rfind(".") :].lower() if "." in name else ""
    file_format = FORMATS.get(extension)
    if file_format is None:
        known = ", ".join(sorted(FORMATS))
        raise ImportRefused(f"{name} is not a format the importer reads (it reads {known}).")
    source = SourceText(
        name=name, format=file_format, checksum=hashlib.sha256(data).hexdigest(), size=len(data), lines=[]
    )
    if file_format == "docx":
        read_docx(source, data)
    else:
        text, source.encoding = decode(name, data)
        if file_format != "html" and HTML_START.match(text[:2000].encode("utf-8", "replace")):
            source.format = file_format = "html"  # a web page saved under another name: read it as one
        if file_format == "text":
            source.lines = text_lines(text)
        elif file_format == "markdown":
            read_markdown(source, text)
        else:
            read_html(source, text)
    if not any(WORD.search(line.text) for line in source.lines):
        raise ImportRefused(f"{name} has no text left to import once its markup is taken away.")
    return source


def base_name(name):
    """The file's own name, without any folder (a browser may send a Windows path)."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = CONTROL_CHARACTERS.sub("", name).strip()
    return name or "The file"


# --------------------------------------------------------------------------
# Text in an unknown encoding


def decode(name, data):
    """The bytes as text and the encoding they were read in; refused when they are not text."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"%PDF") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(
            f"{name} holds binary data (an archive, a PDF or an old Word file), not text; save it as text."
        )
    try:
        matches = charset_normalizer.from_bytes(data)
        match = matches.best()
    except Exception as error:  # the detector on hostile bytes: refuse, never crash
        raise ImportRefused(f"{name} could not be read as text: {error.__class__.__name__}.") from error
    match = most_plausible(match, matches) if match is not None else None
    if match is None:
        if b"\x00" in data:
            raise ImportRefused(f"{name} holds binary data, not text.")
        raise ImportRefused(f"{name} could not be decoded as text in any known encoding.")
    text = str(match)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text or len(CONTROL_CHARACTERS.findall(text)) > max(2, len(text) // 200):
        raise ImportRefused(f"{name} holds binary data, not text.")
    return text, match.encoding


# An English text from a Chinese portal, saved in GBK, may hold only a few non-ASCII characters (an
# em dash, curly quotes). That is too little for charset-normalizer's statistics: other encodings read
# it just as "cleanly" and one may win, turning each dash into two Latin letters glued to the words
# around it ("compressionĄªsuch") or into an unlikely symbol. So among the matches nearly as clean as
# its best, take the one whose non-ASCII characters are the likeliest for these sources (punctuation,
# Chinese characters, accented Latin letters) and least often glued into English words; on a tie the
# library's own ranking stands.
CLEAN_ENOUGH = 0.1  # how much more "chaos" (charset-normalizer's mess ratio) a candidate may have
MAX_CANDIDATES = 8
CHINESE = {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "hz"}  # where the sources come from: first on a tie
NON_ASCII = re.compile(r"[^\x00-\x7f]")
LIKELY = re.compile(  # Latin-1 letters and signs, general punctuation, CJK punctuation and characters
    r"[\u00a0-\u00ff\u2000-\u206f\u3000-\u3003\u3008-\u3011\u4e00-\u9fff\uff00-\uffef]"
)
GLUED = re.compile(r"(?<=[A-Za-z])[^\W\d_\x00-\x7f]|[^\W\d_\x00-\x7f](?=[A-Za-z])")  # "compressionĄ"


def most_plausible(best, matches):
    candidates = [match for match in list(matches)[:MAX_CANDIDATES] if match.chaos <= best.chaos + CLEAN_ENOUGH]
    if len(candidates) < 2:
        return best
    return min(
        candidates,
        key=lambda match: (unlikeliness(str(match)), match.encoding not in CHINESE, candidates.index(match)),
    )


def unlikeliness(text):
    """How unlike these sources a decoding reads: unlikely characters, and letters glued into words."""
    unlikely = len(NON_ASCII.findall(text)) - len(LIKELY.findall(text))
    return unlikely + 2 * len(GLUED.findall(text))


def text_lines(text):
    """Plain text: one line of the file, one paragraph (as the sources are laid out)."""
    return [Line(collapsed) for raw in text.splitlines() if (collapsed := collapse(raw))]


def collapse(text):
    return " ".join(text.split())


# --------------------------------------------------------------------------
# Markdown


def read_markdown(source, text):
    front = FRONT_MATTER.match(text)
    if front:
        text = text[front.end() :]
        try:
            values = yaml.safe_load(front.group(1))
        except yaml.YAMLError:
            values = None
        if isinstance(values, dict):
            # Plain values only: a list or mapping (YAML aliases can nest them deeply) is not metadata.
            source.metadata.update(
                {
                    key: collapse(str(values[key]))[:500]
                    for key in FRONT_MATTER_KEYS
                    if isinstance(values.get(key), str | int | float | datetime.date) and str(values[key]).strip()
                }
            )
    try:
        html = MARKDOWN.render(text)
    except Exception as error:  # markdown-it on hostile input: refuse, never crash
        raise ImportRefused(f"{source.name} could not be read as Markdown: {error.__class__.__name__}.") from error
    source.lines = html_lines(html, source.removed)
    title = source.metadata.get("title")
    if title and not any(line.text == title for line in source.lines[:3]):
        source.lines.insert(0, Line(title, "h"))


# --------------------------------------------------------------------------
# A web page saved from a browser


def read_html(source, text):
    """The page's main content and metadata, by trafilatura; the page read whole when it finds none."""
    original = BeautifulSoup(text, "html.parser")
    record_scripts(original, source.removed)
    try:
        extracted = trafilatura.extract(
            text,
            output_format="html",
            with_metadata=True,
            favor_recall=True,  # short lines (bylines, dates, durations) are what the parser needs
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            deduplicate=False,
            # Dates from the page's markup only: the extensive search guesses from copyright lines.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # trafilatura on a page it cannot parse: read the page whole instead
        extracted = None
    if extracted:
        result = BeautifulSoup(extracted, "html.parser")
        for meta in result.find_all("meta"):
            key, value = meta.get("name"), collapse(meta.get("content") or "")
            if key in ("title", "author", "date", "sitename", "url") and value:
                source.metadata[key] = value
        body = result.body or result
        source.lines = html_lines(body, [])
        source.removed.append(
            ("the page's navigation, header, footer and other surroundings", "not the page's main content")
        )
    if not any(line.text for line in source.lines):
        source.lines = html_lines(original, [], skip=FURNITURE_TAGS)
        source.removed.append(("the page's navigation, header, footer and forms", "page furniture of the source site"))
        title = original.find("title")
        if title and collapse(title.get_text()):
            source.metadata.setdefault("title", collapse(title.get_text()))
    title = source.metadata.get("title")
    if title and not any(line.text == title for line in source.lines[:3]):
        source.lines.insert(0, Line(title, "h"))  # a title the main content left out


def record_scripts(soup, removed):
    """Name what a page carries that could run or restyle the editor's browser; none of it is kept."""
    counts = {}
    for element in soup.find_all(SCRIPT_TAGS):
        counts[element.name] = counts.get(element.name, 0) + 1
    for tag, count in sorted(counts.items()):
        what = f"{count} <{tag}> element{'s' if count > 1 else ''}"
        removed.append((what, "scripts, styles and embedded frames are stripped and never stored"))


# --------------------------------------------------------------------------
# Word


def read_docx(source, data):
    """A .docx file: a zip holding word/document.xml, checked for bombs before anything is unpacked."""
    name = source.name
    if not data.startswith(b"PK"):
        raise ImportRefused(f"{name} is not a Word document: a .docx file is a zip archive and this is not one.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception as error:  # zipfile on a damaged archive raises many kinds of error: refuse them all
        raise ImportRefused(f"{name} is not a Word document: its zip archive is damaged.") from error
    with archive:
        if len(members) > MAX_ZIP_MEMBERS:
            raise ImportRefused(
                f"{name} is refused: its archive holds {len(members)} parts, far too many for a document."
            )
        total = sum(member.file_size for member in members)
        if total > MAX_UNZIPPED_BYTES:
            raise ImportRefused(
                f"{name} is refused as an archive bomb: it would unpack to {total // 1024 // 1024} MB "
                f"(the limit is {MAX_UNZIPPED_BYTES // 1024 // 1024} MB)."
            )
        for member in members:
            if member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1) and member.file_size > 1024 * 1024:
                raise ImportRefused(
                    f"{name} is refused as an archive bomb: its part {member.filename} is compressed "
                    f"{member.file_size // max(member.compress_size, 1)} times."
                )
        if WORD_DOCUMENT_PART not in archive.namelist():
            raise ImportRefused(f"{name} is not a Word document: its archive has no {WORD_DOCUMENT_PART}.")
    try:
        result = mammoth.convert_to_html(io.BytesIO(data))
    except Exception as error:  # mammoth on a damaged document: refuse, never crash
        raise ImportRefused(
            f"{name} could not be read as a Word document ({error.__class__.__name__}); it may be damaged."
        ) from error
    source.lines = html_lines(result.value, source.removed)


# --------------------------------------------------------------------------
# HTML into lines


def html_lines(html, removed, skip=frozenset()):
    """HTML (or a parsed tree) as lines: headings "h", list items "li", every other block "p".

    Walked without recursion, so a deeply nested page cannot exhaust the stack.
    """
    root = html if not isinstance(html, str) else BeautifulSoup(html, "html.parser")
    if removed is not None and isinstance(html, str):
        record_scripts(root, removed)
    lines = []
    buffer = []  # the text of the block being read
    context = {"kind": "p", "ordered": False}  # the kind of the block being read

    def flush():
        text = collapse("".join(buffer))
        buffer.clear()
        if text:
            lines.append(Line(text, context["kind"], context["ordered"]))

    stack = [("enter", root, "p", False)]
    while stack:
        action, node, kind, ordered = stack.pop()
        if action == "flush":
            flush()
            continue
        if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(node, NavigableString):
            if not buffer:
                context.update(kind=kind, ordered=ordered)
            buffer.append(str(node))
            continue
        tag = (node.name or "").lower()
        if tag in SCRIPT_TAGS or tag in IGNORED_TAGS or tag in skip:
            continue
        if tag == "br":
            flush()
            continue
        if tag == "tr":  # a table row is one line, its cells kept apart (the parser builds a table of them)
            flush()
            cells = node.find_all(["td", "th"], recursive=False)
            texts = tuple(collapse(cell.get_text(" ")) for cell in cells)
            if any(texts):
                header = all(cell.name == "th" for cell in cells)
                lines.append(Line(" | ".join(texts), "row", cells=texts, header=header))
            continue
        if tag in HEADING_TAGS:
            kind, ordered = "h", False
        elif tag == "li":
            kind, ordered = "li", node.parent is not None and node.parent.name == "ol"
        block = tag in HEADING_TAGS or tag == "li" or tag in BLOCK_TAGS or tag == "[document]"
        if block:
            flush()
            stack.append(("flush", None, kind, ordered))
        stack.extend(("enter", child, kind, ordered) for child in reversed(list(node.children)))
    flush()
    return lines
