"""Synthetic health content in bulk, for the benchmark (bench/generate.py) and its tests only.

It lives beside the benchmark, not in an app: nothing the site deploys can make up health
content. bench/generate.py runs it against the database it is given.

The text is real patient information: the sentences of the curated seed pages
(fixtures/seed/, themselves the five source documents without their page
furniture), shuffled and recombined into answers and articles with headings,
lists and callouts. Nothing promotional is used (sponsored sections and the
sentences that introduced lost lists are left out).

It has to be fast: 10,000 pages in well under a minute. Wagtail's `add_child`
and `save_revision` cost tens of milliseconds per page (full_clean, the reading
level, search and reference-index signals), so this module writes the rows
itself, through public APIs only:

- the treebeard materialised paths are computed here from the public `Page.steplen`
  and `Page.alphabet` (after the parent's last child), and the base `wagtailcore_page`
  rows are inserted with `Page.objects.bulk_create`, which returns their ids on SQLite
  and PostgreSQL;
- the rows of the page type's own table (QuestionPage, ArticlePage, ...) are inserted
  with one parameterised INSERT run by `cursor.executemany`, its columns and values taken
  from the model's fields (`_meta.get_fields`, `Field.pre_save`, `Field.get_db_prep_save`:
  the same values `Model.save()` writes): `bulk_create` refuses multi-table inheritance;
- the parents' `numchild` is corrected once, the tags are bulk-created
  (HealthPageTag), reading grades are computed once per distinct text variant
  and shared by every page that uses that variant, and the new pages are added
  to the search index in chunks with the backend index's `add_items`, as
  `update_index` does.

Generated pages are live, have no revisions and are not in the reference index
(the admin's "usage" counts leave them out). Every generated page's slug starts
with `gen-`, so `--replace` can remove exactly them.
"""

import datetime
import html
import json
import math
import random
import re
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search.backends import get_search_backends
from wagtail.search.models import IndexEntry

# Every import of the project's own code, in one place, so that a module that moves is followed here alone.
from articles.guardrail import promotion_findings
from articles.models import (
    ArticleIndexPage,
    ArticlePage,
    HealthPageTag,
    QuestionIndexPage,
    QuestionPage,
    TopicIndexPage,
    TopicPage,
)
from articles.readability import reading_level
from discsite.core.caching import bump_content_version
from discsite.models import HomePage
from discsite.seed_files import load_seed
from experts.models import ExpertIndexPage, ExpertPage

GENERATED_PREFIX = "gen-"
SOURCE_NAME = "Generated sample content"
PAGES_PER_EXPERT = 50
PAGES_PER_TOPIC = 250
PAGES_PER_VARIANT = 40
MIN_VARIANTS, MAX_VARIANTS = 10, 150
SEARCH_CHUNK = 500
PK_CHUNK = 500


def settle_after_bulk_writes():
    """PostgreSQL: what autovacuum would do on a live site after the generator's bulk writes (a
    development server may run without it, as this machine's does). modelsearch writes each new index
    entry twice (the second time to set its title norm), so the search index's table holds as many dead
    row versions as live ones until they are vacuumed, and every index scan of it reads through them.
    VACUUM cannot run in a transaction: call it after `ContentGenerator.generate` has committed (inside
    one, as in a test, it leaves the tables as they are)."""
    if connection.vendor == "postgresql" and transaction.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


class GenerationError(Exception):
    """A reason the content cannot be generated, for bench/generate.py to show as it is."""


# --------------------------------------------------------------------------
# Words that are not in the seed: titles, names and topics


QUESTION_TEMPLATES = [
    "Can a herniated lumbar disc cause {symptom}?",
    "Why does a herniated disc cause {symptom}?",
    "How long does {symptom} last with a herniated disc?",
    "What can I do about {symptom} from a slipped disc?",
    "Is {symptom} a sign of a serious disc problem?",
    "Does {treatment} help a herniated lumbar disc?",
    "Is {treatment} safe for lumbar disc herniation?",
    "When is {treatment} recommended for a herniated disc?",
    "Can I keep {activity} with a herniated disc?",
    "Will {activity} make a herniated lumbar disc worse?",
    "How is a disc herniation at {level} treated?",
    "What does a herniated disc at {level} feel like?",
]
QUESTION_SUFFIXES = ["", "", "", " in older adults", " after pregnancy", " in office workers", " at night"]
SYMPTOMS = [
    "leg pain",
    "sciatica",
    "numbness in the foot",
    "lower back stiffness",
    "back muscle spasm",
    "weakness in one leg",
    "pain when sitting",
    "pain when coughing or sneezing",
    "tingling in the toes",
    "buttock pain",
]
TREATMENTS = [
    "massage",
    "physiotherapy",
    "bed rest",
    "pelvic traction",
    "acupuncture",
    "heat therapy",
    "a lumbar support belt",
    "an epidural steroid injection",
    "microdiscectomy",
    "core-strengthening exercise",
    "anti-inflammatory medicine",
]
ACTIVITIES = [
    "running",
    "lifting heavy things",
    "driving",
    "gardening",
    "swimming",
    "cycling",
    "doing yoga",
    "working at a desk",
]
LEVELS = ["L3-4", "L4-5", "L5-S1"]

ARTICLE_TEMPLATES = [
    "{subject}: what you need to know",
    "Understanding {subject_lower}",
    "A patient's guide to {subject_lower}",
    "{subject} and a herniated lumbar disc",
    "Living with {subject_lower}",
    "Questions to ask your doctor about {subject_lower}",
    "{subject}: causes, symptoms and treatment",
]
ARTICLE_SUBJECTS = [
    "Sciatica",
    "Nerve root compression",
    "MRI scans for back pain",
    "Conservative treatment",
    "Returning to work",
    "Sleep and back pain",
    "Disc degeneration",
    "Cauda equina syndrome",
    "Core exercises",
    "Pain medicines",
    "Physical therapy",
    "Spinal surgery",
    "Recovery after discectomy",
    "Bulging and extruded discs",
    "Muscle spasms",
    "Leg numbness",
]

TOPIC_NAMES = [
    "Sciatica",
    "Back pain",
    "Exercise and movement",
    "Physiotherapy",
    "Pain relief",
    "Medicines",
    "Injections",
    "Imaging and MRI",
    "Nerve symptoms",
    "Recovery after surgery",
    "Work and daily life",
    "Sleep",
    "Sport and activity",
    "Pregnancy",
    "Older adults",
    "Posture",
    "Cauda equina syndrome",
    "Prevention",
    "Red flags",
    "Living with back pain",
    "Disc degeneration",
    "Traction",
    "Acupuncture",
    "Heat and cold therapy",
    "Bed rest",
    "Microdiscectomy",
    "Spinal fusion",
    "Bulging disc",
    "Extruded disc",
    "Sequestered disc",
    "Numbness and tingling",
    "Bladder and bowel symptoms",
    "Reflexes",
    "Electromyography",
    "CT scans",
    "Lumbar support",
    "Core strength",
    "Young adults",
    "Recurrence",
    "Second opinions",
]

FIRST_NAMES = [
    "Amelia", "Chen", "Priya", "Tomas", "Aisha", "Lars", "Mei", "Kofi", "Elena", "Ravi",
    "Sofia", "Hiroshi", "Grace", "Omar", "Ingrid", "Diego", "Hannah", "Jun", "Fatima", "Marek",
]  # fmt: skip
LAST_NAMES = [
    "Hart", "Li", "Nair", "Novak", "Bello", "Andersen", "Zhang", "Mensah", "Rossi", "Iyer",
    "Garcia", "Tanaka", "Okafor", "Haddad", "Berg", "Silva", "Weber", "Park", "Rahman", "Kowalski",
]  # fmt: skip
EXPERT_ROLES = [
    # (honorific, credentials, job title, department)
    ("Dr", "MD", "Consultant spinal surgeon", "Orthopedics"),
    ("Dr", "MD, PhD", "Consultant neurosurgeon", "Neurosurgery"),
    ("Dr", "MD", "Pain medicine specialist", "Pain medicine"),
    ("Dr", "MD", "Consultant radiologist", "Radiology"),
    ("Dr", "MBBS", "Rehabilitation physician", "Rehabilitation medicine"),
    ("Ms", "MSc, MCSP", "Clinical specialist physiotherapist", "Physiotherapy"),
    ("Mr", "BSc, MCSP", "Senior physiotherapist", "Physiotherapy"),
    ("Prof", "MD, FRCS", "Professor of spinal surgery", "Orthopedics"),
]
INSTITUTIONS = [
    "City General Hospital",
    "Riverside University Hospital",
    "Northfield Spine Centre",
    "St Anne's Hospital",
    "Lakeside Rehabilitation Clinic",
    "Central Orthopaedic Institute",
]


# --------------------------------------------------------------------------
# The text bank: sentences of the seed pages


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")
WARNING_WORDS = re.compile(r"\b(should|must|immediately|promptly|hospital|doctor|surgery|emergenc)", re.I)


@dataclass
class TextBank:
    sentences: list
    short_sentences: list
    warnings: list
    headings: list


def _plain(html_text):
    return " ".join(html.unescape(strip_tags(html_text)).split())


def _sentences(text):
    for sentence in SENTENCE_END.split(text):
        sentence = sentence.strip()
        # Sentences that introduced a list the source lost ("including:") say nothing on their own.
        if 40 <= len(sentence) <= 400 and sentence[-1] in ".!?" and "article" not in sentence.lower():
            yield sentence


def load_text_bank():
    """Every usable sentence and heading of the seed pages, promotional material left out."""
    seed = load_seed()
    sentences, headings = [], []
    for page in (*seed.questions, *seed.articles):
        texts = [page.fields.get("summary", "")]
        for block in page.body:
            if block["type"] == "paragraph":
                texts.append(_plain(block["value"]))
            elif block["type"] == "heading":
                headings.append(_plain(block["value"]["text"]))
            elif block["type"] == "callout" and block["value"]["kind"] in ("info", "warning", "urgent"):
                texts.append(_plain(block["value"]["text"]))
        for text in texts:
            sentences.extend(_sentences(text))
    sentences = list(dict.fromkeys(sentences))
    headings = list(dict.fromkeys(heading for heading in headings if heading))
    if len(sentences) < 20 or not headings:
        raise GenerationError("The seed pages have too little text to recombine (fixtures/seed/).")
    return TextBank(
        sentences=sentences,
        short_sentences=[sentence for sentence in sentences if len(sentence) <= 160] or sentences,
        warnings=[sentence for sentence in sentences if WARNING_WORDS.search(sentence)] or sentences,
        headings=headings,
    )


# --------------------------------------------------------------------------
# Text variants: a summary and a body, with their reading level computed once


@dataclass
class Variant:
    summary: str
    body: list  # raw StreamField data without block ids
    reading_grade: float | None
    reading_smog: float | None
    promotion_flags: list


def _paragraph(rng, bank, low, high):
    chosen = rng.sample(bank.sentences, rng.randint(low, high))
    return {"type": "paragraph", "value": f"<p>{html.escape(' '.join(chosen), quote=False)}</p>"}


def _heading(rng, bank, level="h2"):
    return {"type": "heading", "value": {"text": rng.choice(bank.headings), "level": level}}


def _list(rng, bank):
    items = rng.sample(bank.short_sentences, min(rng.randint(3, 5), len(bank.short_sentences)))
    style = rng.choice(["bulleted", "bulleted", "numbered"])
    return {
        "type": "list",
        "value": {"style": style, "items": [f"<p>{html.escape(item, quote=False)}</p>" for item in items]},
    }


def _callout(rng, bank):
    kind = rng.choice(["info", "warning"])
    pool = bank.warnings if kind == "warning" else bank.sentences
    text = " ".join(rng.sample(pool, min(rng.randint(1, 2), len(pool))))
    return {
        "type": "callout",
        "value": {"kind": kind, "title": "", "text": f"<p>{html.escape(text, quote=False)}</p>"},
    }


def question_body(rng, bank):
    blocks = [_paragraph(rng, bank, 3, 5)]
    if rng.random() < 0.6:
        blocks += [_heading(rng, bank), _paragraph(rng, bank, 2, 4)]
    if rng.random() < 0.5:
        blocks.append(_list(rng, bank))
    if rng.random() < 0.5:
        blocks.append(_callout(rng, bank))
    blocks.append(_paragraph(rng, bank, 2, 3))
    return blocks


def article_body(rng, bank):
    blocks = [_paragraph(rng, bank, 2, 4)]
    sections = rng.randint(3, 5)
    list_at, callout_at = rng.randrange(sections), rng.randrange(sections)
    for section in range(sections):
        blocks += [_heading(rng, bank), _paragraph(rng, bank, 2, 5)]
        if rng.random() < 0.4:
            blocks += [_heading(rng, bank, "h3"), _paragraph(rng, bank, 2, 3)]
        if section == list_at:
            blocks.append(_list(rng, bank))
        if section == callout_at:
            blocks.append(_callout(rng, bank))
    if rng.random() < 0.2:
        blocks.append({"type": "urgent_care", "value": None})
    return blocks


def make_variants(rng, bank, model, count):
    """`count` text variants for `model`, each with its reading level and guardrail findings computed once."""
    make_body = question_body if model is QuestionPage else article_body
    variants = []
    for _ in range(count):
        summary = " ".join(rng.sample(bank.sentences, rng.randint(2, 3)))
        body = make_body(rng, bank)
        # The reading level of the page text without its title: the title's few words barely move it,
        # and without it one computation serves every page that shares the variant.
        page = model(title="", summary=summary, body=body)
        text = "\n".join(part for part in (summary, *(_block_text(block) for block in body)) if part)
        grade, smog = reading_level(text)
        flags = promotion_findings(page, site_hosts=settings.ALLOWED_HOSTS)
        variants.append(Variant(summary, body, grade, smog, flags))
    return variants


def _block_text(block):
    """The same text as readability.block_text, from raw data (no StreamValue needed)."""
    value = block["value"]
    if block["type"] == "paragraph":
        return _plain(value)
    if block["type"] == "heading":
        return value["text"]
    if block["type"] == "list":
        return " ".join(_plain(item) for item in value["items"])
    if block["type"] == "callout":
        return " ".join(filter(None, [value["title"], _plain(value["text"])]))
    return ""


def _with_ids(blocks):
    return [{**block, "id": str(uuid.uuid4())} for block in blocks]


def question_title(rng):
    template = rng.choice(QUESTION_TEMPLATES)
    title = template.format(
        symptom=rng.choice(SYMPTOMS),
        treatment=rng.choice(TREATMENTS),
        activity=rng.choice(ACTIVITIES),
        level=rng.choice(LEVELS),
    )
    return title[:-1] + rng.choice(QUESTION_SUFFIXES) + "?"


def article_title(rng):
    subject = rng.choice(ARTICLE_SUBJECTS)
    return rng.choice(ARTICLE_TEMPLATES).format(subject=subject, subject_lower=subject.lower())


# --------------------------------------------------------------------------
# Writing pages in bulk


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Treebeard's converters between step numbers and path steps (`_int2str`, `_str2int`, `_get_path`)
# are private, so the two below do the same from its documented settings: every step of a path is
# a number written in base len(Page.alphabet) with Page.steplen digits ("0001", "000A", "0010").


def path_step(number):
    """The path step for child number `number` (1 for the first child) of a parent."""
    base, width = len(Page.alphabet), Page.steplen
    if not 0 <= number < base**width:
        raise GenerationError(f"A page can have at most {base**width - 1} children in its tree path.")
    step = ""
    for _ in range(width):
        number, digit = divmod(number, base)
        step = Page.alphabet[digit] + step
    return step


def step_number(step):
    """The number a path step stands for: path_step's inverse."""
    number = 0
    for character in step:
        number = number * len(Page.alphabet) + Page.alphabet.index(character)
    return number


def next_child_step(parent):
    """The step number of the parent's last child (0 if it has none)."""
    last = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).aggregate(last=Max("path"))[
        "last"
    ]
    return step_number(last[-Page.steplen :]) if last else 0


def own_table_fields(model):
    """The fields with a column in `model`'s own table: its link to Page and its own fields, not Page's."""
    return [
        candidate
        for candidate in model._meta.get_fields(include_parents=False)
        if candidate.concrete and not candidate.many_to_many and not getattr(candidate, "generated", False)
    ]


def insert_own_rows(model, pages):
    """Insert the rows of `model`'s own table for `pages`, whose Page rows already exist.

    `bulk_create` refuses multi-table inheritance, so this is one parameterised INSERT run once
    per page by `executemany`, with the values `Model.save()` would write: each field's
    `pre_save` (for an addition), then its `get_db_prep_save` for this database.
    """
    fields = own_table_fields(model)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column.column) for column in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # The table and column names come from the model's fields, quoted; every value is a parameter.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    rows = [
        [column.get_db_prep_save(column.pre_save(page, add=True), connection=connection) for column in fields]
        for page in pages
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def bulk_insert_pages(parent, pages):
    """Insert `pages` (unsaved instances of one specific page model) as live children of `parent`."""
    if not pages:
        return []
    model = type(pages[0])
    content_type = ContentType.objects.get_for_model(model)
    step = next_child_step(parent)
    depth = parent.depth + 1
    for offset, page in enumerate(pages, start=1):
        page.path = parent.path + path_step(step + offset)
        page.depth = depth
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.content_type = content_type
        page.locale_id = parent.locale_id
        page.translation_key = uuid.uuid4()
        page.draft_title = page.title
        page.live = True
        page.has_unpublished_changes = False
        page.latest_revision_created_at = page.last_published_at
    # The base rows: bulk_create on Page (not on the subclass) sets each instance's id.
    Page.objects.bulk_create(pages)
    for page in pages:
        page.page_ptr_id = page.id
    insert_own_rows(model, pages)
    return pages


def refresh_numchild(*parents):
    for parent in parents:
        count = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).count()
        Page.objects.filter(pk=parent.pk).update(numchild=count)
        parent.numchild = count


@contextmanager
def searchable_content_once_per_variant(model):
    """Extract each distinct StreamField text once while indexing `model`'s generated pages.

    Pages made from one text variant have the same body apart from block ids, and the
    index asks each page's StreamField for its text several times (title, body and
    autocomplete columns; more for PostgreSQL's fuzzy-search columns), parsing every
    rich-text block each time. Shadowing the method on the field instances (not the
    class) for the duration of the indexing makes that once per variant.
    """
    stream_fields = [f for f in model._meta.get_fields() if isinstance(f, StreamField)]
    memo = {}

    def once(stream_field):
        def get_searchable_content(value):
            key = (stream_field.name, json.dumps([(item["type"], item["value"]) for item in value.raw_data]))
            if key not in memo:
                memo[key] = type(stream_field).get_searchable_content(stream_field, value)
            return memo[key]

        return get_searchable_content

    for stream_field in stream_fields:
        stream_field.get_searchable_content = once(stream_field)
    try:
        yield
    finally:
        for stream_field in stream_fields:
            del stream_field.get_searchable_content


def index_pages(model, pks):
    """Add the pages to every search backend that keeps itself up to date, as update_index would."""
    with searchable_content_once_per_variant(model):
        for backend in get_search_backends(with_auto_update=True):
            index = backend.get_index_for_model(model)
            if index is None:
                continue
            for chunk in _chunks(list(pks), SEARCH_CHUNK):
                index.add_items(model, list(model.get_indexed_objects().filter(pk__in=chunk).order_by("pk")))


def add_pages(parent, pages):
    """Insert `pages` (of one model) under `parent`, count them there and add them to the search index."""
    bulk_insert_pages(parent, pages)
    refresh_numchild(parent)
    if pages:
        index_pages(type(pages[0]), [page.pk for page in pages])


# --------------------------------------------------------------------------
# The generator


@dataclass
class Report:
    questions: int = 0
    articles: int = 0
    experts: int = 0
    topics: int = 0
    tag_links: int = 0
    variants: int = 0
    deleted: int = 0
    timings: dict = field(default_factory=dict)

    @property
    def pages(self):
        return self.questions + self.articles


@dataclass
class Tree:
    home: Page
    questions: Page
    articles: Page
    topics: Page
    experts: Page


def find_tree():
    tree = Tree(
        home=HomePage.objects.first(),
        questions=QuestionIndexPage.objects.first(),
        articles=ArticleIndexPage.objects.first(),
        topics=TopicIndexPage.objects.first(),
        experts=ExpertIndexPage.objects.first(),
    )
    missing = [name for name, page in vars(tree).items() if page is None]
    if missing:
        raise GenerationError(
            f"The site has no {', '.join(missing)} page yet: run `python manage.py seed` first "
            "(generated content goes under the seeded home and section pages)."
        )
    return tree


def next_serial():
    """One more than the largest number ending a generated slug, so a second run adds fresh slugs."""
    numbers = [
        int(match.group(1))
        for slug in Page.objects.filter(slug__startswith=GENERATED_PREFIX).values_list("slug", flat=True).iterator()
        if (match := re.search(r"-(\d+)$", slug))
    ]
    return max(numbers, default=0) + 1


def generated_slug(title, serial):
    """gen-<the title's first words, at most 60 characters>-<serial>."""
    words = slugify(title)
    if len(words) > 60:
        words = words[:61].rsplit("-", 1)[0]
    return f"{GENERATED_PREFIX}{words}-{serial}"


class ContentGenerator:
    def __init__(self, pages, question_share=0.7, seed=None):
        if pages < 1:
            raise GenerationError("--pages must be at least 1.")
        if not 0 <= question_share <= 1:
            raise GenerationError("--question-share must be between 0 and 1.")
        self.pages = pages
        self.question_share = question_share
        self.seed = seed
        self.now = timezone.now()
        self.report = Report()

    def _time(self, name, started):
        self.report.timings[name] = time.monotonic() - started

    @transaction.atomic
    def replace(self):
        """Delete every previously generated page (slug prefix gen-), and the tags only they used."""
        started = time.monotonic()
        tree = find_tree()
        deleted = 0
        for parent in (tree.questions, tree.articles, tree.topics, tree.experts):
            generated = Page.objects.filter(
                path__startswith=parent.path, depth=parent.depth + 1, slug__startswith=GENERATED_PREFIX
            )
            pks = list(generated.values_list("pk", flat=True))
            deleted += len(pks)
            for chunk in _chunks(pks, PK_CHUNK):
                # Taken offline first: deleting a live page unpublishes it one by one, writing an
                # audit-log entry for each made-up page. The delete itself still sends the signals
                # that remove the pages from the search and reference indexes.
                Page.objects.filter(pk__in=chunk).update(live=False)
                Page.objects.filter(pk__in=chunk).delete()
            refresh_numchild(parent)
        Tag.objects.filter(
            slug__startswith=GENERATED_PREFIX, topic_page__isnull=True, articles_healthpagetag_items__isnull=True
        ).delete()
        self.report.deleted = deleted
        bump_content_version()
        self._time("delete", started)
        return deleted

    @transaction.atomic
    def generate(self):
        tree = find_tree()
        serial = next_serial()
        # Made-up text for benchmarks, not secrets: the standard generator, seeded for repeatable runs.
        rng = random.Random(f"{self.seed}-{serial}" if self.seed is not None else None)  # noqa: S311
        started = time.monotonic()
        bank = load_text_bank()

        question_count = round(self.pages * self.question_share)
        article_count = self.pages - question_count
        experts = self.create_experts(rng, tree.experts, max(2, math.ceil(self.pages / PAGES_PER_EXPERT)), serial)
        serial += len(experts)
        self.create_topics(rng, bank, tree.topics, max(3, min(len(TOPIC_NAMES), self.pages // PAGES_PER_TOPIC)))
        self._time("experts and topics", started)

        started = time.monotonic()
        variants = {
            model: make_variants(
                rng, bank, model, max(MIN_VARIANTS, min(MAX_VARIANTS, math.ceil(count / PAGES_PER_VARIANT)))
            )
            for model, count in ((QuestionPage, question_count), (ArticlePage, article_count))
            if count
        }
        self.report.variants = sum(len(items) for items in variants.values())
        self._time("text variants and reading levels", started)

        started = time.monotonic()
        author_ids = list(ExpertPage.objects.live().values_list("pk", flat=True))
        tag_ids = list(TopicPage.objects.live().values_list("tag_id", flat=True))
        questions = [
            self.health_page(rng, QuestionPage, question_title(rng), serial + n, variants, author_ids)
            for n in range(question_count)
        ]
        serial += question_count
        articles = [
            self.health_page(rng, ArticlePage, article_title(rng), serial + n, variants, author_ids)
            for n in range(article_count)
        ]
        bulk_insert_pages(tree.questions, questions)
        bulk_insert_pages(tree.articles, articles)
        refresh_numchild(tree.questions, tree.articles)
        links = [
            HealthPageTag(content_object_id=page.pk, tag_id=tag_id)
            for page in (*questions, *articles)
            for tag_id in rng.sample(tag_ids, min(len(tag_ids), rng.choice((1, 1, 2, 2, 3))))
        ]
        HealthPageTag.objects.bulk_create(links, batch_size=2000)
        self.report.questions, self.report.articles, self.report.tag_links = len(questions), len(articles), len(links)
        self._time("pages", started)

        started = time.monotonic()
        index_pages(QuestionPage, [page.pk for page in questions])
        index_pages(ArticlePage, [page.pk for page in articles])
        # Rows written in bulk send no signals, so nothing told the caches: retire what they hold.
        bump_content_version()
        if connection.vendor == "postgresql":
            # Fresh statistics, or PostgreSQL plans searches and listings for an empty table. And the
            # rows just written merged into the search index's GIN indexes: until then they wait in
            # each index's pending list, which every search reads through from start to end, as it
            # would until autovacuum merged them on a live site.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
                cursor.execute(
                    "SELECT gin_clean_pending_list(ind.indexrelid) FROM pg_index ind"
                    " JOIN pg_class rel ON rel.oid = ind.indexrelid JOIN pg_am am ON am.oid = rel.relam"
                    " WHERE ind.indrelid = %s::regclass AND am.amname = 'gin'",
                    [IndexEntry._meta.db_table],
                )
        self._time("search index", started)
        return self.report

    def published_dates(self, rng):
        """First and last published within the last two years, the last no earlier than the first."""
        first = self.now - datetime.timedelta(seconds=rng.uniform(0, 730 * 86400))
        if rng.random() < 0.5:
            return first, first
        return first, first + (self.now - first) * rng.random()

    def review_record(self, rng, first_published, author_id, reviewer_ids):
        """Most pages reviewed and current; some overdue (only pages old enough to be); some never reviewed."""
        today = self.now.date()
        first = first_published.date()
        roll = rng.random()
        reviewers = [pk for pk in reviewer_ids if pk != author_id] or reviewer_ids
        if roll < 0.15:
            return None, None, None
        year = datetime.timedelta(days=365)
        if roll < 0.45 and (today - first).days > 400:
            # Overdue: reviewed more than a year ago, so the next review date has passed.
            reviewed = first + datetime.timedelta(days=rng.randint(0, (today - first).days - 366))
        else:
            earliest = max(first, today - datetime.timedelta(days=364))
            reviewed = earliest + datetime.timedelta(days=rng.randint(0, (today - earliest).days))
        return reviewed, rng.choice(reviewers), reviewed + year

    def health_page(self, rng, model, title, serial, variants, author_ids):
        variant = rng.choice(variants[model])
        first, last = self.published_dates(rng)
        author_id = rng.choice(author_ids) if model is QuestionPage or rng.random() < 0.7 else None
        reviewed_on, reviewed_by_id, next_due = self.review_record(rng, first, author_id, author_ids)
        return model(
            title=title,
            slug=generated_slug(title, serial),
            first_published_at=first,
            last_published_at=last,
            summary=variant.summary,
            body=_with_ids(variant.body),
            author_id=author_id,
            source_name=SOURCE_NAME,
            last_reviewed_on=reviewed_on,
            reviewed_by_id=reviewed_by_id,
            next_review_due=next_due,
            reading_grade=variant.reading_grade,
            reading_smog=variant.reading_smog,
            promotion_flags=variant.promotion_flags,
        )

    def create_experts(self, rng, parent, count, serial):
        started = self.now - datetime.timedelta(days=730)
        experts = []
        for n in range(count):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            honorific, credentials, job_title, department = rng.choice(EXPERT_ROLES)
            institution = rng.choice(INSTITUTIONS)
            bio = (
                f"<p>{name} is a {job_title.lower()} at {institution}, in the {department.lower()} department, "
                f"and sees people with back and leg pain caused by a herniated lumbar disc.</p>"
            )
            experts.append(
                ExpertPage(
                    title=name,
                    slug=generated_slug(name, serial + n),
                    honorific=honorific,
                    credentials=credentials,
                    job_title=job_title,
                    department=department,
                    institution=institution,
                    bio=bio,
                    first_published_at=started,
                    last_published_at=started,
                )
            )
        add_pages(parent, experts)
        self.report.experts = len(experts)
        return experts

    def create_topics(self, rng, bank, parent, count):
        """A tag and a topic page for each of the first `count` topic names that has no topic page yet."""
        started = self.now - datetime.timedelta(days=730)
        topics = []
        for name in TOPIC_NAMES[:count]:
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is not None and TopicPage.objects.filter(tag=tag).exists():
                continue
            if tag is None:
                tag = Tag.objects.create(name=name, slug=f"{GENERATED_PREFIX}{slugify(name)}")
            topics.append(
                TopicPage(
                    title=name,
                    slug=f"{GENERATED_PREFIX}{slugify(name)}",
                    tag=tag,
                    intro=f"Answers and articles about {name.lower()} and a herniated lumbar disc.",
                    first_published_at=started,
                    last_published_at=started,
                )
            )
        add_pages(parent, topics)
        self.report.topics = len(topics)
        return topics
