"""Site search: the reader's query made safe, widened with synonyms, and turned into a results page.

The query never reaches the database as text the search engine parses. It is cut
into words (runs of letters and digits), and the words are handed to Wagtail's
query classes (`PlainText`, `And`, `Or`), which quote every word themselves on both
PostgreSQL (`to_tsquery`) and SQLite (FTS5 `MATCH`). Quotes, `*`, `:`, `NEAR(`,
`AND`/`OR`/`NOT` and the like are either dropped or searched for as plain words.

Synonyms (`SearchSynonym`, edited as a snippet) widen the query: where the reader's
words contain a term or one of its alternatives, that part of the query matches any
of them. "slipped disc pain" becomes
`(slipped AND disc) OR (herniated AND disc) OR (ruptured AND disc) ...` AND `pain`.
Each phrase is searched as all of its words rather than as an exact phrase: our
pages say "herniated lumbar disc" and "disc herniation" at least as often as
"herniated disc", and PostgreSQL's stemming then matches them all. SQLite's FTS5 does
not stem, so the seeded synonyms list "disc herniation" too, and a lone word also
matches its plural or singular ("disc", "discs").
"""

import importlib
import logging
import re
import unicodedata
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Page
from wagtail.search.query import And, Or, PlainText
from wagtail.search.utils import normalise_query_string

from articles.models import ArticlePage, QuestionPage, TopicPage
from discsite.core.caching import digest, public_pages, versioned, versioned_result
from discsite.core.listing import Counted, ListingCards, load_listing_cards, paginate
from discsite.core.text import words
from discsite.models import SearchSynonym
from discsite.search_backend import ranked_search
from experts.models import ExpertPage

logger = logging.getLogger(__name__)


def _backend_errors():
    """What a failing search backend raises: database errors, and the search cluster's when one is configured."""
    errors = [DatabaseError]
    for module, name in (
        ("opensearchpy.exceptions", "OpenSearchException"),
        ("elasticsearch", "ApiError"),
        ("elastic_transport", "TransportError"),
    ):
        try:
            errors.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(errors)


BACKEND_ERRORS = _backend_errors()

MAX_QUERY_LENGTH = 200
SNIPPET_WORDS = 30
# Words too common to narrow a search. PostgreSQL's English configuration ignores them
# anyway; SQLite's FTS5 does not, so without this list "what is a slipped disc" would
# only find pages containing "what", "is" and "a".
# fmt: off
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "do", "does", "for", "from", "had",
    "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or",
    "our", "should", "so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "to", "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you",
    "your",
})
# fmt: on


@dataclass(frozen=True)
class SearchType:
    slug: str
    label: str  # one result, e.g. "Expert answer"
    plural: str  # the filter, e.g. "Expert answers"
    model: type


SEARCH_TYPES = {
    search_type.slug: search_type
    for search_type in (
        SearchType("answer", "Expert answer", "Expert answers", QuestionPage),
        SearchType("article", "Article", "Articles", ArticlePage),
        SearchType("expert", "Expert", "Experts", ExpertPage),
        SearchType("topic", "Topic", "Topics", TopicPage),
    )
}


# ---------------------------------------------------------------- the query


def clean_query(value):
    """The reader's query as one line of plain text, and whether it had to be shortened.

    Control characters (NUL included) become spaces, invisible format characters go,
    runs of white space become one space, and the result is cut at MAX_QUERY_LENGTH.
    """
    text = unicodedata.normalize("NFKC", str(value or ""))
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        kept.append(" " if category[0] in "CZ" else char)
    text = " ".join("".join(kept).split())
    if len(text) <= MAX_QUERY_LENGTH:
        return text, False
    return text[:MAX_QUERY_LENGTH].rstrip(), True


def fold(word):
    """A crude singular, so that 'discs' finds the synonym 'disc' (SQLite FTS5 does not stem)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _singular_or_plural(word):
    """'disc' -> 'discs', 'discs' -> 'disc': a lone word also finds its other number where FTS5 cannot stem."""
    if not word.isalpha() or len(word) < 3:
        return ""
    return fold(word) if fold(word) != word else f"{word}s"


def _key(phrase):
    return tuple(fold(word) for word in phrase)


def synonym_groups(synonyms):
    """Each phrase (its folded words) -> every phrase that means the same, as word tuples.

    A phrase in several rows means what all of those rows say.
    """
    groups = {}
    for synonym in synonyms:
        phrases = [tuple(words(phrase)) for phrase in (synonym.term, *synonym.alternative_list)]
        phrases = [phrase for phrase in dict.fromkeys(phrases) if phrase]
        for phrase in phrases:
            groups.setdefault(_key(phrase), {}).update(dict.fromkeys(phrases))
    return {key: list(phrases) for key, phrases in groups.items()}


@dataclass
class ExpandedQuery:
    """What is searched for: one slot per part of the reader's query, each a list of phrases (word tuples).

    A slot matches a page if any of its phrases does (every word of it); the page must match every slot.
    """

    slots: list = field(default_factory=list)

    @property
    def search_query(self):
        """The query for Wagtail's search backend, or None if nothing is left to search for."""
        parts = []
        for phrases in self.slots:
            alternatives = [PlainText(" ".join(phrase), operator="and") for phrase in phrases]
            if len(phrases) == 1 and len(phrases[0]) == 1 and (other := _singular_or_plural(phrases[0][0])):
                alternatives.append(PlainText(other))
            parts.append(alternatives[0] if len(alternatives) == 1 else Or(alternatives))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(parts)

    @property
    def terms(self):
        """Every word searched for, to highlight in the results: the reader's and their synonyms'."""
        found = (word for phrases in self.slots for phrase in phrases for word in phrase)
        found = (form for word in found if word not in STOP_WORDS for form in (word, fold(word)))
        return list(dict.fromkeys(found))

    @property
    def synonyms(self):
        """The phrases searched for besides the reader's own words, to tell the reader."""
        return [" ".join(phrase) for phrases in self.slots if len(phrases) > 1 for phrase in phrases[1:]]


def expand(query, synonyms):
    """Cut `query` into slots: synonym phrases (longest first, left to right) and single words.

    Stop words are dropped unless they belong to a synonym phrase, and so are repeats
    ("disc disc disc" asks no more than "disc").
    """
    tokens = words(query)
    groups = synonym_groups(synonyms)
    longest = max((len(key) for key in groups), default=0)
    slots = []
    index = 0
    while index < len(tokens):
        for size in range(min(longest, len(tokens) - index), 0, -1):
            own = tuple(tokens[index : index + size])
            if _key(own) in groups:
                others = [phrase for phrase in groups[_key(own)] if _key(phrase) != _key(own)]
                slots.append([own, *others])
                index += size
                break
        else:
            word = tokens[index]
            index += 1
            if word not in STOP_WORDS:
                slots.append([(word,)])
    unique = []
    for slot in slots:
        if slot not in unique:
            unique.append(slot)
    return ExpandedQuery(unique)


# ---------------------------------------------------------------- snippets


def highlight(text, query):
    """Escape `text` and wrap each word of the search `query` it contains in <mark>.

    `query` is the reader's query or a list of words and phrases (the query and its synonyms).
    """
    escaped = escape(text or "")
    if isinstance(query, list | tuple | set | frozenset):
        query = " ".join(str(item) for item in query)
    terms = sorted({term for term in str(query or "").split() if len(term) > 1}, key=len, reverse=True)
    if not terms:
        return mark_safe(escaped)  # noqa: S308
    words = "|".join(re.escape(escape(term)) for term in terms)
    # Whole words, allowing a short ending: "disc" marks "discs" but not "discomfort".
    pattern = re.compile(r"(&[#\w]+;)|\b((?:" + words + r")\w{0,2})\b", re.IGNORECASE)
    marked = pattern.sub(lambda match: match.group(1) or f"<mark>{match.group(2)}</mark>", escaped)
    return mark_safe(marked)  # noqa: S308


def _match_pattern(terms):
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True) if len(term) > 1)
    # As the highlight filter marks them: whole words, allowing a short ending.
    return re.compile(r"\b(?:" + alternatives + r")\w{0,2}\b", re.IGNORECASE) if alternatives else None


def snippet(text, terms, length=SNIPPET_WORDS):
    """About `length` words of `text` around the first one that matches `terms`, escaped, matches marked.

    Without a match (the page matched on its title, tags or author), the text's beginning.
    """
    tokens = str(text or "").split()
    if not tokens:
        return ""
    pattern = _match_pattern(terms)
    first = next((i for i, token in enumerate(tokens) if pattern and pattern.search(token)), 0)
    start = max(0, min(first - length // 3, len(tokens) - length))
    window = " ".join(tokens[start : start + length])
    before = "… " if start > 0 else ""
    after = " …" if start + length < len(tokens) else ""
    return mark_safe(f"{before}{highlight(window, terms)}{after}")  # noqa: S308 (highlight escapes)


def page_text(page):
    """The text a result's snippet is cut from, most telling first: as the page's type says
    (`search_text`; for answers and articles, the summary and the body's prose, read without a query)."""
    return page.search_text()


# ---------------------------------------------------------------- the results page


@dataclass
class Hit:
    page: Page
    type: SearchType
    snippet: str

    @property
    def pk(self):
        return self.page.pk


class Hits(ListingCards):
    """The page of results shown, read by the `cards` template tag as a listing's cards are: each hit's
    identity (its page's id, live revision and content type), and the hits themselves loaded, in one
    query, only for the results whose rendered card is not kept."""

    def __init__(self, identities, snippets):
        super().__init__(identities, models=None)
        self.snippets = snippets

    def load(self, pks):
        wanted = set(pks)
        keys = [(pk, content_type) for pk, _revision, content_type in self.identities if pk in wanted]
        return [
            Hit(page=page, type=_search_type(page), snippet=self.snippets.get(page.pk, ""))
            for page in load_specific(keys, for_cards=True)
        ]


class OnePage:
    """The keys of the one page of results shown, starting at `offset` in the ranking, standing in for the
    whole ranking when it is paginated again (only that page's slice is ever read)."""

    def __init__(self, offset, keys):
        self.offset = offset
        self.keys = keys

    def __getitem__(self, key):
        if isinstance(key, slice) and key.start == self.offset:
            return self.keys
        return []


def load_specific(keys, for_cards=False):
    """The specific page for each of `keys` ((primary key, content type id) pairs), in order, in one query.

    Health pages come with their author and reviewer joined in; a topic with its tag. Only the
    types among `keys` are joined: each costs the database several joins to plan. `for_cards`: without
    the bodies (when the snippets are already cut).
    """
    present = {kind for _pk, kind in keys}
    types = [kind.model for kind in SEARCH_TYPES.values() if _content_type_id(kind.model) in present]
    return load_listing_cards([pk for pk, _kind in keys], types, for_cards=for_cards)


def promotions_by_query_string():
    """Every promotion that can be shown, by its query string: those of live pages only.

    A promotion carries no words of its own to readers: it shows the promoted page's own title
    and description, which went live with the page (through clinical review, for the types that
    have one). The editor's free-text description and external links are never shown, so a
    promotion cannot put advice before readers that no clinician approved.

    All of them, kept under the content version (which every promotion edit, publish and unpublish
    moves on), rather than a query per search: editors promote a handful of pages per query.
    """
    promotions = (
        SearchPromotion.objects.filter(page__live=True).select_related("page", "query").order_by("sort_order", "pk")
    )
    grouped = {}
    for promotion in promotions:
        promotion.page = promotion.page.specific
        describe = getattr(promotion.page, "get_meta_description", None)
        promotion.page_description = describe() if describe else ""
        grouped.setdefault(promotion.query.query_string, []).append(promotion)
    return grouped


def _content_type_id(model):
    return ContentType.objects.get_for_model(model).pk  # cached by Django after the first call


def _search_type(page):
    return next(search_type for search_type in SEARCH_TYPES.values() if type(page) is search_type.model)


class SiteSearch:
    """One reader's search: `?q=` (the words), `?type=` (one of SEARCH_TYPES) and `?page=`.

    Reads only: nothing is written on a reader's request, not even Wagtail's
    search-promotions hit counter (`Query.get()` creates rows and `add_hit()` counts
    them), which the site's performance budget forbids on a GET.
    """

    def __init__(self, request):
        self.request = request
        self.query, self.truncated = clean_query(request.GET.get("q", ""))
        requested_type = request.GET.get("type", "")
        self.type = requested_type if requested_type in SEARCH_TYPES else ""
        self.failed = False

    @cached_property
    def expanded(self):
        if not self.query:
            return ExpandedQuery()
        return expand(self.query, versioned("search-synonyms", lambda: list(SearchSynonym.objects.all())))

    def pages(self):
        """Every page the search may return: live, public, of the four types."""
        return public_pages(Page.objects.live().type(*(search_type.model for search_type in SEARCH_TYPES.values())))

    def run(self):
        """Counts per type, one page of hits and the editors' promotions, or nothing if the backend fails."""
        self.counts = dict.fromkeys(SEARCH_TYPES, 0)
        self.more_than = None
        self.results = None
        self.promotions = []
        search_query = self.expanded.search_query
        if search_query is None:
            return self
        try:
            # A savepoint, so a backend error cannot break the rest of the request's transaction.
            # (Only inside a transaction: outside one, a failed query leaves nothing to roll back.)
            # On PostgreSQL the search runs in a transaction of its own, with the planner told to use the
            # full-text index (discsite/search_index.py), then rolled back: it wrote nothing,
            # and the rollback undoes the planner setting for whatever follows.
            on_postgres = connection.vendor == "postgresql"
            with transaction.atomic() if connection.in_atomic_block or on_postgres else nullcontext():
                if on_postgres:
                    # The settings last until the end of this transaction (`is_local`). No parallel workers
                    # either: starting them costs more than they save on a search of this size, and under
                    # load they take the cores the other requests need. And a plan made for this query's
                    # words, every time: a prepared statement's generic plan (settings/base.py) cannot
                    # know how many pages they match, and a search costs little to plan.
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT set_config('enable_seqscan', 'off', true),"
                            " set_config('max_parallel_workers_per_gather', '0', true),"
                            " set_config('plan_cache_mode', 'force_custom_plan', true)"
                        )
                self._search(search_query)
                if on_postgres:
                    transaction.set_rollback(True)
        except BACKEND_ERRORS:
            logger.exception("Site search failed for %r", self.query)
            self.failed = True
            self.counts = dict.fromkeys(SEARCH_TYPES, 0)
            self.more_than = None
            self.results = None
        return self

    def _search(self, search_query):
        # What the ranking found for this query, type and page of results (the counts per type, the
        # shown page's keys and their snippets) is kept per content version: ranking scores every
        # match, thousands for an everyday word, and only a change readers could see changes it.
        page_number = self.request.GET.get("page", "")
        key = f"search:{digest(self.query, self.type, page_number)}"
        outcome = versioned_result(key, lambda: self._rank(search_query))
        self.counts = outcome["counts"]
        self.more_than = outcome["more_than"]
        shown = OnePage(outcome["offset"], outcome["keys"])
        results = paginate(self.request, Counted(shown, lambda: outcome["listed"]))
        results.object_list = Hits(outcome["identities"], outcome["snippets"])
        self.results = results
        if results.number == 1:
            self.promotions = self._promotions()

    def _rank(self, search_query):
        pages = self.pages()
        # The public search's own ranking (discsite/search_backend.py), not Wagtail's search as the admin
        # uses it: one pass over the matches counts every type and lists the chosen one.
        found = ranked_search(search_query, pages, of_type=SEARCH_TYPES[self.type].model if self.type else None)
        by_content_type = found.facet("content_type_id")
        # Past `more_than` matches the search stops counting (discsite/search_index.py): a type it did not
        # count has no count (None), and the results listed are the best of a first pass, not every match.
        uncounted = None if found.more_than else 0
        counts = {
            slug: by_content_type.get(_content_type_id(search_type.model), uncounted)
            for slug, search_type in SEARCH_TYPES.items()
        }
        # Paged by key: the one page of results shown is then loaded whole, in one query.
        results = paginate(self.request, Counted(found.keys, found.count))
        shown = load_specific(list(results.object_list))
        terms = self.expanded.terms
        return {
            "counts": counts,
            "more_than": found.more_than,
            "listed": results.paginator.count,
            "offset": results.start_index() - 1 if shown else 0,
            "keys": [(page.pk, page.content_type_id) for page in shown],
            "identities": [(page.pk, page.live_revision_id, page.content_type_id) for page in shown],
            "snippets": {page.pk: snippet(page_text(page), terms) for page in shown},
        }

    def _promotions(self):
        """The editors' promoted results for the query (or, for a whole-query synonym, for any of its phrases)."""
        query_strings = {normalise_query_string(self.query), " ".join(words(self.query))}
        if len(self.expanded.slots) == 1:
            query_strings.update(" ".join(phrase) for phrase in self.expanded.slots[0])
        by_query_string = versioned("search-promotions", promotions_by_query_string)
        promotions = sorted(
            (promotion for query_string in query_strings for promotion in by_query_string.get(query_string, ())),
            key=lambda promotion: (promotion.sort_order, promotion.pk),
        )
        seen, unique = set(), []
        for promotion in promotions:
            key = promotion.page_id
            if key not in seen:
                seen.add(key)
                unique.append(promotion)
        return unique

    @property
    def total(self):
        """How many results there are of every type, or None if some type was not counted."""
        counts = self.counts.values()
        return None if None in counts else sum(counts)

    @property
    def type_links(self):
        """The type filters, each with its count (None if not counted) and whether it is the current one
        ('All' first)."""
        links = [{"slug": "", "label": "All results", "count": self.total, "current": not self.type}]
        links += [
            {"slug": slug, "label": search_type.plural, "count": self.counts[slug], "current": slug == self.type}
            for slug, search_type in SEARCH_TYPES.items()
        ]
        return links

    def context(self):
        return {
            "search_query": self.query,
            "search_truncated": self.truncated,
            "search_max_length": MAX_QUERY_LENGTH,
            "search_type": self.type,
            "search_type_label": SEARCH_TYPES[self.type].plural if self.type else "",
            "search_failed": self.failed,
            "search_terms": self.expanded.terms,
            "search_synonyms": self.expanded.synonyms,
            "search_searched": self.expanded.search_query is not None,
            "results": self.results,
            "result_count": self.counts[self.type] if self.type else self.total,  # None: more than result_more_than
            "result_more_than": self.more_than,
            "type_links": self.type_links,
            "promotions": self.promotions,
        }
