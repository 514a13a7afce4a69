"""Listings: one page of a queryset, and the cards of pages of several types in one query."""

from django.core.paginator import Paginator
from wagtail.models import Page

LISTING_PAGE_SIZE = 12


def paginate(request, queryset, per_page=LISTING_PAGE_SIZE):
    """One page of `queryset` for `?page=`.

    Django's `Paginator.get_page` already turns a missing or non-numeric value
    into the first page and an out-of-range one into the last page, which is
    exactly what a reader who mistypes a URL should get.
    """
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def load_listing_cards(pks, models):
    """The specific pages for `pks`, in that order, in one query whatever their types.

    `models` are the page types the pages may be; each names what its listing card shows in
    `listing_joins` (relations of its own, such as its author). `Page.specific()` costs a query
    per page type and cannot join those; joining from the base page row to each type's own table
    (the reverse one-to-one Django names after the model) can.
    """
    if not pks:
        return []
    names = [model._meta.model_name for model in models]
    joins = []
    for model, name in zip(models, names, strict=True):
        joins += [f"{name}__{related}" for related in model.listing_joins] or [name]
    found = {}
    # No ORDER BY: the order is `pks`, restored below (and Django compares an ordering with
    # every selected column, which costs more than the query itself with this many joins).
    for page in Page.objects.filter(pk__in=pks).select_related(*joins).order_by():
        for name in names:
            specific = getattr(page, name, None)  # absent types raise RelatedObjectDoesNotExist
            if specific is not None:
                found[page.pk] = specific
                break
    return [found[pk] for pk in pks if pk in found]
