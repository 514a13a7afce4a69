"""What each stage of an import hands to the next: plain data, no database."""

import datetime
import hashlib
import json
from dataclasses import dataclass, field


class ImportRefused(Exception):
    """A file that cannot be imported, with the message its uploader sees. Nothing is written for it."""


@dataclass(frozen=True)
class Line:
    """One block of text as the source lays it out: a paragraph, a heading, a list item or a table row."""

    text: str
    kind: str = "p"  # "p", "h" (a heading of any level), "li" (an item of a list) or "row" (of a table)
    ordered: bool = False  # for "li": an item of a numbered list (HTML's <ol>, "1." in text)
    cells: tuple[str, ...] = ()  # for "row": the text of each cell; `text` is them joined, for reading
    header: bool = False  # for "row": every cell is a header cell (HTML's <th>)


@dataclass
class SourceText:
    """One file, decoded: its lines in order and what its format says about it."""

    name: str  # the file's name as uploaded, without any folder
    format: str  # "text", "markdown", "html" or "docx"
    checksum: str  # sha256 of the file's bytes, hex
    size: int  # bytes
    lines: list[Line]
    encoding: str = ""  # for text and Markdown, the encoding it was read in
    metadata: dict = field(default_factory=dict)  # from an HTML page: title, author, date, sitename, url
    removed: list[tuple[str, str]] = field(default_factory=list)  # (what, why), e.g. scripts stripped

    @property
    def text_checksum(self):
        """sha256 of what the file says (its lines and metadata), hex: the same document saved again in
        another encoding or with other line endings has other bytes but this same checksum."""
        said = json.dumps(
            [[[line.kind, line.ordered, line.text] for line in self.lines], self.metadata],
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(said.encode("utf-8")).hexdigest()


@dataclass
class Dropped:
    """A piece of the source left out of the drafts, and why; listed so an editor can restore it."""

    text: str
    reason: str


@dataclass
class DraftPage:
    """One page a document becomes, in model terms but not yet saved."""

    key: str  # stable within the document: "answer-1", "answer-2", "article"
    page_type: str  # "question" or "article"
    title: str
    summary: str
    body: list  # raw StreamField data for articles.blocks.HealthBodyBlock: [{"type": ..., "value": ...}]
    title_proposed: bool = False  # the source has no title; this one is ours, for the editor to check
    author_name: str = ""  # as the source gives it, without honorific
    author_honorific: str = ""  # "Dr" when the source says "Dr. ..."
    department: str = ""
    updated_on: datetime.date | None = None  # the source's own date for this page
    audio_duration: str = ""  # as the source gives it: "1min 32sec"
    source_name: str = ""  # the publisher the source names: "Cainiu Health"
    source_url: str = ""
    is_sponsored: bool = False
    sponsor: str = ""  # whose product the sponsored block promotes
    sponsor_disclosure: str = ""
    other_voices: list[str] = field(default_factory=list)  # keys of the other answers to the same question
    notes: list[str] = field(default_factory=list)  # for the editor: a lost list, a proposed title, ...


@dataclass
class ParsedDocument:
    """What one source document holds: its kind, its pages and what was left out."""

    source: SourceText
    kind: str  # "doctor_qa" (an answer and its other voices), "portal_qa" or "article"
    pages: list[DraftPage]
    dropped: list[Dropped] = field(default_factory=list)
