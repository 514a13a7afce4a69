"""Nothing an editor or a reader typed reaches a page unescaped, except rich text through Wagtail's whitelist.

1. Every place that switches Django's autoescaping off (`|safe`, `|safeseq`, `{% autoescape off %}`,
   `mark_safe(`, `SafeString(`) is in REVIEWED below with the reason it is safe. A new one fails
   this test until someone has read it and added it here.
2. Every rich text field and block names its features (a short whitelist), and Wagtail's editor
   drops anything else on save: scripts, unknown blocks, `javascript:` links, embeds.
"""

import json
import re

import pytest
from django.apps import apps
from django.conf import settings
from wagtail import blocks
from wagtail.admin.rich_text import DraftailRichTextArea
from wagtail.fields import RichTextField, StreamField

PROJECT_DIR = settings.BASE_DIR
SKIP_DIRS = {".venv", ".git", "node_modules", "test-artifacts", "static", "media", "vendor", "tests", "__pycache__"}
TEMPLATE_PATTERN = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off\s*%}")
PYTHON_PATTERN = re.compile(r"\bmark_safe\(|\bSafeString\(|\|\s*safe\b|autoescape\s+off")

PLAIN_TEXT_EMAIL = (
    "a plain-text e-mail (text/plain only: WAGTAILADMIN_NOTIFICATION_USE_HTML is off, so no HTML part is "
    "rendered); escaping would show a title's quotes as &quot; to the reader"
)
# (file, the line as written, stripped) -> why it is safe
REVIEWED = {
    (
        "discsite/templatetags/discsite_tags.py",
        "return mark_safe(ANCHOR_TAG.sub(_add_sponsored_rel, str(conditional_escape(html))))  # noqa: S308",
    ): "sponsored_links: its input is escaped unless it is already safe (rich text rendered through Wagtail's "
    'whitelist); it only adds rel="sponsored nofollow" to <a> tags',
    ("discsite/search.py", "return mark_safe(escaped)  # noqa: S308"): (
        "highlight: `escaped` is django.utils.html.escape() of the text"
    ),
    ("discsite/search.py", "return mark_safe(marked)  # noqa: S308"): (
        "highlight: the escaped text with <mark> around whole words; the terms are escaped and regex-quoted, "
        "and entities are never split"
    ),
    (
        "discsite/templatetags/discsite_tags.py",
        "return mark_safe(html)  # noqa: S308 (our own rendered template output, escaped when it was rendered)",
    ): "versioned_cache, own_content_cache and cards: template output (a fragment, or cards joined), autoescaped "
    "when it was rendered, read back from the cache or just rendered",
    (
        "discsite/structured_data.py",
        "return format_html('<script type=\"application/ld+json\">{}</script>', mark_safe(text))  # noqa: S308",
    ): "JSON-LD: json.dumps output with <, >, & and the line separators turned into \\u escapes "
    "(JSON_SCRIPT_ESCAPES), so no value can close the script element (test_structured_data.py)",
    (
        "discsite/search.py",
        'return mark_safe(f"{before}{highlight(window, terms)}{after}")  # noqa: S308 (highlight escapes)',
    ): ("search snippet: highlight() escapes the text; before/after are literal ellipses"),
}
EMAIL_TEMPLATES = re.compile(r"^templates/articles/emails/[\w-]+\.txt$")


def project_files(suffixes):
    for path in sorted(PROJECT_DIR.rglob("*")):
        relative = path.relative_to(PROJECT_DIR)
        if path.is_file() and path.suffix in suffixes and not SKIP_DIRS.intersection(relative.parts[:-1]):
            yield relative.as_posix(), path


def unsafe_lines():
    found = []
    for relative, path in project_files({".html", ".txt", ".xml", ".py"}):
        pattern = PYTHON_PATTERN if relative.endswith(".py") else TEMPLATE_PATTERN
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line) and not line.lstrip().startswith(("from ", "import ")):
                found.append((relative, number, line.strip()))
    return found


def test_every_unescaped_output_has_been_reviewed():
    unreviewed = [
        f"{relative}:{number}: {line}"
        for relative, number, line in unsafe_lines()
        if (relative, line) not in REVIEWED and not EMAIL_TEMPLATES.match(relative)
    ]
    assert not unreviewed, "unescaped output nobody has reviewed (add it to REVIEWED with a reason):\n" + "\n".join(
        unreviewed
    )


def test_the_reviewed_list_has_nothing_stale():
    present = {(relative, line) for relative, _, line in unsafe_lines()}
    assert not [key for key in REVIEWED if key not in present], "REVIEWED lists lines that are gone"


def test_plain_text_emails_are_really_plain_text():
    assert not getattr(settings, "WAGTAILADMIN_NOTIFICATION_USE_HTML", False), PLAIN_TEXT_EMAIL
    assert not list((PROJECT_DIR / "templates" / "articles" / "emails").glob("*.html"))


def test_public_templates_never_use_safe():
    """The reader-facing templates use none at all; rich text goes through |richtext or a RichText value."""
    offenders = [
        (relative, number)
        for relative, number, _ in unsafe_lines()
        if relative.startswith("templates/") and relative.endswith(".html")
    ]
    assert not offenders


# ---------------------------------------------------------------- rich text whitelists

ALLOWED_FEATURES = {"bold", "italic", "link", "superscript", "subscript", "ol", "ul"}


def rich_text_definitions():
    """(where, features) for every rich text field and block in the project's models."""
    found = []

    def walk(block, where):
        if isinstance(block, blocks.RichTextBlock):
            found.append((where, block.features))
        for name, child in getattr(block, "child_blocks", {}).items():
            walk(child, f"{where}.{name}")
        if isinstance(block, blocks.ListBlock):
            walk(block.child_block, f"{where}[]")

    for model in apps.get_models():
        if model._meta.app_label not in {"discsite", "articles", "experts"}:
            continue
        for model_field in model._meta.get_fields():
            where = f"{model.__name__}.{model_field.name}"
            if isinstance(model_field, RichTextField):
                found.append((where, model_field.features))
            elif isinstance(model_field, StreamField):
                walk(model_field.stream_block, where)
    return found


def test_every_rich_text_names_a_short_feature_whitelist():
    definitions = rich_text_definitions()
    assert len(definitions) >= 5
    for where, features in definitions:
        assert features is not None, f"{where} uses Wagtail's default features (headings, images, embeds ...)"
        assert set(features) <= ALLOWED_FEATURES, f"{where}: {sorted(set(features) - ALLOWED_FEATURES)}"


def contentstate(text, entity=None, block_type="unstyled", style="BOLD"):
    return json.dumps(
        {
            "blocks": [
                {
                    "key": "a",
                    "type": block_type,
                    "depth": 0,
                    "text": text,
                    "inlineStyleRanges": [{"offset": 0, "length": 4, "style": style}],
                    "entityRanges": [{"offset": 0, "length": 4, "key": 0}] if entity else [],
                }
            ],
            "entityMap": {"0": entity} if entity else {},
        }
    )


@pytest.mark.parametrize(
    ("value", "absent"),
    [
        (contentstate("<script>alert(1)</script>"), "<script"),
        (contentstate("<img src=x onerror=alert(1)>"), "<img"),
        (
            contentstate("Text", {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "javascript:alert(1)"}}),
            "javascript:",
        ),
        (
            contentstate("Text", {"type": "LINK", "mutability": "MUTABLE", "data": {"url": 'x" onclick="alert(1)'}}),
            '" onclick',
        ),
        (
            contentstate(
                "Text", {"type": "EMBED", "mutability": "IMMUTABLE", "data": {"url": "https://evil.example"}}
            ),
            "evil",
        ),
        (contentstate("Text", {"type": "IMAGE", "mutability": "IMMUTABLE", "data": {"id": 1}}), "<embed"),
        (contentstate("Text", block_type="header-one"), "<h1"),
        (contentstate("Text", block_type="code-block"), "<pre"),
        (contentstate("Text", style="CODE"), "<code"),
    ],
)
def test_the_editor_stores_only_what_the_whitelist_allows(value, absent):
    widget = DraftailRichTextArea(features=["bold", "italic", "link"])
    assert absent not in widget.value_from_datadict({"body": value}, {}, "body")


def test_text_that_looks_like_markup_is_stored_escaped():
    widget = DraftailRichTextArea(features=["bold", "italic", "link"])
    stored = widget.value_from_datadict({"body": contentstate("<script>alert(1)</script>")}, {}, "body")
    assert "<script" not in stored
    assert "&lt;scr</b>ipt&gt;alert(1)&lt;/script&gt;" in stored  # the bold range covers "<scr"
