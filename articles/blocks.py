"""StreamField blocks for health content.

Every block has an icon, a description and a preview value for the block
picker, and its own template in templates/blocks/.
"""

from django.core.exceptions import ValidationError
from django.utils.html import escape
from wagtail import blocks
from wagtail.contrib.typed_table_block.blocks import TypedTableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

# Inline formatting only: structure (headings, lists, callouts) has its own blocks,
# so it stays consistent and accessible whoever edits the page.
INLINE_FEATURES = ["bold", "italic", "link", "superscript", "subscript"]


def reader_html(bound_block):
    """The HTML of the words a reader sees in one body block, which the reading level and the
    promotion check judge. Each block class answers for itself with a `reader_html(value)` method;
    a block without one (the urgent-care card, whose words live in a snippet, and the sponsored
    section, which is promotion by design and labelled as such) has none to judge."""
    method = getattr(bound_block.block, "reader_html", None)
    return method(bound_block.value) if method else ""


def _plain(*texts):
    """Plain-text fields of a block as HTML, each its own paragraph."""
    return "".join(f"<p>{escape(text)}</p>" for text in texts if text)


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=INLINE_FEATURES, **kwargs)

    def reader_html(self, value):
        return value.source

    class Meta:
        icon = "pilcrow"
        template = "blocks/paragraph.html"
        description = "A paragraph of text, with bold, italic and links."
        preview_value = (
            "<p>Most people with a herniated disc get better within a few weeks "
            "with <b>rest, gentle activity</b> and pain relief.</p>"
        )


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=160)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Section heading"), ("h3", "Sub-heading")],
        default="h2",
        help_text="The page title is the only top-level heading; start sections at 'Section heading'.",
    )

    def reader_html(self, value):
        return _plain(value["text"])

    class Meta:
        icon = "title"
        template = "blocks/heading.html"
        description = "A section heading; it also appears in the page's contents list."
        preview_value = {"text": "Symptoms", "level": "h2"}


class ListBlock(blocks.StructBlock):
    style = blocks.ChoiceBlock(
        choices=[("bulleted", "Bulleted"), ("numbered", "Numbered (for steps in order)")],
        default="bulleted",
    )
    items = blocks.ListBlock(blocks.RichTextBlock(features=INLINE_FEATURES), min_num=1)

    def reader_html(self, value):
        return "".join(item.source for item in value["items"])

    class Meta:
        icon = "list-ul"
        template = "blocks/list.html"
        description = "A bulleted or numbered list."
        preview_value = {
            "style": "bulleted",
            "items": ["<p>back pain</p>", "<p>pain that spreads down one leg</p>", "<p>numbness or tingling</p>"],
        }


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[
            ("info", "Good to know"),
            ("warning", "Warning"),
            ("urgent", "Urgent care: seek help now"),
            ("editors_note", "Editors' note"),
        ],
        default="info",
        help_text="Urgent-care callouts are red and always shown in full; use them only for red-flag symptoms.",
    )
    title = blocks.CharBlock(required=False, max_length=120, help_text="Optional; each kind has a default label.")
    text = blocks.RichTextBlock(features=INLINE_FEATURES)

    DEFAULT_TITLES = {
        "info": "Good to know",
        "warning": "Warning",
        "urgent": "Seek help now",
        "editors_note": "Editors' note",
    }

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["heading"] = value["title"] or self.DEFAULT_TITLES.get(value["kind"], "")
        return context

    def reader_html(self, value):
        return _plain(value["title"]) + value["text"].source

    class Meta:
        icon = "warning"
        template = "blocks/callout.html"
        description = "A highlighted box: a tip, a warning, an urgent-care red flag or an editors' note."
        preview_value = {
            "kind": "warning",
            "title": "",
            "text": "<p>If leg pain, numbness or weakness appears, get it checked promptly.</p>",
        }


class UrgentCareBlock(blocks.StaticBlock):
    """The site-wide urgent-care card, placed in the body where an editor wants it repeated."""

    class Meta:
        icon = "warning"
        template = "blocks/urgent_care.html"
        admin_text = "Shows the urgent-care card from the site settings (edit its text there)."
        description = "The site's red-flag symptoms and what to do, as kept in the site settings."
        label = "Urgent-care card"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=255,
        help_text="Describe what the image shows for people who cannot see it. Required.",
    )
    caption = blocks.CharBlock(required=False, max_length=255)
    credit = blocks.CharBlock(required=False, max_length=120)

    def reader_html(self, value):
        return _plain(value["alt_text"], value["caption"], value["credit"])

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        description = "An image with required alternative text and an optional caption."


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=160)

    def reader_html(self, value):
        return _plain(value["quote"], value["attribution"])

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"
        description = "A quotation with who said it."
        preview_value = {
            "quote": "Massage should be performed only under medical guidance.",
            "attribution": "Dr Chen Jian",
        }


class AudioBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=160)
    file = DocumentChooserBlock(help_text="An audio file (mp3, m4a, ogg or wav).")
    duration = blocks.CharBlock(required=False, max_length=40, help_text="As given, for example '1min 32sec'.")
    transcript = blocks.RichTextBlock(
        features=INLINE_FEATURES, help_text="What is said, for readers who cannot listen. Required."
    )

    def reader_html(self, value):
        return _plain(value["title"]) + value["transcript"].source

    class Meta:
        icon = "media"
        template = "blocks/audio.html"
        description = "An audio recording with its transcript."


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(help_text="A link to the video on its host, for example YouTube.")
    title = blocks.CharBlock(max_length=160)
    transcript = blocks.RichTextBlock(
        features=INLINE_FEATURES, required=False, help_text="A transcript, if the video has no captions."
    )

    def reader_html(self, value):
        return _plain(value["title"]) + (value["transcript"].source if value["transcript"] else "")

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        description = "A video from a video host, embedded with a title and optional transcript."


class TableBlock(blocks.StructBlock):
    caption = blocks.CharBlock(max_length=255, help_text="Says what the table shows; read out by screen readers.")
    table = TypedTableBlock(
        [
            ("text", blocks.CharBlock()),
            ("number", blocks.DecimalBlock()),
            ("rich_text", blocks.RichTextBlock(features=INLINE_FEATURES)),
        ]
    )

    def reader_html(self, value):
        return _plain(value["caption"])

    class Meta:
        icon = "table"
        template = "blocks/table.html"
        description = "A table with a caption and a header row."


class SponsoredSectionBlock(blocks.StructBlock):
    """Promotional material, always boxed and labelled, its links marked rel=sponsored."""

    sponsor = blocks.CharBlock(max_length=120, help_text="Whose product or service this promotes.")
    content = blocks.RichTextBlock(features=[*INLINE_FEATURES, "ol", "ul"])

    class Meta:
        icon = "tag"
        template = "blocks/sponsored_section.html"
        description = (
            "Promotional or sponsored material. Shown in a labelled box; the page must be "
            "marked sponsored with a disclosure."
        )
        preview_value = {
            "sponsor": "Example Medical Ltd",
            "content": "<p>A paragraph promoting a product, kept apart from the clinical content.</p>",
        }


class HealthBodyBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    heading = HeadingBlock()
    list = ListBlock()
    callout = CalloutBlock()
    urgent_care = UrgentCareBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    audio = AudioBlock()
    video = VideoBlock()
    table = TableBlock()
    sponsored = SponsoredSectionBlock()


class CitationBlock(blocks.StructBlock):
    authors = blocks.CharBlock(required=False, max_length=255, help_text="For example 'Smith J, Lee K'.")
    title = blocks.CharBlock(required=False, max_length=500)
    journal = blocks.CharBlock(required=False, max_length=255)
    year = blocks.IntegerBlock(required=False, min_value=1800, max_value=2100)
    doi = blocks.CharBlock(required=False, max_length=255, label="DOI", help_text="For example 10.1056/NEJMoa2034567.")
    pmid = blocks.CharBlock(required=False, max_length=20, label="PMID")
    url = blocks.URLBlock(required=False, label="URL")
    note = blocks.CharBlock(
        required=False, max_length=255, help_text="Anything a reader should know, such as details the source omits."
    )

    def clean(self, value):
        value = super().clean(value)
        if not (value.get("title") or value.get("journal")):
            raise blocks.StructBlockValidationError(
                block_errors={"title": ValidationError("Give the title or the journal (or both).")}
            )
        return value

    class Meta:
        icon = "doc-full"
        template = "blocks/citation.html"
        description = "A published source: authors, title, journal, year and an identifier."
        preview_value = {
            "authors": "Example A, Example B",
            "title": "An example study of lumbar disc herniation",
            "journal": "Example Journal of Spine Care",
            "year": 2024,
        }


class ReferencesBlock(blocks.StreamBlock):
    citation = CitationBlock()
