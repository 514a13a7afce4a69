"""Listings: one page of a queryset, and the cards of pages of several types in one query.

A listing on a cache miss costs what it shows, not what the site holds: its page of ids comes from
an index in the listing's own order (the type's table joined to its base row, read backwards along
`first_published_at`), the count is a range of tree paths the path index answers, and the cards are
read for those ids alone, without the body that no card shows.
"""

import functools

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import SimpleLazyObject, cached_property
from wagtail.models import Page

from .caching import versioned_result

LISTING_PAGE_SIZE = 12


def paginate(request, queryset, per_page=LISTING_PAGE_SIZE):
    """One page of `queryset` for `?page=`.

    Django's `Paginator.get_page` already turns a missing or non-numeric value
    into the first page and an out-of-range one into the last page, which is
    exactly what a reader who mistypes a URL should get.
    """
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


class Counted:
    """Rows to page through whose count is known apart from them: `count` is a function, such as a
    count kept per content version, a query of the same rows the database answers faster, or a total
    already known (a search's, from its counts per type)."""

    def __init__(self, rows, count):
        self.rows = rows
        self.counter = count

    def count(self):  # a method: Django's Paginator asks for one
        return self.counter()

    def __getitem__(self, key):
        return self.rows[key]


class LazySlices:
    """Rows that are made (`make()`, a queryset) only when a slice of them is read, not when it is taken."""

    def __init__(self, make):
        self.make = make

    def __getitem__(self, key):
        return SimpleLazyObject(lambda: self.make()[key])


def paginate_cards(request, ordered, models, counted=None, count_key=None, per_page=LISTING_PAGE_SIZE):
    """One page of listing cards: `ordered` (a function that makes a queryset of the listed pages in the
    reader's order) is paginated as ids and live revisions, and the cards are loaded only as needed
    (ListingCards).

    The count, which the listing shows and its pagination needs, is the costliest part on a large site
    (every listed row is read): it is taken from `counted` when given (a function that makes a queryset of
    the same pages, filtered so that the database counts them faster) and, with a `count_key` naming the
    listing, kept per content version.
    So is each page of ids, as a search's shown page is: finding one can cost the database far more than
    the rows it gives (a topic's page of twelve is found by walking hundreds of pages newest first, or by
    sorting every page with the tag), and every change to what a listing holds moves the version on.
    Then `ordered` is made only for what is not kept (building a filtered queryset costs about as much
    as reading a kept page).
    """
    queryset = functools.cache(ordered)
    rows = LazySlices(lambda: queryset().values_list("pk", "live_revision_id"))

    def count_rows():
        return (counted or queryset)().count()

    count = (
        count_rows
        if count_key is None
        else functools.partial(versioned_result, f"listing-count:{count_key}", count_rows)
    )
    listing = paginate(request, Counted(rows, count), per_page)
    identities = listing.object_list
    if count_key is not None:
        key = f"listing-page:{count_key}:{per_page}:{listing.number}"
        identities = versioned_result(key, lambda: list(listing.object_list))
    listing.object_list = ListingCards(list(identities), models)
    return listing


class ListingCards:
    """One page of a listing's cards. The listing's own query gives each page's id and live revision,
    `identities` (what `BasePage.revision_identity` names, by which a rendered card is kept); the pages
    themselves are read, in one query, only for the cards that must be rendered (`load`), or all of
    them when the listing is iterated."""

    def __init__(self, identities, models):
        self.identities = identities
        self.models = models

    def load(self, pks):
        return load_listing_cards(pks, self.models, for_cards=True)

    @cached_property
    def pages(self):
        return self.load([pk for pk, *_ in self.identities])

    def __len__(self):
        return len(self.identities)

    def __iter__(self):
        return iter(self.pages)

    def __getitem__(self, index):
        return self.pages[index]


def children_of(parent):
    """A filter for the children of `parent`: their tree paths are `parent`'s followed by one step,
    so they lie in a range the unique index on the path answers. (Wagtail's `child_of` is `LIKE
    'path%'`, which SQLite answers only by reading every page: 5 ms at 10,000 pages, against 1 ms.)
    `alphabet` and `steplen` are the tree's documented settings (django-treebeard's MP_Node)."""
    low = parent.path + Page.alphabet[0] * Page.steplen
    high = parent.path + Page.alphabet[-1] * Page.steplen
    return Q(path__range=(low, high), depth=parent.depth + 1)


def load_listing_cards(pks, models, for_cards=False):
    """The specific pages for `pks`, in that order, in one query whatever their types.

    `models` are the page types the pages may be; each names what its listing card shows in
    `listing_joins` (relations of its own, such as its author), and what a card never shows in
    `card_deferred_fields` (its body), which `for_cards` leaves unread. `Page.specific()` costs a
    query per page type and cannot join those; joining from the base page row to each type's own
    table (the reverse one-to-one Django names after the model) can.
    """
    if not pks:
        return []
    names = [model._meta.model_name for model in models]
    joins = []
    deferred = []
    for model, name in zip(models, names, strict=True):
        joins += [f"{name}__{related}" for related in model.listing_joins] or [name]
        if for_cards:
            deferred += [f"{name}__{field}" for field in model.card_deferred_fields]
    found = {}
    # No ORDER BY: the order is `pks`, restored below (and Django compares an ordering with
    # every selected column, which costs more than the query itself with this many joins).
    for page in Page.objects.filter(pk__in=pks).select_related(*joins).defer(*deferred).order_by():
        for name in names:
            specific = getattr(page, name, None)  # absent types raise RelatedObjectDoesNotExist
            if specific is not None:
                found[page.pk] = specific
                break
    return [found[pk] for pk in pks if pk in found]
