"""StreamField blocks for health content.

Every block has an icon, a description and a preview value for the block
picker, and its own template in templates/blocks/.
"""

import re
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.html import escape
from wagtail import blocks
from wagtail.contrib.typed_table_block.blocks import TypedTableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from discsite.core.text import html_to_text

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


def block_text(bound_block):
    """The words a reader sees in one body block, as plain text on one line."""
    return html_to_text(reader_html(bound_block))


def body_texts(stream, prose_only=False):
    """The words of each block of a body StreamField that has any, as plain text, block by block.
    Sponsored sections have none (see `reader_html`): no snippet or summary quotes promotion.

    `prose_only`: only the blocks whose class says it is prose (`prose = True`: paragraphs, headings,
    lists, callouts, quotes), picked by their type in the stored data before any block is made. Their
    words cost no query; the others hold captions and transcripts, and an image's or a recording's
    block would be loaded whole (its image or document fetched), which a search snippet, cut for
    every result, cannot afford.
    """
    if not stream:
        return []
    if prose_only:
        child_blocks = stream.stream_block.child_blocks
        prose = [
            index
            for index, raw in enumerate(stream.raw_data)
            if getattr(child_blocks.get(raw["type"]), "prose", False)
        ]
        bound_blocks = (stream[index] for index in prose)  # only the prose types are made into values
    else:
        bound_blocks = stream
    return [text for text in map(block_text, bound_blocks) if text]


def _plain(*texts):
    """Plain-text fields of a block as HTML, each its own paragraph."""
    return "".join(f"<p>{escape(text)}</p>" for text in texts if text)


class ParagraphBlock(blocks.RichTextBlock):
    prose = True  # its words are all in its own stored value (see body_texts)

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
    prose = True

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
    prose = True

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


class CalloutKind(NamedTuple):
    """How a kind of callout names itself, wherever it is named."""

    choice: str  # in the editor's list of kinds
    heading: str  # the heading readers see when the callout has no title of its own
    label: str  # said before a title of the callout's own, so the kind is never lost
    icon: str  # templates/includes/icon.html


# The kinds of callout, the one place their names are kept (the block's choices, its template).
CALLOUT_KINDS = {
    "info": CalloutKind("Good to know", "Good to know", "Good to know", "info"),
    "warning": CalloutKind("Warning", "Warning", "Warning", "warning"),
    "urgent": CalloutKind("Urgent care: seek help now", "Seek help now", "Urgent: seek help now", "urgent"),
    "editors_note": CalloutKind("Editors' note", "Editors' note", "Editors' note", "note"),
}


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[(name, callout_kind.choice) for name, callout_kind in CALLOUT_KINDS.items()],
        default="info",
        help_text="Urgent-care callouts are red and always shown in full; use them only for red-flag symptoms.",
    )
    title = blocks.CharBlock(required=False, max_length=120, help_text="Optional; each kind has a default label.")
    text = blocks.RichTextBlock(features=INLINE_FEATURES)
    prose = True

    def get_context(self, value, parent_context=None):
        """The kind's icon and label, and the heading: the callout's own title, else its kind's."""
        context = super().get_context(value, parent_context)
        kind = CALLOUT_KINDS.get(value["kind"], CALLOUT_KINDS["info"])
        context.update(heading=value["title"] or kind.heading, kind_label=kind.label, kind_icon=kind.icon)
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
    """A pointer to the site-wide urgent-care card, placed in the body where the text calls for it. Every
    health page shows the card itself near its top; in the body it is a link to it, so no page shows the
    card twice (templates/blocks/urgent_care.html)."""

    class Meta:
        icon = "warning"
        template = "blocks/urgent_care.html"
        admin_text = (
            "Links here to the urgent-care card that every health page shows near its top "
            "(edit the card's text in the site settings)."
        )
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
    prose = True

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

    def schema_node(self, value):
        """The reference as schema.org: a `ScholarlyArticle` when it names a journal, else a `CreativeWork`."""
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", (value.get("doi") or "").strip(), flags=re.I)
        pmid = (value.get("pmid") or "").strip()
        links = [
            *([f"https://doi.org/{doi}"] if doi else []),
            *([f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"] if pmid else []),
            *([value["url"]] if value.get("url") else []),
        ]
        node = {"@type": "ScholarlyArticle" if value.get("journal") else "CreativeWork"}
        if value.get("title"):
            node["name"] = node["headline"] = value["title"]
        authors = split_authors(value.get("authors"))
        if authors:
            node["author"] = [{"@type": "Person", "name": name} for name in authors]
        if value.get("year"):
            node["datePublished"] = str(value["year"])
        if value.get("journal"):
            node["isPartOf"] = {"@type": "Periodical", "name": value["journal"]}
        identifiers = [
            {"@type": "PropertyValue", "propertyID": name, "value": identifier}
            for name, identifier in (("DOI", doi), ("PMID", pmid))
            if identifier
        ]
        if identifiers:
            node["identifier"] = identifiers
        if links:
            node["url"] = links[0]
            node["sameAs"] = links
        if value.get("note"):
            node["description"] = value["note"]
        return node

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


def split_authors(authors):
    """'Smith J, Lee K; et al.' -> ['Smith J', 'Lee K']: citation authors as the block stores them."""
    names = (name.strip() for name in re.split(r"[;,]", authors or ""))
    return [name for name in names if name and name.lower().rstrip(".") != "et al"]
