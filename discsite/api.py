"""The read-only public API: Wagtail's API v2 at /api/v2/ (pages, images, documents).

- Only what an anonymous reader may see: live, public pages (Wagtail's pages endpoint
  starts from `get_public_pages_queryset`, so a draft is not listed, found by `?id=`,
  searched or served by id), and images and documents outside private collections.
- Only GET (and HEAD/OPTIONS): no endpoint writes, and no credentials are accepted, so
  the API cannot be used to try passwords or to see more as a logged-in user.
- Fast: a listing fetches the authors, reviewers, tags, topic tags, photos, audio and
  locales its requested fields show in one query each, however many items it has.
"""

from django.db.models import prefetch_related_objects
from django.http import JsonResponse
from django.urls import path, reverse
from django.views.decorators.http import require_safe
from rest_framework.permissions import AllowAny
from wagtail.api.v2.filters import FieldsFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

# Fields that read another table, prefetched for a whole listing page when they are requested
# (`locale` and `alias_of` are Wagtail's own, shown with `fields=*`).
RELATED_FIELDS = ("author", "reviewed_by", "tags", "tag", "photo", "audio", "locale", "alias_of")


class ReadOnlyAnonymousMixin:
    http_method_names = ["get", "head", "options"]
    authentication_classes = []
    permission_classes = [AllowAny]


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


class PublicPagesAPIViewSet(ReadOnlyAnonymousMixin, PagesAPIViewSet):
    filter_backends = [
        HealthTagsFieldsFilter if backend is FieldsFilter else backend for backend in PagesAPIViewSet.filter_backends
    ]

    def paginate_queryset(self, queryset):
        items = list(super().paginate_queryset(queryset))
        fields = set(self.get_serializer_class().Meta.fields)
        lookups = [name for name in RELATED_FIELDS if name in fields]
        if items and lookups:
            prefetch_related_objects(items, *lookups)
        return items


class PublicImagesAPIViewSet(ReadOnlyAnonymousMixin, ImagesAPIViewSet):
    pass


class PublicDocumentsAPIViewSet(ReadOnlyAnonymousMixin, DocumentsAPIViewSet):
    pass


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
    [path("", api_index, name="index"), *api_router.get_urlpatterns()],
    api_router.url_namespace,
    api_router.url_namespace,
)
