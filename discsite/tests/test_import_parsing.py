"""Recognising what a document holds (discsite/importing/parsing.py and rules.py). No database.

The five raw sources go through the same reading and parsing an upload does; the faithfulness
test's list of content lines (discsite/tests/test_faithfulness.py) says what must be kept. Then
each format, and documents of the same kinds the project has never seen.
"""

import datetime
import html
import re
from pathlib import Path

import hypothesis
import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from hypothesis import strategies as st

from articles.blocks import HealthBodyBlock
from discsite.importing import rules
from discsite.importing.document import Line, ParsedDocument, SourceText
from discsite.importing.parsing import parse
from discsite.importing.reading import read_document
from discsite.tests.test_faithfulness import FURNITURE_STRINGS, content_lines, normalise
from discsite.tests.test_import_reading import HTML_PAGE, MARKDOWN_ARTICLE, W, docx_paragraph, make_docx

SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"
SOURCE_FILES = {path.name[:3]: path for path in SOURCES.glob("*.txt")}


def imported(number):
    path = SOURCE_FILES[number]
    return parse(read_document(path.name, path.read_bytes()))


def block_html(block):
    value = block["value"]
    if block["type"] == "paragraph":
        return [value]
    if block["type"] == "heading":
        return [html.escape(value["text"])]
    if block["type"] == "list":
        return value["items"]
    if block["type"] == "callout":
        return [html.escape(value["title"]), value["text"]]
    if block["type"] == "sponsored":
        return [value["content"]]
    raise AssertionError(f"unexpected block {block['type']}")


def page_text(page):
    """What a reader would read of a draft page: title, summary and body, HTML stripped."""
    parts = [page.title, page.summary]
    for block in page.body:
        parts += [BeautifulSoup(part, "html.parser").get_text(" ") for part in block_html(block)]
    return normalise(" ".join(parts))


def document_text(document):
    return " ".join(page_text(page) for page in document.pages)


def assert_valid_body(page):
    """The body is valid HealthBodyBlock data, as the page's StreamField will store it."""
    block = HealthBodyBlock()
    value = block.to_python(page.body)
    block.clean(value)
    assert page.body, page.key
    assert page.summary.strip(), page.key
    assert page.title.strip(), page.key


# --------------------------------------------------------------------------
# The five sources


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_every_content_line_of_the_source_is_in_the_drafts_and_no_furniture(number):
    document = imported(number)
    text = document_text(document)
    expected = [normalise(line) for line in content_lines(SOURCE_FILES[number].read_text(encoding="utf-8"))]
    assert len(expected) >= 5
    missing = [line for line in expected if line not in text]
    assert missing == []
    for furniture in FURNITURE_STRINGS:
        assert furniture not in text, furniture
    assert not re.search(r"\bRecommend\b", text)
    for page in document.pages:
        assert_valid_body(page)
    assert all(dropped.reason for dropped in document.dropped)


def test_000_is_a_doctor_qa_with_six_answers_linked_as_other_voices():
    document = imported("000")
    assert document.kind == "doctor_qa"
    pages = document.pages
    assert [page.key for page in pages] == [f"answer-{number}" for number in range(1, 7)]
    assert {page.page_type for page in pages} == {"question"}
    assert [page.title for page in pages] == [
        "How to relieve stiffness in the lower back caused by lumbar disc herniation?",
        "Is a herniated lumbar disc serious?",
        "What are the symptoms of lumbar disc herniation?",
        "Lumbar disc herniation symptoms",
        "Can a herniated lumbar disc cause leg pain?",
        "Lumbar disc herniation symptom diagram",
    ]
    assert [page.author_name for page in pages] == [
        "Wang Fei",
        "Na Hong Wei",
        "Wang Cheng Lin",
        "Qiu Xiang Zhong",
        "Su Zhen Bo",
        "Lv Yao",
    ]
    assert {page.department for page in pages} == {"Orthopedics"}
    assert pages[0].updated_on == datetime.date(2025, 1, 23)
    assert [page.updated_on for page in pages[1:]] == [None] * 5
    assert [page.audio_duration for page in pages] == ["", "1min 32sec", "43sec", "51sec", "56sec", "49sec"]
    for page in pages:
        assert page.other_voices == [other.key for other in pages if other is not page]
        assert not page.title_proposed
        # No "Introduction": the short answer is the answer's opening, word for word, and says so.
        assert page.body[0]["value"].startswith(f"<p>{html.escape(page.summary)}")
        assert any("short answer" in note for note in page.notes)
    reasons = {dropped.text: dropped.reason for dropped in document.dropped}
    assert reasons["00:00"] == "audio player timestamp"
    assert "image placeholder" in reasons["doctor image"]
    assert reasons["home-news-image"] == "image placeholder"
    assert "Other Voices" in reasons


def test_001_is_an_untitled_article_with_a_proposed_title_from_its_own_question():
    document = imported("001")
    assert document.kind == "article"
    (page,) = document.pages
    assert page.page_type == "article"
    assert page.title_proposed
    assert (
        page.title == "Is it okay to have leg pain and numbness caused by a herniated disc in the lumbar intersection?"
    )
    assert any("proposed" in note and "no title" in note for note in page.notes)
    assert page.summary.startswith("Lumbar disc herniation is a common lumbar spine disease")
    assert page.author_name == ""
    text = page_text(page)
    assert "non-surgical methods" in text
    assert "surgery may be considered" in text


def test_002_is_a_titled_article_with_its_note_as_a_callout_and_the_repeat_dropped():
    document = imported("002")
    assert document.kind == "article"
    (page,) = document.pages
    assert page.title == "Lumbar disc herniation and leg weakness"
    assert not page.title_proposed
    assert page.summary.startswith("In life, many of our friends will experience leg weakness or pain.")
    callouts = [block for block in page.body if block["type"] == "callout"]
    assert len(callouts) == 1
    assert callouts[0]["value"]["kind"] == "info"
    assert callouts[0]["value"]["text"].startswith("<p>When you experience lower back pain, leg numbness")
    reasons = {dropped.text: dropped.reason for dropped in document.dropped}
    assert reasons["Lumbar disc herniation and leg weakness"] == "duplicate of the title"
    assert reasons["Note:"].startswith("label 'Note:'")
    assert reasons["<<: Lumbar disc herniation fusion surgery"] == "link to the previous page on the source site"
    assert reasons[">>: Minimally invasive treatment for lumbar disc herniation"] == (
        "link to the next page on the source site"
    )
    assert "Recommend" in reasons
    assert reasons["How to tie your hair with a hair tie"] == "unrelated recommendations after 'Recommend'"
    assert "back pain, or numbness" in page_text(page)  # "back pain , or" cleaned


def test_003_is_a_portal_qa_with_its_introduction_as_the_short_answer():
    document = imported("003")
    assert document.kind == "portal_qa"
    (page,) = document.pages
    assert page.page_type == "question"
    assert page.title == "Can patients with lumbar disc herniation receive massage therapy?"
    assert page.updated_on == datetime.date(2024, 11, 14)
    assert page.source_name == "Cainiu Health"
    assert (page.author_honorific, page.author_name) == ("Dr", "Chen Jian")
    assert page.summary.startswith("Patients with mild to moderate lumbar disc herniation")
    assert page.summary.endswith("only under medical guidance.")
    assert page.summary not in page_text(page).replace(page.summary, "", 1)  # not repeated in the body
    assert page.body[0]["value"].startswith("<p>Lumbar disc herniation generally refers")
    assert page.other_voices == []
    reasons = {dropped.text: dropped.reason for dropped in document.dropped}
    assert reasons["Related Articles"] == "empty 'Related Articles' list"
    assert "View All" in reasons
    assert "Introduction" in reasons


def test_004_is_an_untitled_article_with_a_sponsored_section_and_its_lost_lists_flagged():
    document = imported("004")
    assert document.kind == "article"
    (page,) = document.pages
    assert page.title_proposed
    assert page.title == "The connection between herniated discs and back muscle spasms"
    assert any("you will learn about the connection" in note for note in page.notes)
    assert page.summary.startswith("Back pain affects millions of people around the world")
    sponsored = [block for block in page.body if block["type"] == "sponsored"]
    assert len(sponsored) == 1
    assert page.body[-1] is sponsored[0]
    assert sponsored[0]["value"]["sponsor"] == "Barricaid"
    assert sponsored[0]["value"]["content"].count("<p>") == 2
    assert "barricaid.com" in sponsored[0]["value"]["content"]
    assert page.is_sponsored
    assert page.sponsor == "Barricaid"
    assert page.sponsor_disclosure == (
        "This section promotes Barricaid, a commercial product. It came with the source document."
    )
    assert any("sponsored section for Barricaid" in note for note in page.notes)
    others = [block for block in page.body if block["type"] == "paragraph"]
    assert not any("Barricaid" in block["value"] for block in others)
    lost = [note for note in page.notes if note.startswith("A list seems to be missing")]
    assert len(lost) == 9
    assert any("“Several factors can trigger back muscle spasms, including:”" in note for note in lost)
    # The sentences stay as they are: nothing is filled in.
    assert "<p>Several factors can trigger back muscle spasms, including:</p>" in [block["value"] for block in others]


# --------------------------------------------------------------------------
# Each format


def test_an_html_article_keeps_its_title_heading_and_list():
    document = parse(read_document("sciatica.html", HTML_PAGE.encode()))
    assert document.kind == "article"
    (page,) = document.pages
    assert page.title == "Sciatica and herniated discs"
    assert not page.title_proposed
    assert page.summary.startswith("A herniated disc in the lower back can press on a nerve root.")
    assert page.body[0] == {"type": "heading", "value": {"text": "Common symptoms", "level": "h2"}}
    assert page.body[2] == {
        "type": "list",
        "value": {
            "style": "bulleted",
            "items": [
                "<p>pain in the buttock and down the back of the leg</p>",
                "<p>numbness or tingling in the foot</p>",
            ],
        },
    }
    assert (page.author_honorific, page.author_name) == ("Dr", "Jane Roe")
    assert page.updated_on == datetime.date(2024, 3, 5)
    assert page.source_name == "Spine Clinic Online"
    assert page.source_url == "https://spineclinic.example.com/articles/sciatica"
    assert not any(note.startswith("A list seems to be missing") for note in page.notes)
    assert "never stored" not in page_text(page)
    assert_valid_body(page)


def source_as_html(number):
    """A source laid out as a web page: one <p> per line, the first an <h1>, with site furniture."""
    lines = [line.strip() for line in SOURCE_FILES[number].read_text(encoding="utf-8").splitlines() if line.strip()]
    body = "".join(
        f"<h1>{html.escape(line)}</h1>" if index == 0 else f"<p>{html.escape(line)}</p>"
        for index, line in enumerate(lines)
    )
    return (
        "<html><head><title>Health portal</title><script>track()</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/qa/'>Questions</a></nav>"
        f"<div class='content'>{body}</div><footer><p>About us. Contact us.</p></footer></body></html>"
    ).encode()


@pytest.mark.parametrize("number", ["000", "003"])
def test_the_qa_sources_saved_as_web_pages_are_read_the_same(number):
    from_text = imported(number)
    from_html = parse(read_document(f"{number}.html", source_as_html(number)))
    assert from_html.kind == from_text.kind
    assert [page.title for page in from_html.pages] == [page.title for page in from_text.pages]
    assert [page.summary for page in from_html.pages] == [page.summary for page in from_text.pages]
    assert [page.author_name for page in from_html.pages] == [page.author_name for page in from_text.pages]
    assert [page.body for page in from_html.pages] == [page.body for page in from_text.pages]


def test_a_markdown_article_keeps_its_headings_and_both_kinds_of_list():
    document = parse(read_document("sitting.md", MARKDOWN_ARTICLE.encode()))
    (page,) = document.pages
    assert page.title == "Sitting with a herniated disc"
    assert page.summary == "Long hours in a chair load the discs of the lower back. Short breaks every half hour help."
    assert [block["type"] for block in page.body] == ["heading", "list", "list", "paragraph"]
    assert page.body[1]["value"]["style"] == "numbered"
    assert page.body[2]["value"]["style"] == "bulleted"
    assert_valid_body(page)


def test_a_word_document_of_a_portal_qa_is_a_portal_qa():
    lines = [line.strip() for line in SOURCE_FILES["003"].read_text(encoding="utf-8").splitlines() if line.strip()]
    data = make_docx([(lines[0], "Heading1", 0), *lines[1:]])
    document = parse(read_document("massage.docx", data))
    assert document.kind == "portal_qa"
    (page,) = document.pages
    assert page.title == lines[0]
    assert page.source_name == "Cainiu Health"
    assert page.updated_on == datetime.date(2024, 11, 14)
    assert page.summary == imported("003").pages[0].summary
    assert_valid_body(page)


def test_a_word_article_with_headings_and_lists():
    data = make_docx(
        [
            ("Exercises after a herniated disc", "Heading1", 0),
            "Gentle exercise helps most people recover within weeks.",
            ("Before you start", "Heading2", 0),
            "Check with your physiotherapist which of these suit you:",
            ("Walk every day", "", 1),
            ("Swim if you can", "", 1),
            "Stop if the pain spreads down your leg.",
        ]
    )
    (page,) = parse(read_document("exercises.docx", data)).pages
    assert page.title == "Exercises after a herniated disc"
    assert [block["type"] for block in page.body] == ["heading", "paragraph", "list", "paragraph"]
    assert not any(note.startswith("A list seems to be missing") for note in page.notes)  # its list is there
    assert_valid_body(page)


QA_IN_CHINESE_PORTAL_LAYOUT = """腰椎间盘突出能自愈吗\uff1f
Can a herniated lumbar disc heal by itself?

Mar 2, 2025 Source: Spine Health Daily
Dr. Li Wen Jun
Introduction
Many herniated discs shrink on their own within months, and most people recover without surgery.

The body can reabsorb part of the herniated material over time. Rest, gentle activity and physiotherapy help in the meantime.

Related Articles
View All
"""


@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-16-le"])
def test_a_qa_in_a_chinese_encoding_is_recognised(encoding):
    source = read_document("qa.txt", QA_IN_CHINESE_PORTAL_LAYOUT.encode(encoding))
    document = parse(source)
    assert document.kind == "portal_qa"
    (page,) = document.pages
    assert page.title == "腰椎间盘突出能自愈吗\uff1f"
    assert page.source_name == "Spine Health Daily"
    assert page.updated_on == datetime.date(2025, 3, 2)
    assert (page.author_honorific, page.author_name) == ("Dr", "Li Wen Jun")
    assert page.summary.startswith("Many herniated discs shrink on their own")
    assert "Can a herniated lumbar disc heal by itself?" in page_text(page)
    assert_valid_body(page)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_the_doctor_qa_in_utf16_is_the_same_as_in_utf8(encoding):
    data = SOURCE_FILES["000"].read_text(encoding="utf-8").encode(encoding)
    document = parse(read_document("000.txt", data))
    assert [page.title for page in document.pages] == [page.title for page in imported("000").pages]


# --------------------------------------------------------------------------
# Documents of the same kinds the project has never seen


NEW_DOCTOR_QA = """Can I keep running with a herniated disc?

Written by Dr. Zhang Min
Rehabilitation Medicine
Updated on March 7, 2026
00:00
03:15

Light running is possible once the leg pain has settled. Start with short distances on soft ground and stop if pain spreads down the leg.

Other Voices

doctor image
home-news-image
Written by Zhou Li
Spine Surgery
2min 5sec home-news-image

Is cycling safe with a herniated disc?

Cycling on an upright bike is usually well tolerated. Keep the back straight and avoid long rides at first.

doctor image
home-news-image
Written by He Jun
3min home-news-image

Should I stop exercising?

Complete rest is rarely needed. Gentle movement helps recovery.
"""


def test_a_new_doctor_qa_with_other_doctors_dates_and_durations():
    document = parse(read_document("running.txt", NEW_DOCTOR_QA.encode()))
    assert document.kind == "doctor_qa"
    pages = document.pages
    assert [page.title for page in pages] == [
        "Can I keep running with a herniated disc?",
        "Is cycling safe with a herniated disc?",
        "Should I stop exercising?",
    ]
    assert [(page.author_honorific, page.author_name) for page in pages] == [
        ("Dr", "Zhang Min"),
        ("", "Zhou Li"),
        ("", "He Jun"),
    ]
    assert [page.department for page in pages] == ["Rehabilitation Medicine", "Spine Surgery", ""]
    assert pages[0].updated_on == datetime.date(2026, 3, 7)
    assert [page.audio_duration for page in pages] == ["", "2min 5sec", "3min"]
    assert pages[2].other_voices == ["answer-1", "answer-2"]
    assert sum(dropped.reason == "audio player timestamp" for dropped in document.dropped) == 2
    text = document_text(document)
    assert "Complete rest is rarely needed. Gentle movement helps recovery." in text
    for page in pages:
        assert_valid_body(page)


NEW_PROMO_ARTICLE = """Sleeping positions for a herniated disc

The way you lie at night can ease or worsen back pain. Most people sleep best on their side with a pillow between the knees.

Lying on your back with a pillow under the knees also takes pressure off the lower back.

Tip:

Change position slowly, rolling the body as one piece.

Try the SpineEase pillow tonight. SpineEase pillows are available to buy online at www.spineease-shop.com with free delivery.

Readers get 20% off SpineEase with the code SLEEP20.
"""


def test_a_new_article_with_another_brand_names_that_sponsor():
    (page,) = parse(read_document("sleep.txt", NEW_PROMO_ARTICLE.encode())).pages
    assert page.title == "Sleeping positions for a herniated disc"
    assert page.sponsor == "SpineEase"
    assert page.is_sponsored
    sponsored = [block for block in page.body if block["type"] == "sponsored"]
    assert len(sponsored) == 1
    assert sponsored[0]["value"]["content"].count("<p>") == 2
    assert page.sponsor_disclosure.startswith("This section promotes SpineEase")
    callouts = [block for block in page.body if block["type"] == "callout"]
    assert callouts[0]["value"]["text"] == "<p>Change position slowly, rolling the body as one piece.</p>"
    assert_valid_body(page)


def test_a_plain_text_article_with_bullets_and_a_lost_list():
    text = (
        "Warning signs after disc surgery\n"
        "Most people recover well after surgery, but a few signs need a call to the surgical team.\n"
        "Call the team the same day if you notice:\n"
        "- a fever above 38 degrees\n"
        "- redness spreading around the wound\n"
        "The common causes include:\n"
        "Infection is rare and treated with antibiotics.\n"
    )
    (page,) = parse(read_document("signs.txt", text.encode())).pages
    lists = [block for block in page.body if block["type"] == "list"]
    assert lists[0]["value"]["items"] == [
        "<p>a fever above 38 degrees</p>",
        "<p>redness spreading around the wound</p>",
    ]
    lost = [note for note in page.notes if note.startswith("A list seems to be missing")]
    assert len(lost) == 1
    assert "“The common causes include:”" in lost[0]
    assert_valid_body(page)


def test_text_with_markup_and_html_characters_is_escaped_and_cleaned():
    text = (
        "Pain <b>relief</b> & rest\nUse **ice** for 20 minutes , then heat. A <script>x()</script> tag is text here.\n"
    )
    (page,) = parse(read_document("escape.txt", text.encode())).pages
    assert page.title == "Pain <b>relief</b> & rest"
    body = page.body[0]["value"]
    assert "&lt;script&gt;" in body
    assert "<script>" not in body
    assert "Use ice for 20 minutes, then heat." in page.summary + body
    assert_valid_body(page)


def test_a_single_paragraph_document_still_has_a_body_and_a_proposed_title():
    source = SourceText(
        name="one.txt", format="text", checksum="0", size=1, lines=[Line("Rest helps most back pain within weeks.")]
    )
    document = parse(source)
    assert isinstance(document, ParsedDocument)
    (page,) = document.pages
    assert page.title_proposed
    assert page.title == "Rest helps most back pain within weeks"
    assert page.summary == "Rest helps most back pain within weeks."
    assert_valid_body(page)


def test_a_document_with_only_furniture_and_content_gives_valid_pages():
    source = SourceText(
        name="odd.txt",
        format="text",
        checksum="0",
        size=1,
        lines=[Line("00:00"), Line("Note:"), Line("**"), Line("Keep moving gently."), Line("Note:")],
    )
    document = parse(source)
    for page in document.pages:
        assert_valid_body(page)
    reasons = [dropped.reason for dropped in document.dropped]
    assert "audio player timestamp" in reasons
    assert rules.EMPTY_LINE_REASON in reasons


def test_the_rules_name_no_source_document():
    """rules.py holds general rules: none of the five sources' names or sentences."""
    text = (Path(rules.__file__)).read_text(encoding="utf-8")
    for specific in ("Barricaid", "Cainiu", "Wang Fei", "Chen Jian", "leg weakness", "000_", "004_"):
        assert specific not in text, specific


# Lines that play a part in some rule, and made-up text, in any order: parse never fails, and
# every page it makes is valid for the site.
RULE_LINES = [
    "00:00",
    "doctor image",
    "home-news-image",
    "1min 32sec home-news-image",
    "43sec",
    "Written by Li Wen",
    "Written by Dr. Zhou Min",
    "Dr. Zhou Min",
    "Orthopedics",
    "Updated on January 23, 2025",
    "Nov 14, 2024 Source: A Portal",
    "Source:",
    "Introduction",
    "Other Voices",
    "Note:",
    "Warning",
    "Recommend",
    "Related Articles",
    "View All",
    "<<: previous",
    ">>: next",
    "**",
    "Several causes, including:",
    "A new treatment, the BrandX device, is here: www.brandx.com",
    "Buy now at www.shop.example.com ®",
    "What is sciatica?",
    "Short heading",
    "A sentence of ordinary content that ends with a full stop.",
    "- a bullet",
    "1. a numbered item",
    "<script>x</script> & <b>",
]
LINE = st.one_of(st.sampled_from(RULE_LINES), st.text(min_size=1, max_size=80))
KIND = st.sampled_from(["p", "p", "p", "h", "li"])


@hypothesis.settings(max_examples=300, deadline=None, database=None, derandomize=True)
@hypothesis.given(st.lists(st.tuples(LINE, KIND, st.booleans()), min_size=1, max_size=25))
def test_any_mix_of_lines_parses_into_valid_pages(lines):
    source = SourceText(
        name="mix.txt",
        format="text",
        checksum="0",
        size=1,
        lines=[Line(text, kind, ordered) for text, kind, ordered in lines if text.strip()],
    )
    document = parse(source)
    assert document.kind in ("doctor_qa", "portal_qa", "article")
    keys = [page.key for page in document.pages]
    assert len(keys) == len(set(keys))
    for page in document.pages:
        assert page.page_type in ("question", "article")
        assert_valid_body(page)
    assert all(dropped.reason for dropped in document.dropped)


def test_a_portal_qa_without_an_introduction_takes_its_short_answer_from_the_answer():
    text = (
        "Is walking good for sciatica?\n"
        "2025-06-01 Source: Back Care Weekly\n"
        "Prof. Ou Yang Ming\n"
        "Walking is usually good. It keeps the back moving without loading the discs much. "
        "Start with ten minutes a day.\n"
        "Related Articles\n"
        "Sciatica in pregnancy\n"
        "Sciatica and sleep\n"
    )
    document = parse(read_document("walking.txt", text.encode()))
    assert document.kind == "portal_qa"
    (page,) = document.pages
    assert (page.author_honorific, page.author_name) == ("Prof", "Ou Yang Ming")
    assert page.updated_on == datetime.date(2025, 6, 1)
    assert page.source_name == "Back Care Weekly"
    assert page.summary == "Walking is usually good. It keeps the back moving without loading the discs much."
    assert page.body == [
        {
            "type": "paragraph",
            "value": "<p>Walking is usually good. It keeps the back moving without loading the discs much. "
            "Start with ten minutes a day.</p>",
        }
    ]
    assert any("first sentence" in note for note in page.notes)
    reasons = [(dropped.text, dropped.reason) for dropped in document.dropped]
    assert reasons == [
        ("Related Articles", "heading of the source site's 'Related Articles' list"),
        ("Sciatica in pregnancy", "link in the source site's 'Related Articles' list"),
        ("Sciatica and sleep", "link in the source site's 'Related Articles' list"),
    ]


def test_a_single_doctor_answer_without_other_voices_is_one_question():
    text = "Does heat help?\nWritten by Gao Lin\nPain Medicine\nUpdated on 5 May 2025\n00:00\nHeat relaxes tight muscles.\n"
    document = parse(read_document("heat.txt", text.encode()))
    assert document.kind == "doctor_qa"
    (page,) = document.pages
    assert (page.title, page.author_name, page.department) == ("Does heat help?", "Gao Lin", "Pain Medicine")
    assert page.updated_on == datetime.date(2025, 5, 5)
    assert page.other_voices == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("January 23, 2025", datetime.date(2025, 1, 23)),
        ("Nov 14, 2024", datetime.date(2024, 11, 14)),
        ("Sept. 3, 2024", datetime.date(2024, 9, 3)),
        ("3 March 2026", datetime.date(2026, 3, 3)),
        ("2024-11-14", datetime.date(2024, 11, 14)),
        ("2024/1/4", datetime.date(2024, 1, 4)),
        ("2024\u5e7411\u670814\u65e5", datetime.date(2024, 11, 14)),
        ("February 30, 2024", None),
        ("soon", None),
    ],
)
def test_dates_as_sources_write_them(text, date):
    assert rules.parse_date(text) == date


@pytest.mark.parametrize(
    ("line", "duration"),
    [
        ("1min 32sec home-news-image", "1min 32sec"),
        ("43sec", "43sec"),
        ("2min 5sec", "2min 5sec"),
        ("2 min 5 sec", "2min 5sec"),
        ("3min home-news-image", "3min"),
    ],
)
def test_audio_durations_as_sources_write_them(line, duration):
    document = parse(
        SourceText(
            name="d.txt",
            format="text",
            checksum="0",
            size=1,
            lines=[Line("Written by Gao Lin"), Line(line), Line("Is rest needed?"), Line("Rarely.")],
        )
    )
    assert document.pages[0].audio_duration == duration


def test_a_number_at_the_start_of_a_sentence_is_not_a_list_item():
    lines = [Line("Disc facts"), Line("1.5 million people see a doctor for it."), Line("1. Rest first")]
    (page,) = parse(SourceText(name="n.txt", format="text", checksum="0", size=1, lines=lines)).pages
    assert page.summary == "1.5 million people see a doctor for it."
    assert page.body == [{"type": "list", "value": {"style": "numbered", "items": ["<p>Rest first</p>"]}}]


PORTAL_DOCTOR_QA_PAGE = """<!doctype html><html><head><title>Can I lift weights with a herniated disc? - Healthy Spine Q&A</title>
<meta name="description" content="Answers from doctors"><script src="x.js"></script></head><body>
<div class="top-nav"><a href="/">Home</a><a href="/qa">Q&amp;A</a><a href="/login">Log in</a></div>
<div class="main"><div class="qa">
<h1 class="question">Can I lift weights with a herniated disc?</h1>
<div class="doctor"><img src="doc.jpg" alt="doctor image"><div class="name">Written by Sun Li</div><div class="dept">Sports Medicine</div><div class="date">Updated on February 2, 2026</div></div>
<div class="player"><span>00:00</span> <span>02:10</span></div>
<div class="answer"><p>Heavy lifting should wait until the leg pain has gone. Light weights with good form can help strengthen the back muscles later.</p>
<p>Avoid deadlifts and squats with heavy loads for the first months.</p></div>
</div>
<div class="others"><h2>Other Voices</h2>
<div class="item"><img alt="doctor image"><div>Written by Ma Qiang</div><div>Orthopedics</div><div>1min 5sec</div><h3>Is swimming good for a herniated disc?</h3><p>Swimming is one of the best exercises, because the water supports the body.</p></div>
</div></div>
<div class="sidebar"><h3>Hot topics</h3><ul><li><a href="/a">Knee pain</a></li><li><a href="/b">Headaches</a></li></ul></div>
<footer>© 2026 Healthy Spine. ICP 12345678</footer></body></html>"""


def test_a_doctor_qa_page_saved_from_a_browser_with_its_own_layout():
    document = parse(read_document("lift.html", PORTAL_DOCTOR_QA_PAGE.encode()))
    assert document.kind == "doctor_qa"
    first, second = document.pages
    assert (first.title, first.author_name, first.department) == (
        "Can I lift weights with a herniated disc?",
        "Sun Li",
        "Sports Medicine",
    )
    assert first.updated_on == datetime.date(2026, 2, 2)
    assert first.summary.startswith("Heavy lifting should wait until the leg pain has gone.")
    assert (second.title, second.author_name, second.department, second.audio_duration) == (
        "Is swimming good for a herniated disc?",
        "Ma Qiang",
        "Orthopedics",
        "1min 5sec",
    )
    assert first.other_voices == ["answer-2"]
    assert second.other_voices == ["answer-1"]
    text = document_text(document)
    for furniture in ("Log in", "Knee pain", "Hot topics", "ICP", "00:00", "02:10"):
        assert furniture not in text
    assert any(dropped.reason == "audio player timestamp" for dropped in document.dropped)


def test_the_doctor_qa_as_a_word_document_is_read_the_same():
    lines = [line.strip() for line in SOURCE_FILES["000"].read_text(encoding="utf-8").splitlines() if line.strip()]
    document = parse(read_document("000.docx", make_docx(lines)))
    expected = imported("000")
    assert document.kind == "doctor_qa"
    assert [page.title for page in document.pages] == [page.title for page in expected.pages]
    assert [page.audio_duration for page in document.pages] == [page.audio_duration for page in expected.pages]
    assert [page.body for page in document.pages] == [page.body for page in expected.pages]


def test_a_note_opening_a_paragraph_becomes_a_callout_titled_with_its_label():
    markdown = (
        "# Sleeping with a herniated disc\n\n"
        "Lying on the side with a pillow between the knees keeps the spine in a neutral position.\n\n"
        "**Note:** A very soft mattress can let the lower back sag.\n\n"
        "Warning: Numbness around the groin needs medical help at once.\n\n"
        "Notes on the study: it followed forty patients for a year.\n"
    )
    (page,) = parse(read_document("sleep.md", markdown.encode())).pages
    callouts = [block["value"] for block in page.body if block["type"] == "callout"]
    assert [(callout["kind"], callout["title"], callout["text"]) for callout in callouts] == [
        ("info", "Note", "<p>A very soft mattress can let the lower back sag.</p>"),
        ("warning", "Warning", "<p>Numbness around the groin needs medical help at once.</p>"),
    ]
    # A label that is not one alone, followed by more words before the colon, stays a paragraph.
    assert {"type": "paragraph", "value": "<p>Notes on the study: it followed forty patients for a year.</p>"} in (
        page.body
    )
    assert_valid_body(page)


def test_a_sponsor_named_outright_is_the_sponsor():
    data = make_docx(
        [
            ("Returning to work after a herniated disc", "Heading1", 0),
            "Most people with a herniated lumbar disc can return to office work within a few weeks.",
            "This article is sponsored by BackCare Chairs. Visit our store for 20% off chairs that relieve back pain!",
        ]
    )
    (page,) = parse(read_document("work.docx", data)).pages
    assert page.is_sponsored
    assert page.sponsor == "BackCare Chairs"
    assert page.sponsor_disclosure.startswith("This section promotes BackCare Chairs")
    assert not any("names no sponsor" in note for note in page.notes)


TABLE_PAGE = (
    "<html><head><title>Herniated disc in young people - Health Channel</title></head><body>"
    "<div id='nav'><a href='/'>Home</a> &gt; <a href='/spine'>Spine</a></div><div class='content'>"
    "<p>A herniated lumbar disc is less common in young people but does occur, often after a sports injury.</p>"
    "<p>Young patients usually recover well with conservative treatment such as rest and physiotherapy.</p>"
    "<table><tr><th>Treatment</th><th>Typical length</th></tr><tr><td>Physiotherapy</td><td>6 to 8 weeks</td></tr>"
    "<tr><td>Pain relief</td><td></td></tr></table>"
    "<p>Surgery is rarely needed in young people.</p></div>"
    "<div class='footer'>About us | Contact</div></body></html>"
)


def test_a_table_in_a_web_page_becomes_a_table_block_with_its_headings():
    (page,) = parse(read_document("young.html", TABLE_PAGE.encode())).pages
    (table,) = [block["value"] for block in page.body if block["type"] == "table"]
    assert [column["heading"] for column in table["table"]["columns"]] == ["Treatment", "Typical length"]
    assert [row["values"] for row in table["table"]["rows"]] == [
        ["Physiotherapy", "6 to 8 weeks"],
        ["Pain relief", rules.EMPTY_CELL],
    ]
    assert table["caption"] == rules.TABLE_CAPTION
    assert any(note.startswith("A table of 2 row(s) and 2 column(s)") and "left empty" in note for note in page.notes)
    assert [block["type"] for block in page.body] == ["paragraph", "table", "paragraph"]
    assert_valid_body(page)


def test_a_table_in_markdown_and_in_word_becomes_a_table_block():
    markdown = (
        "# Pain relief medicines\n\nThese medicines are often used for the pain of a herniated disc.\n\n"
        "Each has its own dose, which a doctor sets.\n\n"
        "| Medicine | Usual adult dose |\n|---|---|\n| Ibuprofen | 400 mg |\n| Paracetamol | 1 g |\n"
    )
    cell = "<w:tc>{}</w:tc>".format
    table = "<w:tbl>{}</w:tbl>".format(
        "".join(
            f"<w:tr>{cell(docx_paragraph(name))}{cell(docx_paragraph(dose))}</w:tr>"
            for name, dose in (("Ibuprofen", "400 mg"), ("Paracetamol", "1 g"))
        )
    )
    body = docx_paragraph("Pain relief medicines", "Heading1") + docx_paragraph(
        "These medicines are often used for the pain of a herniated disc."
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}{table}</w:body></w:document>'
    )
    word = make_docx([], extra_parts={"word/document.xml": document})
    for name, data, headings in (
        ("medicines.md", markdown.encode(), ["Medicine", "Usual adult dose"]),
        ("medicines.docx", word, ["", ""]),  # Word marked no header row: every row is a row
    ):
        (page,) = parse(read_document(name, data)).pages
        (table,) = [block["value"] for block in page.body if block["type"] == "table"]
        assert [column["heading"] for column in table["table"]["columns"]] == headings, name
        assert [row["values"][0] for row in table["table"]["rows"]][-2:] == ["Ibuprofen", "Paracetamol"], name
        assert_valid_body(page)


def test_a_portal_answer_credited_to_an_expert_and_its_page_counters():
    text = (
        "What is the recovery time after microdiscectomy?\n2025-02-10 Source: Spine Health Daily\n"
        "Expert: Dr. Gao Feng\nIntroduction\n"
        "Most patients go home on the day of surgery or the next day.\n\n"
        "Microdiscectomy removes the part of the disc that presses on the nerve.\n"
        "Share this article\nComments (0)\nLikes 12\nShare to WeChat | Weibo\n"
    )
    document = parse(read_document("recovery.txt", text.encode()))
    assert document.kind == "portal_qa"
    (page,) = document.pages
    assert (page.author_honorific, page.author_name) == ("Dr", "Gao Feng")
    assert page.source_name == "Spine Health Daily"
    assert page.updated_on == datetime.date(2025, 2, 10)
    assert [dropped.text for dropped in document.dropped][-4:] == [
        "Share this article",
        "Comments (0)",
        "Likes 12",
        "Share to WeChat | Weibo",
    ]
    assert "Comments" not in page_text(page)
