"""The read-only public API: Wagtail's API v2 at /api/v2/ (pages, images, documents).

- Only what an anonymous reader may see: live, public pages (Wagtail's pages endpoint
  starts from `get_public_pages_queryset`, so a draft is not listed, found by `?id=`,
  searched or served by id), and the images and documents that such a live page shows
  (discsite/media_access.py): an upload for a draft, or for no page at all, is neither listed
  nor found by id. Images have no `download_url`: their original files are not served to
  readers (pages show renditions; docs/deploy.md), so it would be a dead link.
- Only GET (and HEAD/OPTIONS): no endpoint writes, and no credentials are accepted, so
  the API cannot be used to try passwords or to see more as a logged-in user.
- Kept by the page cache like every page (JSON only, the same for every reader), and on a
  miss, fast: a listing's items are kept one by one, per live revision of their page, as listing
  cards are (core.listing), and for the items not kept it fetches the authors, reviewers, tags,
  topic tags, photos, audio and locales its requested fields show in one query each, however many
  items it has.
"""

import copy

from django.core.cache import cache
from django.db.models import QuerySet, prefetch_related_objects
from django.http import JsonResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from wagtail.api.v2.filters import FieldsFilter, SearchFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import DetailUrlField, PageHtmlUrlField, PageSerializer
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.serializers import DocumentSerializer
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.serializers import ImageSerializer
from wagtail.images.api.v2.views import ImagesAPIViewSet

from articles.serializers import TagNamesField
from discsite import media_access
from discsite.core.caching import (
    EVERY_QUERY_PARAMETER,
    PAGE_CACHE_TIMEOUT,
    cacheable,
    digest,
    fragment_cache_enabled,
    structure_key,
    versioned_result,
)
from discsite.core.listing import Counted
from discsite.core.text import words
from discsite.search import clean_query
from discsite.sitemaps import PageAddresses

# Fields that read another table, prefetched for a whole listing page when they are requested
# (`locale` and `alias_of` are Wagtail's own, shown with `fields=*`).
RELATED_FIELDS = ("author", "reviewed_by", "tags", "tag", "photo", "audio", "locale", "alias_of")


# Parameters that choose which slice of a listing is shown, or which fields: not what is counted.
NOT_FILTERS = {"offset", "limit", "fields"}


class BoundedPagination(WagtailPagination):
    """Wagtail's `?limit=` and `?offset=`; an offset past the end is an empty page.

    Wagtail slices the queryset at any offset, and one beyond a 64-bit integer is a server
    error in the database driver (SQLite cannot bind it) rather than an empty answer.
    """

    def paginate_queryset(self, queryset, request, view=None):
        # The total is kept per content version for the listing's filters (counting every matching
        # page is most of a listing's cost on a large site); which slice is shown does not change it.
        filters = sorted((name, value) for name, value in request.GET.items() if name not in NOT_FILTERS)
        key = f"api-count:{digest(request.get_host(), request.path, filters)}"
        counted = Counted(queryset, lambda: versioned_result(key, queryset.count))
        page = super().paginate_queryset(counted, request, view)  # validates offset and limit
        if int(request.GET.get("offset", 0)) >= self.total_count:
            return []
        return page


class ReadOnlyAnonymousMixin:
    http_method_names = ["get", "head", "options"]
    authentication_classes = []
    permission_classes = [AllowAny]
    pagination_class = BoundedPagination
    # JSON for every client. (Wagtail adds DRF's browsable HTML for browsers that ask for HTML: one
    # address would then have two answers, and the page cache keeps one answer per address.)
    renderer_classes = [JSONRenderer]

    @classmethod
    def as_view(cls, *args, **kwargs):
        # The same for every reader (no credentials are accepted), so the page cache keeps it, under
        # the content version like every page; keyed by its whole query: Wagtail refuses a parameter
        # it does not know (400, never kept), so no ?utm_source=... makes an entry of its own.
        return cacheable(super().as_view(*args, **kwargs), query_parameters=EVERY_QUERY_PARAMETER)

    def initial(self, request, *args, **kwargs):
        # PostgreSQL text cannot hold NUL, so a filter such as `?locale=` or `?html_path=` with one
        # would be a server error there; no real query has one.
        if any("\x00" in item for pair in request.GET.lists() for item in (pair[0], *pair[1])):
            raise BadRequestError("query parameters cannot contain NUL characters")
        super().initial(request, *args, **kwargs)


class HealthTagsFieldsFilter(FieldsFilter):
    """Wagtail's field filters (`?slug=`, `?author=` ...), with `?tags=a,b` through the shared tag table.

    Health pages keep their tags in one table keyed to `wagtailcore.Page`, so that a topic lists
    answers and articles together. Wagtail's own tag filter (`tags__name`) would join that table
    to the page type's own `id` column, which a page subclass does not have: a server error.
    """

    def filter_queryset(self, request, queryset, view):
        tags = request.GET.get("tags")
        if tags is None or "tags" not in view.get_available_fields(queryset.model):
            return super().filter_queryset(request, queryset, view)
        for name in filter(None, (tag.strip() for tag in tags.split(","))):
            queryset = queryset.filter(health_tagged_items__tag__name__iexact=name)
        queryset = super().filter_queryset(_WithoutParameter(request, "tags"), queryset, view)
        # As Wagtail marks it: searching within a tag filter is refused, not silently wrong.
        queryset._filtered_by_tag = True
        return queryset


class _WithoutParameter:
    """A request as the field filters see it, less one query parameter that was handled already."""

    def __init__(self, request, name):
        self.GET = request.GET.copy()
        self.GET.pop(name, None)


# A longer search nests the database backend's query so deeply that compiling it overflows the stack.
MAX_API_SEARCH_WORDS = 32


class SafeSearchFilter(SearchFilter):
    """Wagtail's `?search=`, with the words made safe the way the site search makes them (discsite/search.py).

    Wagtail hands the raw text to the search backend, where white space alone, a NUL or a few
    thousand words are a server error, and so is a `search_operator` other than `and` or `or`.
    Here the text is cut to its words (letters and digits, at most MAX_API_SEARCH_WORDS), so
    nothing else reaches the backend; no words at all finds nothing, as an empty `?search=` does.
    """

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return super().filter_queryset(request, queryset, view)
        if request.GET.get("search_operator") not in (None, "and", "or"):
            raise BadRequestError("search_operator must be 'and' or 'or'")
        cleaned = request.GET.copy()
        cleaned["search"] = " ".join(words(clean_query(request.GET["search"])[0])[:MAX_API_SEARCH_WORDS])
        # An empty search (no words left) finds nothing: Wagtail's backends answer "" with no results.
        return super().filter_queryset(_WithGET(cleaned), queryset, view)


class _WithGET:
    """A request as a filter sees it, with other query parameters."""

    def __init__(self, GET):
        self.GET = GET


def once_per_response(context, key, make):
    """What `make()` gives, made once for the response a serializer `context` belongs to (Wagtail's
    view makes one context a response; the listing's items and nested serializers share it)."""
    if key not in context:
        context[key] = make()
    return context[key]


class AddressedHtmlUrlField(PageHtmlUrlField):
    """Wagtail's `html_url`, the page's `full_url`, from its url_path (PageAddresses.full_url): the
    sites' root paths read and the serve view reversed once a response, not once an item."""

    def to_representation(self, page):
        try:  # as Wagtail's: no address where the serve view is not routed
            addresses = once_per_response(self.context, "discsite:addresses", self.page_addresses)
            return addresses.full_url(page.url_path)
        except NoReverseMatch:
            return None

    def page_addresses(self):
        return PageAddresses(self.context["request"])


class KnownPrefixDetailUrlField(DetailUrlField):
    """Wagtail's `detail_url`, reversed once a response for each type rather than once an item.

    Wagtail routes an item's detail as `<int:pk>/` below its endpoint, so the addresses of a type's
    items differ only in that last segment: the first item's address (Wagtail's own) gives the rest.
    An address that does not end so is Wagtail's own for every item. (Pinned against Wagtail's own
    for every page by discsite/tests/test_listing_speed_sitemap_feed.py.)
    """

    def get_attribute(self, instance):
        prefixes = once_per_response(self.context, "discsite:detail-url-prefixes", dict)
        model = type(instance)
        prefix = prefixes.get(model)
        if prefix is not None:
            return f"{prefix}{instance.pk}/"
        url = super().get_attribute(instance)  # raises SkipField for a type without an endpoint
        if model not in prefixes:
            tail = f"/{instance.pk}/"
            prefixes[model] = url[: -len(tail) + 1] if url.endswith(tail) else None
        return url


class KeptItem:
    """A listing item's representation as it was kept (PublicPagesAPIViewSet.paginate_queryset)."""

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data


class PublicPageSerializer(PageSerializer):
    html_url = AddressedHtmlUrlField(read_only=True)
    detail_url = KnownPrefixDetailUrlField(read_only=True)

    def to_representation(self, instance):
        """A kept item as it was kept; any other as Wagtail represents it, kept if the listing names a key
        for it."""
        if isinstance(instance, KeptItem):
            return instance.data
        data = super().to_representation(instance)
        key = getattr(self.context.get("view"), "item_keys", {}).get(instance.pk)
        if key is not None:
            cache.set(key, data, PAGE_CACHE_TIMEOUT)
        return data

    def get_fields(self):
        """REST framework's fields for this class, worked out once and copied for each serializer (as it
        copies the declared ones): a model serializer works them out from the model's every field and
        relation each time, and a page has dozens. A class is made for one set of fields (Wagtail's
        `get_serializer_class`), so they are always the same."""
        made = type(self).__dict__.get("made_fields")
        if made is None:
            made = super().get_fields()
            type(self).made_fields = made
        return copy.deepcopy(made)


# Listings' serializer classes, by `?type=` and `?fields=`, the least recently used dropped first.
LISTING_SERIALIZERS = {}
MAX_LISTING_SERIALIZERS = 64


class PublicPagesAPIViewSet(ReadOnlyAnonymousMixin, PagesAPIViewSet):
    base_serializer_class = PublicPageSerializer
    filter_backends = [
        {FieldsFilter: HealthTagsFieldsFilter, SearchFilter: SafeSearchFilter}.get(backend, backend)
        for backend in PagesAPIViewSet.filter_backends
    ]

    @cached_property
    def public_pages(self):
        """Wagtail's live, public pages of the requested site, found once per request.

        Wagtail asks for them four times a listing (for the queryset, twice for the serializer
        class, and for the serializer's context), and each time reads every view restriction to
        leave out the pages they hide. A view instance serves one request, so it keeps them.
        """
        return super().get_base_queryset()

    def get_base_queryset(self):
        return self.public_pages.all()  # a fresh copy for each caller

    @cached_property
    def serializer_class_for_request(self):
        """Wagtail's serializer class for the request's fields (Wagtail makes a new class each time it
        is asked, and the listing asks twice). A listing's is kept for the next listing of the same
        fields of the same types: Wagtail makes it from those alone (`?type=`, `?fields=`), and the
        fields are worked out once a class (PublicPageSerializer.get_fields). A detail's type is that
        of the page it shows, which Wagtail reads with the class: it is made each time."""
        if self.action != "listing_view":
            return super().get_serializer_class()
        key = (self.request.GET.get("type"), self.request.GET.get("fields"))
        made = LISTING_SERIALIZERS.pop(key, None) or super().get_serializer_class()
        LISTING_SERIALIZERS[key] = made  # the most recently used last
        while len(LISTING_SERIALIZERS) > MAX_LISTING_SERIALIZERS:  # `?fields=` is the client's to write
            del LISTING_SERIALIZERS[next(iter(LISTING_SERIALIZERS))]
        return made

    def get_serializer_class(self):
        return self.serializer_class_for_request

    def paginate_queryset(self, queryset):
        """One page of the listing. Each item's representation is kept, as a listing card is, per live
        revision of its page and structure version (core.caching: what an item shows of other pages, its
        author, reviewer or tags, is structural), for the listing's address, type, fields and scheme
        (the item's URLs are absolute). So only the pages of items not kept are read, with the related
        rows their fields show. A search's results are not a queryset to read ids from: read in full."""
        page = super().paginate_queryset(queryset)
        if isinstance(page, QuerySet) and fragment_cache_enabled():
            request = self.request
            shape = (request.path, request.GET.get("type"), request.GET.get("fields"), request.scheme)
            identities = list(page.values_list("pk", "live_revision_id"))
            self.item_keys = {pk: structure_key("api-item", request, *shape, pk, rev) for pk, rev in identities}
            kept = cache.get_many(list(self.item_keys.values()))
            missing = [pk for pk, key in self.item_keys.items() if key not in kept]
            read = {item.pk: item for item in self.with_related(queryset.filter(pk__in=missing) if missing else [])}
            items = (
                KeptItem(kept[self.item_keys[pk]]) if self.item_keys[pk] in kept else read.get(pk)
                for pk, _ in identities
            )
            return [item for item in items if item is not None]  # (a page unpublished in between is left out)
        return self.with_related(page)

    def with_related(self, pages):
        """`pages` as a list, with the related rows their requested fields show, one query a field."""
        items = list(pages)
        fields = set(self.get_serializer_class().Meta.fields)
        lookups = [name for name in RELATED_FIELDS if name in fields]
        if items and lookups:
            prefetch_related_objects(items, *lookups)
        return items


class ShownByLivePagesMixin:
    """Only the images or documents a live page shows (one subquery in the listing's own query),
    with the tags of a whole listing page in one query (Wagtail's own tags field orders them in
    the database, so it would read them again for every item)."""

    def get_queryset(self):
        return media_access.shown_by_live_pages(super().get_queryset())

    def paginate_queryset(self, queryset):
        items = list(super().paginate_queryset(queryset))
        if items and "tags" in self.get_serializer_class().Meta.fields:
            prefetch_related_objects(items, "tags")
        return items


class TagNamesSerializerMixin:
    """Tags as names sorted in Python, from the tags prefetched for the listing page."""

    def build_property_field(self, field_name, model_class):
        if field_name == "tags":
            return TagNamesField, {}
        return super().build_property_field(field_name, model_class)


class PublicImageSerializer(TagNamesSerializerMixin, ImageSerializer):
    pass


class PublicDocumentSerializer(TagNamesSerializerMixin, DocumentSerializer):
    pass


def without(fields, name):
    return [field for field in fields if field != name]


class PublicImagesAPIViewSet(ReadOnlyAnonymousMixin, ShownByLivePagesMixin, ImagesAPIViewSet):
    base_serializer_class = PublicImageSerializer
    filter_backends = [SafeSearchFilter if b is SearchFilter else b for b in ImagesAPIViewSet.filter_backends]
    # The original file's URL: not served to readers (see the module docstring).
    meta_fields = without(ImagesAPIViewSet.meta_fields, "download_url")
    listing_default_fields = without(ImagesAPIViewSet.listing_default_fields, "download_url")
    nested_default_fields = without(ImagesAPIViewSet.nested_default_fields, "download_url")


class PublicDocumentsAPIViewSet(ReadOnlyAnonymousMixin, ShownByLivePagesMixin, DocumentsAPIViewSet):
    base_serializer_class = PublicDocumentSerializer
    filter_backends = [SafeSearchFilter if b is SearchFilter else b for b in DocumentsAPIViewSet.filter_backends]


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)


@require_safe
def api_index(request):
    """The API's front door: where each endpoint is."""
    return JsonResponse(
        {
            name: request.build_absolute_uri(reverse(f"wagtailapi:{name}:listing"))
            for name in ("pages", "images", "documents")
        }
    )


# For path("api/v2/", api.urls): the index and the router's endpoints, in the namespace the router links with.
urls = (
    [path("", cacheable(api_index), name="index"), *api_router.get_urlpatterns()],
    api_router.url_namespace,
    api_router.url_namespace,
)
