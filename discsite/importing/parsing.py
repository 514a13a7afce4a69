"""Recognising what a document holds: its kind, its pages and what it leaves out. No database.

`parse(source)` applies the rules in rules.py to the lines `reading.read_document` found, in
this order:

1. each line is cleaned (stray `**`, spaces before punctuation);
2. the kind is recognised from the lines (doctor_qa, portal_qa or article);
3. each line is given a role: dropped (furniture, a stop line and all after it, a label, a
   duplicate of the title), a field (a byline, department, date, source or duration), a label
   that shapes what follows ("Introduction", "Note:") or content;
4. the lines are cut into pages (one per answer for doctor_qa, one otherwise), and each page's
   content becomes a title, a summary and a body of HealthBodyBlock data: headings, paragraphs,
   lists, callouts and one sponsored section for promotional paragraphs.

Every piece left out is in `ParsedDocument.dropped` with its reason; every guess (a proposed
title, a summary taken from the answer, a lost list, a sponsored section) is in the page's notes.
"""

from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from django.utils.html import escape

from . import rules
from .document import DraftPage, Dropped, ParsedDocument, SourceText


@dataclass
class Item:
    """One line of the document and what it is to the page it belongs to."""

    text: str
    kind: str = "p"  # the line's kind: "p", "h", "li" or "row"
    ordered: bool = False
    cells: tuple = ()  # for "row": its cells' text
    header: bool = False  # for "row": a row of headings
    role: str = "content"  # "content", "field", "author", "other_voices", "introduction", "callout"
    fields: dict = field(default_factory=dict)  # for "field" and "author": the page's fields it gives
    callout: str = ""  # for "callout": the kind of box
    position: int = 0  # the line's place in the source, so that what is dropped is listed in order
    promotion: list | None = None  # what the promotion check found in it, once asked (see promotion())


@dataclass
class Section:
    """The lines of one page to be: its title (if the source gives one), fields and content."""

    title: str = ""
    title_position: int = 0
    fields: dict = field(default_factory=dict)
    items: list = field(default_factory=list)


def parse(source: SourceText) -> ParsedDocument:
    """What the document holds, as draft pages and the pieces left out."""
    dropped = []  # (position in the source, Dropped)
    items = cleaned_items(source, dropped)
    texts = [rules.clean(line.text) for line in source.lines]  # furniture too: an audio player is a sign
    if rules.is_doctor_qa(texts):
        kind = "doctor_qa"
    elif rules.is_portal_qa(texts):
        kind = "portal_qa"
    else:
        kind = "article"
    items = assign_roles(items, kind, dropped)
    sections = answer_sections(items) if kind == "doctor_qa" else [leading_title_section(items, kind, dropped)]
    sections = [section for section in sections if has_content(section, dropped)]
    page_type = "article" if kind == "article" else "question"
    pages = []
    for number, section in enumerate(sections, start=1):
        key = "article" if page_type == "article" and len(sections) == 1 else f"{page_type_key(page_type)}-{number}"
        pages.append(build_page(key, page_type, section, source, dropped))
    if kind == "doctor_qa":
        keys = [page.key for page in pages]
        for page in pages:
            page.other_voices = [key for key in keys if key != page.key]
    in_order = [piece for _position, piece in sorted(dropped, key=lambda pair: pair[0])]
    return ParsedDocument(source=source, kind=kind, pages=pages, dropped=in_order)


def has_content(section, dropped):
    """Whether a section has words for a page; a section without is listed as dropped."""
    if any(item.role == "content" for item in section.items):
        return True
    if section.title:
        dropped.append((section.title_position, Dropped(section.title, rules.TITLE_WITHOUT_CONTENT_REASON)))
    for item in section.items:
        dropped.append((item.position, Dropped(item.text, rules.TITLE_WITHOUT_CONTENT_REASON)))
    return False


def page_type_key(page_type):
    return "answer" if page_type == "question" else "article"


# --------------------------------------------------------------------------
# Lines: cleaned, furniture and stop lines dropped


def cleaned_items(source, dropped):
    """The document's lines, cleaned, without furniture and without what follows a stop line."""
    items = []
    lines = iter(enumerate(source.lines))
    for position, line in lines:
        text = rules.clean(line.text)
        if not text:
            dropped.append((position, Dropped(line.text, rules.EMPTY_LINE_REASON)))
            continue
        stop = rules.STOP_LINES.get(rules.label_name(text))
        if (
            stop and line.kind not in ("li", "row") and items
        ):  # before any content it is the site's menu, not a list's end
            rest = [(later_position, rules.clean(later.text)) for later_position, later in lines]
            rest = [(later_position, later) for later_position, later in rest if later]
            empty, heading, listed = stop
            furniture_only = all(furniture_reason(later) for _later_position, later in rest)
            dropped.append((position, Dropped(text, empty if furniture_only else heading)))
            for later_position, later in rest:
                dropped.append((later_position, Dropped(later, furniture_reason(later) or listed)))
            break
        reason = furniture_reason(text)
        if reason:
            dropped.append((position, Dropped(text, reason)))
            continue
        kind, ordered = line.kind, line.ordered
        if kind == "p":
            bullet = rules.BULLET.match(text) or rules.NUMBERED.match(text)
            if bullet:
                kind, ordered, text = "li", bullet.re is rules.NUMBERED, bullet["text"]
        cells = tuple(rules.clean(cell) for cell in line.cells)
        items.append(Item(text, kind, ordered, cells=cells, header=line.header, position=position))
    return items


def furniture_reason(text):
    for pattern, reason in rules.FURNITURE:
        if pattern.search(text):
            return reason
    return ""


# --------------------------------------------------------------------------
# Roles: fields, labels and content


def assign_roles(items, kind, dropped):
    """Each line's role; fields are read, labels of the kind's sections recognised."""
    result = []
    after_byline = False  # a department follows the byline directly
    for item in items:
        if item.kind == "row":  # a table's row is content, whatever its cells say
            result.append(item)
            after_byline = False
            continue
        text = item.text
        name = rules.label_name(text)
        if item.kind != "li" and kind == "doctor_qa" and name in rules.OTHER_VOICES_LABELS:
            dropped.append((item.position, Dropped(text, rules.OTHER_VOICES_REASON)))
            item.role = "other_voices"
        elif item.kind == "p" and kind != "article" and name in rules.INTRODUCTION_LABELS:
            dropped.append((item.position, Dropped(text, rules.INTRODUCTION_REASON)))
            item.role = "introduction"
        elif is_callout_label(item, name):
            item.role, item.callout = "callout", rules.CALLOUT_LABELS[name]
        elif item.kind != "li" and (byline := byline_fields(text)):
            item.role, item.fields = "author", byline
            after_byline = True
            result.append(item)
            continue
        elif item.kind != "li" and (found := field_values(text)):
            item.role, item.fields = "field", found
        elif after_byline and item.kind == "p" and rules.looks_like_department(text):
            item.role, item.fields = "field", {"department": text}
        result.append(item)
        after_byline = False
    return result


def is_callout_label(item, name):
    """ "Note:" alone on a line (or "Note" in plain text) labels the paragraph after it."""
    if name not in rules.CALLOUT_LABELS or item.kind == "li":
        return False
    return item.text.endswith(rules.COLONS) or item.kind == "p"


def byline_fields(text):
    match = rules.WRITTEN_BY.match(text) or rules.HONORIFIC_BYLINE.match(text)
    if not match:
        return {}
    honorific = rules.HONORIFICS[match["honorific"].lower()] if match["honorific"] else ""
    return {"author_name": match["name"], "author_honorific": honorific}


def field_values(text):
    """The fields a metadata line gives: a date, a source's name, an audio duration."""
    match = rules.UPDATED_ON.match(text) or rules.DATE_ONLY.match(text)
    if match and rules.parse_date(match["date"]):
        return {"updated_on": rules.parse_date(match["date"])}
    match = rules.DATE_SOURCE.match(text)
    if match and len(match["source"].split()) <= 8:
        found = {"source_name": match["source"].strip()}
        if match["date"] and rules.parse_date(match["date"]):
            found["updated_on"] = rules.parse_date(match["date"])
        return found
    match = rules.DURATION.match(text)
    if match:
        return {"audio_duration": " ".join(match["duration"].replace(" ", "").replace("min", "min ").split())}
    return {}


# --------------------------------------------------------------------------
# Sections: the lines of each page


def answer_sections(items):
    """doctor_qa: one section per answer. An answer starts at its byline; the first answer's
    question comes before it, the others' after it (and after their fields)."""
    sections = [Section()]
    before_first_byline = True
    for item in items:
        if item.role == "author":
            if not before_first_byline:
                sections.append(Section())
            before_first_byline = False
            sections[-1].fields.update(item.fields)
        elif item.role == "field":
            sections[-1].fields.update(item.fields)
        elif item.role == "other_voices":
            continue
        elif (
            before_first_byline
            and not sections[-1].title
            and item.role == "content"
            and item.kind not in ("li", "row")
        ):
            sections[-1].title, sections[-1].title_position = item.text, item.position
        else:
            sections[-1].items.append(item)
    for section in sections:
        if section.title:
            continue
        content = [item for item in section.items if item.role == "content"]
        if content and len(content) > 1 and content[0] is section.items[0] and rules.looks_like_title(content[0].text):
            section.title, section.title_position = content[0].text, content[0].position
            section.items = section.items[1:]
    return [section for section in sections if section.title or section.items]


def leading_title_section(items, kind, dropped):
    """portal_qa and article: one section; the title is a short first line, kept once."""
    section = Section()
    body = []
    for item in items:
        if item.role in ("author", "field"):
            for key, value in item.fields.items():
                section.fields.setdefault(key, value)
        elif item.role == "other_voices":
            continue
        else:
            body.append(item)
    content = [item for item in body if item.role == "content"]
    first = content[0] if content else None
    has_more = len(content) > 1
    titled = first is not None and (first.kind == "h" or (first.kind == "p" and rules.looks_like_title(first.text)))
    if titled and has_more:
        # A short first line is the title; for a portal page it is the question, whatever its length.
        section.title, section.title_position = first.text, first.position
        body.remove(first)
    elif first is not None and kind == "portal_qa" and has_more and first.kind not in ("li", "row"):
        section.title, section.title_position = first.text, first.position
        body.remove(first)
    title = section.title.casefold()
    section.items = []
    for item in body:
        if title and item.role == "content" and item.text.casefold() == title:
            dropped.append((item.position, Dropped(item.text, rules.DUPLICATE_TITLE_REASON)))
        else:
            section.items.append(item)
    return section


# --------------------------------------------------------------------------
# A page


def build_page(key, page_type, section, source, dropped):
    page = DraftPage(key=key, page_type=page_type, title="", summary="", body=[])
    fields = dict(section.fields)
    if page_type == "article" or key.endswith("-1"):
        document_fields(fields, source)
    for name, value in fields.items():
        setattr(page, name, value)
    items = list(section.items)

    # The short answer: the paragraph after an "Introduction" label, else (for articles) the first
    # paragraph, else (for questions) the answer's first sentences, kept in the body too.
    summary_item = None
    for index, item in enumerate(items):
        if item.role == "introduction":
            following = items[index + 1] if index + 1 < len(items) else None
            if following is not None and following.role == "content" and following.kind == "p":
                summary_item = following
            break
    items = [item for item in items if item.role != "introduction"]
    in_callouts = {id(following) for item, following in pairwise(items) if item.role == "callout"}
    paragraphs = [
        item
        for item in items
        if item.role == "content" and item.kind == "p" and id(item) not in in_callouts and not promotion(item)
    ]
    if summary_item is None and page_type == "article" and paragraphs:
        candidate = paragraphs[0]
        if not rules.introduces_list(candidate.text) and sum(1 for item in items if item.role == "content") > 1:
            summary_item = candidate
    if summary_item is not None:
        page.summary = summary_item.text
        items.remove(summary_item)
    elif paragraphs:
        page.summary = first_sentences(paragraphs[0].text)
        page.notes.append(rules.SUMMARY_FROM_ANSWER_NOTE if page_type == "question" else rules.SUMMARY_FROM_BODY_NOTE)
    else:  # no plain paragraph: the first words of any other kind, else the title, for the editor to rewrite
        words = [item.text for item in items if item.role == "content" and not promotion(item)]
        page.summary = first_sentences(words[0]) if words else section.title
        page.notes.append(rules.NO_SUMMARY_NOTE)

    page.title = section.title
    if not page.title:
        page.title, origin = proposed_title(page.summary, items)
        page.summary = page.summary or page.title
        page.title_proposed = True
        page.notes.append(rules.TITLE_PROPOSED_NOTE.format(origin=origin))

    page.body = body_blocks(items, page, dropped)
    if not page.body and page.summary:
        page.body = [paragraph_block(page.summary)]  # the body is required; it repeats the summary
    return page


def document_fields(fields, source):
    """What an HTML page's metadata (or Markdown's front matter) says, where the text says nothing."""
    metadata = source.metadata
    if metadata.get("author") and "author_name" not in fields:
        honorific, name = rules.split_honorific(metadata["author"].split(",")[0].split(";")[0])
        fields["author_name"], fields["author_honorific"] = name[:255], honorific
    if metadata.get("date") and "updated_on" not in fields:
        date = rules.parse_date(str(metadata["date"]))
        if date:
            fields["updated_on"] = date
    if metadata.get("sitename") and "source_name" not in fields:
        fields["source_name"] = metadata["sitename"][:255]
    if metadata.get("source") and "source_name" not in fields:
        fields["source_name"] = metadata["source"][:255]
    if metadata.get("url"):
        fields.setdefault("source_url", metadata["url"])


def first_sentences(text):
    """The first sentence, and the second when the first is short, word for word."""
    parts = rules.sentences(text)
    summary = parts[0] if parts else text
    if len(summary) < rules.SUMMARY_MIN_CHARS and len(parts) > 1:
        summary = f"{summary} {parts[1]}"
    return summary


def proposed_title(summary, items):
    """A title from the document's own words, and the words it was taken from."""
    opening = [summary] if summary else []
    opening += [item.text for item in items if item.role == "content" and item.kind == "p"]
    opening = opening[: rules.PROPOSAL_PARAGRAPHS]
    for paragraph in opening:
        for pattern in rules.ABOUT_PATTERNS:
            match = pattern.search(paragraph)
            if match and len(match["topic"].split()) >= 2:
                return trimmed(rules.capitalise(match["topic"].strip())), match.group(0)
    for paragraph in opening:
        for sentence in rules.sentences(paragraph):
            if sentence.endswith("?"):
                question = rules.DISCOURSE_OPENERS.sub("", sentence)
                if len(question.split()) <= rules.PROPOSAL_MAX_WORDS:
                    return trimmed(rules.capitalise(question)), sentence
    text = opening[0] if opening else next((item.text for item in items), "")
    first = (rules.sentences(text) or [text])[0] if text else ""
    if not first:
        return "Untitled document", ""
    clause = rules.CLAUSE_END.split(first, maxsplit=1)[0].strip().rstrip(".!")
    return trimmed(clause or first), first


def trimmed(text):
    words = text.split()
    if len(words) <= rules.PROPOSAL_MAX_WORDS and len(text) <= 200:
        return text
    return " ".join(words[: rules.PROPOSAL_MAX_WORDS])[:200] + "…"


# --------------------------------------------------------------------------
# The body


def body_blocks(items, page, dropped):
    """HealthBodyBlock data for a page's items; promotional paragraphs in one sponsored block."""
    blocks = []
    promotional = []  # (text, what the promotion check found)
    sponsored_at = None
    index = 0
    while index < len(items):
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if item.role == "callout":
            if following is not None and following.role == "content" and following.kind == "p":
                dropped.append((item.position, Dropped(item.text, rules.CALLOUT_REASON.format(label=item.text))))
                blocks.append(callout_block(item.callout, following.text))
                index += 2
            elif following is None:
                dropped.append((item.position, Dropped(item.text, rules.EMPTY_CALLOUT_REASON.format(label=item.text))))
                index += 1
            else:  # a label before a heading or a list is not a callout's: read it as ordinary content
                items[index] = Item(item.text, item.kind, item.ordered, position=item.position)
            continue
        if item.role != "content":  # a stray field or label inside the body: its words are kept
            blocks.append(paragraph_block(item.text))
            index += 1
            continue
        if item.kind == "row":
            run = [item]
            while index + len(run) < len(items) and items[index + len(run)].kind == "row":
                run.append(items[index + len(run)])
            blocks.append(table_block(run, page))
            index += len(run)
            continue
        if item.kind == "li":
            run = [item]
            while (
                index + len(run) < len(items)
                and items[index + len(run)].kind == "li"
                and items[index + len(run)].ordered == item.ordered  # a numbered list after a bulleted one
            ):
                run.append(items[index + len(run)])
            blocks.append(list_block(run))
            index += len(run)
            continue
        if item.kind == "h" or (
            following is not None
            and following.role == "content"
            and following.kind != "h"
            and rules.looks_like_heading(item.text)
        ):
            if len(item.text) <= rules.HEADING_MAX_CHARS:
                blocks.append({"type": "heading", "value": {"text": item.text, "level": "h2"}})
            else:
                blocks.append(paragraph_block(item.text))
            index += 1
            continue
        if item.kind == "p" and (inline := rules.inline_callout(item.text)):
            label, kind, text = inline
            blocks.append(callout_block(kind, text, title=label))
            index += 1
            continue
        found = promotion(item)
        if found:
            if sponsored_at is None:
                sponsored_at = len(blocks)
                blocks.append(None)  # the sponsored section's place: where promotion first appears
            promotional.append((item.text, found))
            index += 1
            continue
        if rules.introduces_list(item.text) and (following is None or following.kind not in ("li", "row")):
            page.notes.append(rules.LOST_LIST_NOTE.format(line=item.text))
        blocks.append(paragraph_block(item.text))
        index += 1
    if promotional:
        blocks[sponsored_at] = sponsored_block(promotional, page)
    return [block for block in blocks if block is not None]


def promotion(item):
    """What reads like promotion in an item, asked once (the check parses HTML, so it is not free)."""
    if item.promotion is None:
        item.promotion = rules.promotion_found(item.text)
    return item.promotion


def html_paragraph(text):
    return f"<p>{escape(text)}</p>"


def paragraph_block(text):
    return {"type": "paragraph", "value": html_paragraph(text)}


def callout_block(kind, text, title=""):
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": html_paragraph(text)}}


def list_block(run):
    style = "numbered" if run[0].ordered else "bulleted"
    return {"type": "list", "value": {"style": style, "items": [html_paragraph(item.text) for item in run]}}


def table_block(rows, page):
    """A table block of consecutive rows, the first row its headings when the source marks it so. The
    site's table needs a caption and a value in every cell: a placeholder caption and a dash in empty
    cells stand in, and the page's notes say so."""
    head, body = (rows[0], rows[1:]) if rows[0].header and len(rows) > 1 else (None, rows)
    width = max(len(row.cells) for row in rows)
    headings = [*head.cells, *[""] * (width - len(head.cells))] if head else [""] * width
    values = [
        [cell or rules.EMPTY_CELL for cell in row.cells] + [rules.EMPTY_CELL] * (width - len(row.cells))
        for row in body
    ]
    empty = any(rules.EMPTY_CELL in row for row in values)
    page.notes.append(
        rules.TABLE_NOTE.format(rows=len(values), columns=width, empty=rules.TABLE_EMPTY_CELLS if empty else "")
    )
    table = {
        "columns": [{"type": "text", "heading": heading} for heading in headings],
        "rows": [{"values": row} for row in values],
        "caption": "",
    }
    return {"type": "table", "value": {"caption": rules.TABLE_CAPTION, "table": table}}


def sponsored_block(promotional, page):
    texts = [text for text, _found in promotional]
    sponsor = sponsor_name(texts)
    page.is_sponsored = True
    page.sponsor = sponsor or rules.NO_SPONSOR
    page.sponsor_disclosure = rules.SPONSOR_DISCLOSURE.format(sponsor=page.sponsor)
    found = "; ".join(dict.fromkeys(what for _text, whats in promotional for what in whats))
    page.notes.append(rules.SPONSORED_NOTE.format(count=len(texts), found=found, sponsor=page.sponsor))
    if not sponsor:
        page.notes.append(rules.UNNAMED_SPONSOR_NOTE)
    content = "".join(html_paragraph(text) for text in texts)
    return {"type": "sponsored", "value": {"sponsor": page.sponsor[:120], "content": content}}


def sponsor_name(texts):
    """Whose product the promotional paragraphs promote, from their own words: the name in the
    commercial web address they give, as they write it, else the capitalised name they repeat."""
    text = " ".join(texts)
    if named := rules.SPONSORED_BY.search(text):
        return named["name"].strip().rstrip(rules.AROUND_WORDS)
    words = [word.strip(rules.AROUND_WORDS + rules.MARKS) for word in text.split()]
    for name in rules.web_address_names(text):
        for word in words:
            if word.lower() == name and word[:1].isupper():
                return word
    for name in rules.web_address_names(text):
        return rules.capitalise(name)
    counts = Counter()
    for sentence in rules.sentences(text):
        for word in sentence.split()[1:]:  # a sentence's first word is capitalised anyway
            word = word.strip(rules.AROUND_WORDS)
            name = word.rstrip(rules.MARKS)
            if name[:1].isupper() and name not in rules.COMMON_CAPITALISED and name.isalpha():
                counts[name] += 2 if name != word else 1  # a name with a trade mark sign counts double
    if counts:
        name, count = counts.most_common(1)[0]
        if count >= 2:
            return name
    return ""
