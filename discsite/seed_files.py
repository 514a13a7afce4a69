"""Read the curated seed files and build the page tree from them.

The seed files in fixtures/seed/ are reviewed like code, so they are plain
text: YAML for the experts, topics and site structure, and one Markdown file
with YAML front matter per answer or article. Loading is a pure function of
the files and reports every problem with its file and line; building runs
only on a fully valid set, inside the caller's transaction, and touches a
page only when the files say something different from what is live.
"""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.container import container_plugin

from articles.blocks import CALLOUT_KINDS, CitationBlock, HealthBodyBlock

DEFAULT_SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "seed"
DEFAULT_SOURCES_DIR = Path(settings.BASE_DIR) / "fixtures" / "sources"

# Pages whose published date is not given are stamped at this hour (UTC) of
# the day they were first seeded, so dates never shift across time zones.
PUBLISH_HOUR_UTC = 9


class SeedError(Exception):
    """A problem in one seed file, located to the line."""

    def __init__(self, path, line, message):
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


class SeedErrors(Exception):
    """Every problem found in a seed set; nothing is written while any remain."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} problem(s) in the seed files")
        self.errors = errors


# --------------------------------------------------------------------------
# YAML with line numbers


class Located:
    """A YAML mapping plus the line on which each of its keys and items starts."""

    def __init__(self, path, data, lines, prefix=(), default_line=1):
        self.path = path
        self.data = data
        self.lines = lines
        self.prefix = prefix
        self.default_line = default_line

    def line(self, *keys):
        for depth in range(len(keys), -1, -1):
            line = self.lines.get(self.prefix + tuple(keys[:depth]))
            if line is not None:
                return line
        return self.default_line

    def error(self, message, *keys):
        return SeedError(self.path, self.line(*keys), message)

    def child(self, *keys):
        value = self.data
        for key in keys:
            value = value[key]
        return Located(self.path, value, self.lines, self.prefix + tuple(keys), self.line(*keys))


def _record_lines(node, path, lines, first_line):
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_path = (*path, key_node.value)
            lines[key_path] = first_line + key_node.start_mark.line
            _record_lines(value_node, key_path, lines, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_path = (*path, index)
            lines[item_path] = first_line + item.start_mark.line
            _record_lines(item, item_path, lines, first_line)


def load_yaml(path, text, first_line=1):
    """Parse YAML text, returning a Located; `first_line` is the file line of the text's first line.

    Besides YAML's own errors, refused with their line: a key written twice in one mapping
    (YAML would silently keep the last), a date that does not exist (2025-02-30), and nesting
    too deep to read.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        _check_duplicate_keys(path, node, first_line)
        data = yaml.safe_load(text)
    except yaml.reader.ReaderError as exc:
        line = first_line + text[: exc.position].count("\n")
        raise SeedError(path, line, f"invalid YAML: the character {exc.character!r} is not allowed") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark else first_line
        problem = getattr(exc, "problem", None) or str(exc)
        raise SeedError(path, line, f"invalid YAML: {problem}") from exc
    except ValueError as exc:  # PyYAML builds dates with datetime, which refuses 2025-02-30 with a bare ValueError
        line, value = _bad_date(node, first_line)
        raise SeedError(path, line, f"'{value}' is not a real date ({exc})") from exc
    except RecursionError as exc:
        raise SeedError(path, first_line, "invalid YAML: nested too deeply") from exc
    lines = {(): first_line}
    if node is not None:
        _record_lines(node, (), lines, first_line)
    return Located(path, data, lines, default_line=first_line)


def _nodes(node):
    stack = [node] if node is not None else []
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, yaml.MappingNode):
            stack.extend(value for pair in node.value for value in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _check_duplicate_keys(path, root, first_line):
    for node in _nodes(root):
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                    continue
                key, line = key_node.value, first_line + key_node.start_mark.line
                if key in seen:
                    raise SeedError(path, line, f"the key '{key}' is written twice (first on line {seen[key]})")
                seen[key] = line


def _bad_date(root, first_line):
    """The line and text of the first date-like value that is not a real date."""
    constructor = yaml.SafeLoader("")
    for node in _nodes(root):
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                constructor.construct_yaml_timestamp(node)
            except ValueError:
                return first_line + node.start_mark.line, node.value
    return first_line, "a date"


# --------------------------------------------------------------------------
# Field checking


class Fields:
    """Checks a YAML mapping against the keys a seed file may have, collecting errors."""

    def __init__(self, located, allowed, errors, what):
        self.located = located
        self.errors = errors
        if not isinstance(located.data, dict):
            errors.append(located.error(f"{what} must be a mapping of keys to values"))
            self.data = {}
            return
        self.data = located.data
        for key in self.data:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                errors.append(located.error(f"unknown key '{key}' (expected one of: {expected})", key))

    def _fail(self, key, message):
        self.errors.append(self.located.error(message, key))

    def text(self, key, required=True, max_length=None):
        """A string; runs of whitespace (folded YAML lines included) become single spaces."""
        value = self.data.get(key)
        if value is None:
            if required:
                self._fail(key, f"'{key}' is required")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self._fail(key, f"'{key}' must be text")
            return ""
        value = " ".join(value.split())
        if max_length and len(value) > max_length:
            self._fail(key, f"'{key}' is {len(value)} characters long; the limit is {max_length}")
        return value

    def integer(self, key, minimum, maximum):
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self._fail(key, f"'{key}' must be a whole number from {minimum} to {maximum}")
            return None
        return value

    def slug(self, key):
        value = self.text(key, max_length=255)  # Page.slug's length
        if value and slugify(value) != value:
            self._fail(key, f"'{key}' must be a lower-case slug like '{slugify(value) or 'my-page'}'")
        return value

    def url(self, key, max_length=200):
        """A web address (http or https only: the page links to it), or ''."""
        value = self.text(key, required=False, max_length=max_length)
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                self._fail(key, f"'{key}' must be a web address starting with https:// or http://")
                return ""
        return value

    def date(self, key, required=False):
        value = self.data.get(key)
        if value is None:
            if required:
                self._fail(key, f"'{key}' is required")
            return None
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            self._fail(key, f"'{key}' must be a date written as YYYY-MM-DD, e.g. 2025-01-23")
            return None
        return value

    def text_list(self, key):
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            self._fail(key, f"'{key}' must be a list of names, e.g. [Symptoms, Treatment]")
            return []
        return [item.strip() for item in value]

    def mapping(self, key, allowed, required=False):
        if key not in self.data:
            if required:
                self._fail(key, f"'{key}' is required")
            return None
        return Fields(self.located.child(key), allowed, self.errors, f"'{key}'")

    def mapping_list(self, key):
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self._fail(key, f"'{key}' must be a list")
            return []
        return [self.located.child(key, index) for index in range(len(value))]


# --------------------------------------------------------------------------
# Markdown bodies


def _markdown():
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "breaks": False})
    # One container syntax for every boxed block: ::: callout warning, ::: sponsored Name, ::: urgent-care
    md.use(container_plugin, name="box", validate=lambda params, *args: bool(params.strip()))
    md.disable("image")
    # Wagtail's rich text stores bold and italic as <b> and <i>.
    md.add_render_rule("strong_open", lambda *args: "<b>")
    md.add_render_rule("strong_close", lambda *args: "</b>")
    md.add_render_rule("em_open", lambda *args: "<i>")
    md.add_render_rule("em_close", lambda *args: "</i>")
    md.add_render_rule("softbreak", lambda *args: " ")
    return md


MARKDOWN = _markdown()
RICH_TEXT_NODES = {"paragraph", "bullet_list", "ordered_list"}


def _render(nodes):
    tokens = [token for node in nodes for token in node.to_tokens()]
    return MARKDOWN.renderer.render(tokens, MARKDOWN.options, {}).strip()


def _render_inline(node):
    inline = node.children[0]
    return MARKDOWN.renderer.renderInline(inline.to_tokens()[0].children or [], MARKDOWN.options, {}).strip()


def parse_body(path, text, first_line):
    """Turn a Markdown body into raw StreamField data: a list of {"type", "value"} dicts.

    Returns (blocks, lines) where lines[i] is the file line of block i.
    """
    tree = SyntaxTreeNode(MARKDOWN.parse(text))
    blocks, lines = [], []

    def add(block_type, value, node):
        blocks.append({"type": block_type, "value": value})
        lines.append(first_line + node.map[0])

    for node in tree.children:
        line = first_line + (node.map[0] if node.map else 0)
        if node.type == "paragraph":
            add("paragraph", f"<p>{_render_inline(node)}</p>", node)
        elif node.type == "heading":
            if node.tag not in ("h2", "h3"):
                raise SeedError(
                    path, line, "use '## ' or '### ' for headings; the page title is the only top-level heading"
                )
            add("heading", {"text": _render_inline(node), "level": node.tag}, node)
        elif node.type in ("bullet_list", "ordered_list"):
            items = []
            for item in node.children:
                if len(item.children) != 1 or item.children[0].type != "paragraph":
                    raise SeedError(path, first_line + item.map[0], "list items must be single paragraphs")
                items.append(f"<p>{_render_inline(item.children[0])}</p>")
            style = "numbered" if node.type == "ordered_list" else "bulleted"
            add("list", {"style": style, "items": items}, node)
        elif node.type == "blockquote":
            paragraphs = [child for child in node.children if child.type == "paragraph"]
            if len(paragraphs) != len(node.children) or not paragraphs:
                raise SeedError(path, line, "a quote may contain only paragraphs")
            quote_lines = "\n".join(_render_inline(p) for p in paragraphs).split("\n")
            attribution = ""
            if len(quote_lines) > 1 and quote_lines[-1].startswith("— "):
                attribution = quote_lines.pop()[2:].strip()
            add("quote", {"quote": "\n".join(quote_lines), "attribution": attribution}, node)
        elif node.type == "container_box":
            add(*_parse_box(path, node, first_line), node)
        elif node.type == "code_block":
            raise SeedError(
                path, line, "unsupported Markdown here (a line indented by a tab or 4 spaces is a code block)"
            )
        else:
            raise SeedError(path, line, f"unsupported Markdown here ({node.type.replace('_', ' ')})")
    return blocks, lines


def _parse_box(path, node, first_line):
    line = first_line + node.map[0]
    name, _, rest = node.info.strip().partition(" ")
    rest = rest.strip()
    content = node.children
    for child in content:
        if child.type not in RICH_TEXT_NODES:
            raise SeedError(path, first_line + child.map[0], "a box may contain only paragraphs and lists")
    if name == "callout":
        kind, _, title = rest.partition(" ")
        if kind not in CALLOUT_KINDS:
            raise SeedError(path, line, f"callout kind must be one of {', '.join(sorted(CALLOUT_KINDS))}")
        if not content:
            raise SeedError(path, line, "a callout needs some text")
        return "callout", {"kind": kind, "title": title.strip(), "text": _render(content)}
    if name == "sponsored":
        if not rest:
            raise SeedError(path, line, "write the sponsor after '::: sponsored', e.g. '::: sponsored Barricaid'")
        if not content:
            raise SeedError(path, line, "a sponsored section needs some text")
        return "sponsored", {"sponsor": rest, "content": _render(content)}
    if name == "urgent-care":
        if content or rest:
            raise SeedError(path, line, "'::: urgent-care' takes no text; its wording is in the site settings")
        return "urgent_care", None
    raise SeedError(path, line, f"unknown box '{name}' (expected callout, sponsored or urgent-care)")


# --------------------------------------------------------------------------
# The seed set


@dataclass
class ExpertSeed:
    path: str
    line: int
    slug: str
    name: str
    honorific: str = ""
    credentials: str = ""
    job_title: str = ""
    department: str = ""
    institution: str = ""
    bio: str = ""


@dataclass
class TopicSeed:
    path: str
    line: int
    slug: str
    title: str
    tag: str
    intro: str


@dataclass
class PageSeed:
    """One answer or article, its fields already in model terms."""

    path: str
    kind: str  # "question" or "article"
    slug: str
    fields: dict
    body: list
    body_lines: list
    tags: list
    author: str | None
    published: datetime.date | None
    located: "Located"
    pinned: list = field(default_factory=list)
    references: list = field(default_factory=list)

    def line(self, *keys):
        return self.located.line(*keys)


@dataclass
class SeedSet:
    site: dict
    experts: list
    topics: list
    questions: list
    articles: list

    @property
    def page_count(self):
        return len(self.experts) + len(self.topics) + len(self.questions) + len(self.articles)


INDEX_KEYS = ("questions", "articles", "topics", "experts")
PAGE_KEYS = {
    "title",
    "slug",
    "summary",
    "tags",
    "source",
    "published",
    "search_description",
    "sponsored",
}
QUESTION_KEYS = PAGE_KEYS | {"expert", "audio_duration", "other_voices"}
ARTICLE_KEYS = PAGE_KEYS | {"author", "related", "references"}
SOURCE_KEYS = {"file", "name", "url", "updated"}
REFERENCE_KEYS = {"authors", "title", "journal", "year", "doi", "pmid", "url", "note"}


def _relative(path):
    try:
        return str(Path(path).relative_to(Path(settings.BASE_DIR)))
    except ValueError:
        return str(path)


def _read(path, errors):
    """The file's text: UTF-8, a byte-order mark at the start ignored, CRLF and CR line endings read as LF.

    Control characters other than tab and newline (NUL included) are refused with their line:
    YAML refuses them itself, and Markdown would turn NUL into a replacement character.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(SeedError(_relative(path), 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
    except OSError as exc:
        errors.append(SeedError(_relative(path), 1, f"cannot be read: {exc.strerror or exc}"))
    else:
        if match := CONTROL_CHARACTER.search(text):
            line = text.count("\n", 0, match.start()) + 1
            errors.append(SeedError(_relative(path), line, f"the control character {match.group()!r} is not allowed"))
            return None
        return text
    return None


CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _load_yaml_file(path, errors):
    text = _read(path, errors)
    if text is None:
        return None
    try:
        return load_yaml(_relative(path), text)
    except SeedError as exc:
        errors.append(exc)
        return None


def _load_site(directory, errors):
    located = _load_yaml_file(directory / "site.yaml", errors)
    if located is None:
        return {"home": {}, "indexes": {}, "located": None}
    top = Fields(located, {"home", "indexes"}, errors, "site.yaml")
    home = top.mapping("home", {"title", "intro", "featured"}, required=True)
    site = {"home": {}, "indexes": {}, "located": located}
    if home:
        site["home"] = {
            "title": home.text("title", max_length=255),
            "intro": home.text("intro", required=False),
            "featured": home.text_list("featured"),
        }
    indexes = top.mapping("indexes", set(INDEX_KEYS), required=True)
    if indexes:
        for key in INDEX_KEYS:
            index = indexes.mapping(key, {"title", "intro"}, required=True)
            if index:
                site["indexes"][key] = {
                    "title": index.text("title", max_length=255),
                    "intro": index.text("intro", required=False),
                }
    return site


def _load_list(directory, filename, errors):
    path = directory / filename
    located = _load_yaml_file(path, errors)
    if located is None:
        return []
    if not isinstance(located.data, list):
        errors.append(located.error(f"{filename} must be a list of entries, each starting with '- slug:'"))
        return []
    return [located.child(index) for index in range(len(located.data))]


def _load_experts(directory, errors):
    experts = []
    allowed = {"slug", "name", "honorific", "credentials", "job_title", "department", "institution", "bio"}
    for item in _load_list(directory, "experts.yaml", errors):
        entry = Fields(item, allowed, errors, "an expert")
        honorific = entry.text("honorific", required=False)
        if honorific not in ("", "Dr", "Prof", "Mr", "Ms"):
            errors.append(item.error("honorific must be one of Dr, Prof, Mr, Ms (or left out)", "honorific"))
        experts.append(
            ExpertSeed(
                path=item.path,
                line=item.line(),
                slug=entry.slug("slug"),
                name=entry.text("name", max_length=255),
                honorific=honorific,
                credentials=entry.text("credentials", required=False, max_length=120),
                job_title=entry.text("job_title", required=False, max_length=120),
                department=entry.text("department", required=False, max_length=120),
                institution=entry.text("institution", required=False, max_length=200),
                bio=entry.text("bio", required=False),
            )
        )
    return experts


def _load_topics(directory, errors):
    topics = []
    for item in _load_list(directory, "topics.yaml", errors):
        entry = Fields(item, {"slug", "title", "tag", "intro"}, errors, "a topic")
        topic = TopicSeed(
            path=item.path,
            line=item.line(),
            slug=entry.slug("slug"),
            title=entry.text("title", max_length=255),
            tag=entry.text("tag", max_length=100),
            intro=entry.text("intro"),
        )
        if topic.title and topic.tag and topic.title != topic.tag:
            # A topic's title names its tag (articles.models.TopicPage): one name for readers everywhere.
            message = f"the tag '{topic.tag}' is not named as the topic's title, '{topic.title}'"
            errors.append(item.error(message, "tag"))
        topics.append(topic)
    return topics


def split_front_matter(path, text):
    """(front matter text, its first line, body text, the body's first line)."""
    lines = text.split("\n")
    if not text.strip():
        raise SeedError(path, 1, "the file is empty: a page is YAML front matter between '---' lines, then its body")
    if not lines or lines[0].strip() != "---":
        raise SeedError(path, 1, "a page file must start with '---', then its YAML front matter, then '---'")
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:number]), 2, "\n".join(lines[number + 1 :]), number + 2
    raise SeedError(path, 1, "the front matter is not closed with a line of '---'")


def _load_page(path, kind, sources_dir, errors):
    text = _read(path, errors)
    if text is None:
        return None
    display = _relative(path)
    local_errors = []
    try:
        front_text, front_line, body_text, body_line = split_front_matter(display, text)
        located = load_yaml(display, front_text, front_line)
    except SeedError as exc:
        errors.append(exc)
        return None
    entry = Fields(located, QUESTION_KEYS if kind == "question" else ARTICLE_KEYS, local_errors, "the front matter")
    fields = {
        "title": entry.text("title", max_length=255),
        "summary": entry.text("summary"),
        "search_description": entry.text("search_description", required=False),
    }
    slug = entry.slug("slug")
    source = entry.mapping("source", SOURCE_KEYS, required=True)
    if source:
        source_file = source.text("file")
        if source_file and not (sources_dir / source_file).is_file():
            local_errors.append(
                located.error(f"source file '{source_file}' is not in {_relative(sources_dir)}", "source", "file")
            )
        fields["source_name"] = source.text("name", required=False, max_length=200)
        fields["source_url"] = source.url("url")
        fields["source_updated_on"] = source.date("updated")
    sponsored = entry.mapping("sponsored", {"disclosure"})
    fields["is_sponsored"] = sponsored is not None
    fields["sponsor_disclosure"] = sponsored.text("disclosure") if sponsored else ""
    author = entry.slug("expert") if kind == "question" else (entry.slug("author") if "author" in entry.data else None)
    page = PageSeed(
        path=display,
        kind=kind,
        slug=slug,
        fields=fields,
        body=[],
        body_lines=[],
        tags=entry.text_list("tags"),
        author=author,
        published=entry.date("published"),
        located=located,
    )
    if kind == "question":
        fields["audio_duration"] = entry.text("audio_duration", required=False, max_length=40)
        page.pinned = entry.text_list("other_voices")
    else:
        page.pinned = entry.text_list("related")
        for item in entry.mapping_list("references"):
            reference = Fields(item, REFERENCE_KEYS, local_errors, "a reference")
            value = {key: reference.text(key, required=False) for key in REFERENCE_KEYS if key != "year"}
            value["year"] = reference.integer("year", 1800, 2100)
            page.references.append((value, item.line()))
    try:
        page.body, page.body_lines = parse_body(display, body_text, body_line)
    except SeedError as exc:
        local_errors.append(exc)
    if not page.body and not local_errors:
        local_errors.append(SeedError(display, body_line, "the page has no body text after the front matter"))
    errors.extend(local_errors)
    return page


def _validate_blocks(page, errors):
    """Run the StreamField blocks' own validation, so the seed cannot store what the editor would refuse."""
    body_block = HealthBodyBlock()
    for raw, line in zip(page.body, page.body_lines, strict=True):
        child = body_block.child_blocks[raw["type"]]
        try:
            child.clean(child.to_python(raw["value"]))
        except ValidationError as exc:
            errors.append(SeedError(page.path, line, f"invalid {raw['type']} block: {_flatten(exc)}"))
    citation = CitationBlock()
    for value, line in page.references:
        try:
            citation.clean(citation.to_python(value))
        except ValidationError as exc:
            errors.append(SeedError(page.path, line, f"invalid reference: {_flatten(exc)}"))


def _flatten(exc):
    if hasattr(exc, "block_errors") and exc.block_errors:
        errors = exc.block_errors
        items = errors.items() if isinstance(errors, dict) else enumerate(errors)
        return "; ".join(f"{key}: {_flatten(error)}" for key, error in items if error)
    if hasattr(exc, "messages"):
        return " ".join(exc.messages)
    return str(exc)


def load_seed(directory=DEFAULT_SEED_DIR, sources_dir=DEFAULT_SOURCES_DIR):
    """Read and check every seed file; raise SeedErrors listing all problems, or return a SeedSet."""
    directory, sources_dir = Path(directory), Path(sources_dir)
    errors = []
    if not directory.is_dir():
        raise SeedErrors([SeedError(directory, 0, "the seed directory does not exist")])
    site = _load_site(directory, errors)
    experts = _load_experts(directory, errors)
    topics = _load_topics(directory, errors)
    questions = [
        page
        for path in sorted((directory / "questions").glob("*.md"))
        if (page := _load_page(path, "question", sources_dir, errors))
    ]
    articles = [
        page
        for path in sorted((directory / "articles").glob("*.md"))
        if (page := _load_page(path, "article", sources_dir, errors))
    ]
    seed = SeedSet(site=site, experts=experts, topics=topics, questions=questions, articles=articles)
    _cross_check(seed, errors)
    if errors:
        raise SeedErrors(errors)
    return seed


def _duplicates(items, key):
    seen = set()
    for item in items:
        value = key(item)
        if value in seen:
            yield item, value
        seen.add(value)


def page_error(page, message, *keys):
    return SeedError(page.path, page.line(*keys), message)


def _cross_check(seed, errors):
    """Everything one file names must exist in another, exactly once."""
    for expert, slug in _duplicates(seed.experts, lambda e: e.slug):
        errors.append(SeedError(expert.path, expert.line, f"expert slug '{slug}' is used twice"))
    for topic, tag in _duplicates(seed.topics, lambda t: t.tag.lower()):
        errors.append(SeedError(topic.path, topic.line, f"tag '{tag}' has two topics"))
    for topic, slug in _duplicates(seed.topics, lambda t: t.slug):
        errors.append(SeedError(topic.path, topic.line, f"topic slug '{slug}' is used twice"))
    expert_slugs = {expert.slug for expert in seed.experts}
    tags = {topic.tag.lower() for topic in seed.topics}
    for pages, kind in ((seed.questions, "question"), (seed.articles, "article")):
        slugs = {page.slug for page in pages}
        for page, slug in _duplicates(pages, lambda p: p.slug):
            errors.append(page_error(page, f"another {kind} already has the slug '{slug}'", "slug"))
        for page in pages:
            author_key = "expert" if kind == "question" else "author"
            if page.author is not None and page.author not in expert_slugs:
                errors.append(page_error(page, f"{author_key} '{page.author}' is not in experts.yaml", author_key))
            for index, tag in enumerate(page.tags):
                if tag.lower() not in tags:
                    errors.append(page_error(page, f"tag '{tag}' has no topic in topics.yaml", "tags", index))
            pinned_key = "other_voices" if kind == "question" else "related"
            for index, slug in enumerate(page.pinned):
                if slug not in slugs or slug == page.slug:
                    errors.append(
                        page_error(page, f"'{slug}' is not another {kind} in the seed files", pinned_key, index)
                    )
            has_sponsored_block = any(block["type"] == "sponsored" for block in page.body)
            if has_sponsored_block and not page.fields["is_sponsored"]:
                errors.append(page_error(page, "the body has a sponsored section: add 'sponsored: {disclosure: ...}'"))
            _validate_blocks(page, errors)
    page_slugs = {page.slug for page in seed.questions + seed.articles}
    for index, slug in enumerate(seed.site.get("home", {}).get("featured", [])):
        if slug not in page_slugs:
            line = seed.site["located"].line("home", "featured", index)
            errors.append(
                SeedError(seed.site["located"].path, line, f"featured page '{slug}' is not in the seed files")
            )
