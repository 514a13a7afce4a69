"""Reading files to import (discsite/importing/reading.py): each format into lines, bad input refused.

No database: `read_document` only reads bytes. The small HTML, Markdown and Word files are built
here, so each test shows exactly what it feeds in.
"""

import hashlib
import io
import random
import socket
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from discsite.importing import reading
from discsite.importing.document import ImportRefused, Line, SourceText
from discsite.importing.parsing import parse
from discsite.importing.reading import MAX_BYTES, read_document

SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/numbering.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="numbering.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"/>'
    "</Relationships>"
)
# One bulleted list (numId 1) and one numbered list (numId 2).
NUMBERING = (
    f'<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="{W}">'
    '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>'
    '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl></w:abstractNum>'
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    "</w:numbering>"
)


def docx_paragraph(text, style="", bullet=0):
    """One WordprocessingML paragraph: `style` "Heading1"/"Heading2", `bullet` 1 (bulleted) or 2 (numbered)."""
    properties = f'<w:pStyle w:val="{style}"/>' if style else ""
    if bullet:
        properties += f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{bullet}"/></w:numPr>'
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<w:p><w:pPr>{properties}</w:pPr><w:r><w:t xml:space="preserve">{escaped}</w:t></w:r></w:p>'


def make_docx(paragraphs, extra_parts=None, without=()):
    """A minimal valid .docx: the package parts Word needs and a body of `paragraphs`
    (each a string, or a (text, style, bullet) tuple for docx_paragraph)."""
    body = "".join(
        docx_paragraph(*paragraph) if isinstance(paragraph, tuple) else docx_paragraph(paragraph)
        for paragraph in paragraphs
    )
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>',
        "word/_rels/document.xml.rels": DOCUMENT_RELS,
        "word/numbering.xml": NUMBERING,
        **(extra_parts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            if name not in without:
                archive.writestr(name, text)
    return buffer.getvalue()


HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Sciatica and herniated discs | Spine Clinic Online</title>
<meta name="author" content="Dr. Jane Roe">
<meta property="og:site_name" content="Spine Clinic Online">
<meta property="article:published_time" content="2024-03-05">
<link rel="canonical" href="https://spineclinic.example.com/articles/sciatica">
<script>document.cookie = "tracker=1"; alert("never stored");</script>
<style>body { color: red }</style>
</head><body>
<header><div class="logo">Spine Clinic Online</div><p>Call our booking line</p></header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/conditions/">Conditions A to Z</a></li></ul></nav>
<main><article>
<h1>Sciatica and herniated discs</h1>
<p>A herniated disc in the lower back can press on a nerve root. The pain that runs down the leg is called sciatica.</p>
<h2>Common symptoms</h2>
<p>People with sciatica from a herniated disc often describe the following symptoms:</p>
<ul><li>pain in the buttock and down the back of the leg</li><li>numbness or tingling in the foot</li></ul>
<p>Most people feel better within six weeks with gentle activity and pain relief from a pharmacist.</p>
<script>var trackingPixel = "never stored either";</script>
</article></main>
<footer><p>Copyright 2024 Spine Clinic Online. All rights reserved. Privacy policy.</p></footer>
</body></html>
"""

MARKDOWN_ARTICLE = """# Sitting with a herniated disc

Long hours in a chair load the discs of the lower back. Short breaks every half hour help.

## What helps

1. Stand up and walk for a minute.
2. Keep your feet flat on the floor.

- A cushion behind the lower back
- A screen at eye level

<script>alert("no")</script>

Some **bold** words and a [link](https://example.org/) stay text.
"""

QA_ZH = (
    "腰椎间盘突出症能做按摩吗\uff1f\n"
    "Can patients with lumbar disc herniation receive massage therapy?\n"
    "Nov 14, 2024 Source: Cainiu Health\n"
    "Dr. Chen Jian\n"
    "Introduction\n"
    "Patients with mild lumbar disc herniation can generally receive massage therapy — 按摩 — under medical guidance.\n"
    "Severe cases should not be massaged during an acute episode.\n"
)


def lines_of(source):
    return [(line.kind, line.text) for line in source.lines]


# --------------------------------------------------------------------------
# The five sources, as plain text


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.txt")), ids=lambda path: path.name[:3])
def test_each_source_reads_as_one_line_per_paragraph(path):
    data = path.read_bytes()
    source = read_document(f"C:\\Users\\editor\\Downloads\\{path.name}", data)
    assert isinstance(source, SourceText)
    assert source.name == path.name
    assert source.format == "text"
    assert source.checksum == hashlib.sha256(data).hexdigest()
    assert source.size == len(data)
    expected = [" ".join(line.split()) for line in data.decode("utf-8").splitlines() if line.strip()]
    assert [line.text for line in source.lines] == expected
    assert all(line.kind == "p" for line in source.lines)


def test_a_path_is_reduced_to_the_file_name():
    assert read_document("/home/editor/Downloads/notes.txt", b"Hello there.").name == "notes.txt"
    assert read_document("..\\..\\evil\\notes.txt", b"Hello there.").name == "notes.txt"


# --------------------------------------------------------------------------
# HTML


def test_an_html_page_keeps_its_main_content_and_metadata_and_strips_scripts():
    source = read_document("sciatica.html", HTML_PAGE.encode("utf-8"))
    assert source.format == "html"
    assert lines_of(source) == [
        ("h", "Sciatica and herniated discs"),
        (
            "p",
            "A herniated disc in the lower back can press on a nerve root. "
            "The pain that runs down the leg is called sciatica.",
        ),
        ("h", "Common symptoms"),
        ("p", "People with sciatica from a herniated disc often describe the following symptoms:"),
        ("li", "pain in the buttock and down the back of the leg"),
        ("li", "numbness or tingling in the foot"),
        ("p", "Most people feel better within six weeks with gentle activity and pain relief from a pharmacist."),
    ]
    text = " ".join(line.text for line in source.lines)
    for furniture in ("Conditions A to Z", "booking line", "Copyright", "tracker", "never stored", "color: red"):
        assert furniture not in text
    assert source.metadata["title"] == "Sciatica and herniated discs"
    assert source.metadata["author"] == "Dr Jane Roe"
    assert source.metadata["date"] == "2024-03-05"
    assert source.metadata["sitename"] == "Spine Clinic Online"
    assert source.metadata["url"] == "https://spineclinic.example.com/articles/sciatica"
    removed = dict(source.removed)
    assert "2 <script> elements" in removed
    assert "1 <style> element" in removed
    assert all(why for why in removed.values())


def test_a_short_html_fragment_is_read_whole_without_its_furniture():
    page = b"<nav>Home | About</nav><p>Rest helps.</p><script>x()</script><footer>(c) site</footer>"
    source = read_document("tiny.htm", page)
    assert [line.text for line in source.lines] == ["Rest helps."]
    assert any("<script>" in what for what, _why in source.removed)


def test_reading_a_page_never_touches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the importer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    source = read_document("sciatica.html", HTML_PAGE.encode("utf-8"))
    assert source.lines


def test_a_web_page_saved_as_txt_is_read_as_a_page():
    source = read_document("saved.txt", HTML_PAGE.encode("utf-8"))
    assert source.format == "html"
    assert not any("tracker" in line.text for line in source.lines)


# --------------------------------------------------------------------------
# Markdown


def test_markdown_becomes_headings_paragraphs_and_list_items():
    source = read_document("sitting.md", MARKDOWN_ARTICLE.encode("utf-8"))
    assert source.format == "markdown"
    assert source.encoding
    assert source.lines == [
        Line("Sitting with a herniated disc", "h"),
        Line("Long hours in a chair load the discs of the lower back. Short breaks every half hour help."),
        Line("What helps", "h"),
        Line("Stand up and walk for a minute.", "li", ordered=True),
        Line("Keep your feet flat on the floor.", "li", ordered=True),
        Line("A cushion behind the lower back", "li"),
        Line("A screen at eye level", "li"),
        Line("Some bold words and a link stay text."),
    ]
    assert any("<script>" in what for what, _why in source.removed)


def test_markdown_front_matter_gives_metadata_not_text():
    text = "---\ntitle: Sitting well\nauthor: Dr. Li Wei\ndate: 2025-02-03\n---\nSit less, walk more.\n"
    source = read_document("front.markdown", text.encode())
    assert source.metadata == {"title": "Sitting well", "author": "Dr. Li Wei", "date": "2025-02-03"}
    assert source.lines == [Line("Sitting well", "h"), Line("Sit less, walk more.")]


# --------------------------------------------------------------------------
# Word


def test_a_word_document_becomes_headings_paragraphs_and_lists():
    data = make_docx(
        [
            ("Exercises after a herniated disc", "Heading1", 0),
            "Gentle exercise helps most people recover.",
            ("Before you start", "Heading2", 0),
            ("Walk every day", "", 1),
            ("Swim if you can", "", 1),
            ("Warm up", "", 2),
            ("Stretch slowly", "", 2),
            "Stop if the pain spreads down your leg & see your doctor.",
        ]
    )
    source = read_document("exercises.docx", data)
    assert source.format == "docx"
    assert source.lines == [
        Line("Exercises after a herniated disc", "h"),
        Line("Gentle exercise helps most people recover."),
        Line("Before you start", "h"),
        Line("Walk every day", "li"),
        Line("Swim if you can", "li"),
        Line("Warm up", "li", ordered=True),
        Line("Stretch slowly", "li", ordered=True),
        Line("Stop if the pain spreads down your leg & see your doctor."),
    ]


# --------------------------------------------------------------------------
# Encodings


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("gbk", ("gb18030", "gbk", "gb2312")),
        ("utf-16", ("utf_16",)),
        ("utf-16-le", ("utf_16_le", "utf_16")),
        ("utf-16-be", ("utf_16_be", "utf_16")),
        ("utf-8-sig", ("utf_8",)),
        ("utf-8", ("utf_8",)),
    ],
)
def test_text_in_the_encodings_of_chinese_portals_is_decoded(encoding, detected):
    source = read_document("qa.txt", QA_ZH.encode(encoding))
    assert source.encoding in detected
    assert [line.text for line in source.lines] == QA_ZH.splitlines()


ENGLISH_WITH_PUNCTUATION = (
    "Can patients with lumbar disc herniation receive massage therapy?\n"
    "If symptoms of nerve root compression—such as severe leg pain—are worsening, "
    "massage is “generally contraindicated”; it doesn’t help.\n"  # noqa: RUF001
)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        # An English page from a Chinese portal: its few non-ASCII characters are all the evidence.
        (ENGLISH_WITH_PUNCTUATION, "gbk"),
        (ENGLISH_WITH_PUNCTUATION, "gb18030"),
        (ENGLISH_WITH_PUNCTUATION, "big5"),
        (ENGLISH_WITH_PUNCTUATION, "cp1252"),
        ("Le café était très bon, même à Noël. Ça coûte cher.\n" * 3, "cp1252"),
        ("醫生說：「如果腳部麻木，請立即就醫。」\n", "big5"),  # noqa: RUF001
    ],
)
def test_text_with_few_non_ascii_characters_is_decoded_as_written(text, encoding):
    source = read_document("page.txt", text.encode(encoding))
    assert "\n".join(line.text for line in source.lines) == text.strip(), source.encoding


# --------------------------------------------------------------------------
# Bad input: refused, one clear sentence naming the file


def assert_refused(name, data, *words):
    with pytest.raises(ImportRefused) as refused:
        read_document(name, data)
    message = str(refused.value)
    assert message.startswith(name.replace("\\", "/").rsplit("/", 1)[-1]), message
    assert message.endswith("."), message
    for word in words:
        assert word in message, message
    return message


def test_an_empty_file_is_refused():
    assert_refused("empty.txt", b"", "empty")


def test_a_file_over_the_size_limit_is_refused():
    assert_refused("huge.txt", b"a" * (MAX_BYTES + 1), "over the limit of 5 MB")


def test_binary_data_is_refused():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    assert_refused("photo.txt", png, "binary")
    assert_refused("zipped.md", make_docx(["Hello"]), "binary")


def test_bytes_that_decode_to_no_words_are_refused():
    # Two bytes that happen to be one valid UTF-16 character ("Ā"), and a page of punctuation.
    assert_refused("tiny.md", b"\x00\x01", "no text")
    assert_refused("dots.txt", b"... --- !!! 123", "no text")


def test_bytes_that_are_no_encoding_are_refused():
    generator = random.Random(7)
    noise = bytes(generator.randrange(1, 256) for _ in range(3000))  # no NUL byte: not obviously binary
    assert_refused("noise.txt", noise, "could not be decoded as text in any known encoding")


def test_an_unsupported_extension_is_refused():
    assert_refused("report.pdf", b"%PDF-1.7 hello", "not a format the importer reads")
    assert_refused("no-extension", b"Hello.", "not a format the importer reads")


def test_a_docx_that_is_not_a_zip_is_refused():
    assert_refused("letter.docx", b"Dear editor, this is plain text.", "not a Word document", "zip")


def test_a_damaged_zip_is_refused():
    assert_refused("broken.docx", make_docx(["Hello"])[:200], "not a Word document")


def test_a_zip_that_is_not_a_word_document_is_refused():
    assert_refused("photos.docx", make_docx(["Hello"], without={"word/document.xml"}), "word/document.xml")


def test_an_archive_bomb_is_refused_before_it_is_unpacked():
    big = make_docx(["Hello"], extra_parts={"word/media/padding.bin": "\0" * (60 * 1024 * 1024)})
    assert len(big) < MAX_BYTES
    assert_refused("bomb.docx", big, "archive bomb", "50 MB")
    dense = make_docx(["Hello"], extra_parts={"word/media/padding.bin": "\0" * (3 * 1024 * 1024)})
    assert_refused("dense.docx", dense, "archive bomb", "compressed")


def test_a_document_with_no_text_is_refused():
    assert_refused("scripts.html", b"<html><body><script>alert(1)</script></body></html>", "no text")
    assert_refused("blank.docx", make_docx([]), "no text")
    assert_refused("spaces.txt", b"   \n\n\t\n", "no text")


def test_a_page_with_only_a_script_stores_none_of_it():
    source = read_document("page.html", b"<p>Rest helps most people.</p><script>steal()</script>")
    assert "steal" not in " ".join(line.text for line in source.lines)


# --------------------------------------------------------------------------
# Never a crash


def samples():
    return {
        "sample.txt": (SOURCES / "000_fd13b853fb6b8d97.txt").read_bytes(),
        "sample.md": MARKDOWN_ARTICLE.encode("utf-8"),
        "sample.html": HTML_PAGE.encode("utf-8"),
        "sample.docx": make_docx(["Title", ("Item", "", 1), "A paragraph of text."]),
        "sample-utf16.txt": QA_ZH.encode("utf-16"),
    }


def test_random_bytes_and_damaged_files_never_crash_the_reader():
    generator = random.Random(13)
    inputs = []
    for name in ("random.txt", "random.md", "random.html", "random.docx"):
        inputs += [(name, generator.randbytes(generator.randrange(1, 4000))) for _ in range(6)]
    for name, data in samples().items():
        for cut in (1, 7, 64, len(data) // 3, len(data) // 2, len(data) - 1):
            inputs.append((name, data[:cut]))
        flipped = bytearray(data)
        for _ in range(20):
            flipped[generator.randrange(len(flipped))] = generator.randrange(256)
        inputs.append((name, bytes(flipped)))
    inputs.append(("deep.html", b"<div>" * 20000 + b"deep text" + b"</div>" * 20000))
    inputs.append(("odd.md", b"```\n" + b"> " * 5000 + b"text"))
    for name, data in inputs:
        try:
            result = read_document(name, data)
        except ImportRefused as refused:
            result = refused
        if isinstance(result, ImportRefused):
            assert str(result).strip(), name
        else:
            assert isinstance(result, SourceText), name
            assert all(isinstance(line, Line) and line.text for line in result.lines), name
            assert parse(result).kind in ("doctor_qa", "portal_qa", "article"), name  # and parsing it never fails


def test_the_limits_are_module_constants():
    assert reading.MAX_BYTES == 5 * 1024 * 1024
    assert reading.MAX_UNZIPPED_BYTES == 50 * 1024 * 1024
    assert reading.MAX_ZIP_RATIO == 100


def test_front_matter_that_is_not_plain_values_is_ignored():
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    bomb += "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\ntitle: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\nText.\n"
    source = read_document("aliases.md", bomb.encode())
    assert "title" not in source.metadata
    assert source.lines == [Line("Text.")]


def test_a_word_document_with_broken_xml_is_refused():
    data = make_docx([], extra_parts={"word/document.xml": "<w:document><w:body><w:p>unclosed"})
    assert_refused("broken-xml.docx", data, "could not be read as a Word document")
