"""An Atom feed of the latest expert answers and articles, at /feed/."""

from django.contrib.syndication.views import Feed
from django.db.models import prefetch_related_objects
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from wagtail.models import Page

from articles.models import HEALTH_PAGE_MODELS
from discsite.core.caching import public_pages
from discsite.core.listing import load_listing_cards
from discsite.core.models import SiteSettings

FEED_LENGTH = 20


class LatestHealthPagesFeed(Feed):
    """The 20 most recently published live answers and articles, newest first.

    A fixed number of queries whatever the number of items: the page ids, one query per
    page type with the author joined, one for all their tags, the site settings.
    """

    feed_type = Atom1Feed
    title = "discsite: latest expert answers and articles"
    subtitle = "Clinically reviewed answers and articles about lumbar disc herniation."
    link = "/"
    feed_url = reverse_lazy("feed")
    author_name = "discsite"

    def get_object(self, request, *args, **kwargs):
        # The request, not the feed instance, carries per-request state: one Feed serves every request.
        return request

    def items(self, request):
        pks = list(
            public_pages(Page.objects.live().type(*HEALTH_PAGE_MODELS))
            .order_by("-first_published_at", "-pk")
            .values_list("pk", flat=True)[:FEED_LENGTH]
        )
        pages = load_listing_cards(pks, HEALTH_PAGE_MODELS)
        prefetch_related_objects(pages, "tags")
        team = SiteSettings.load(request_or_site=request).editorial_team_name
        for page in pages:
            # The pages' canonical addresses, on the host the feed was requested from.
            page.feed_link = request.build_absolute_uri(page.get_url(request))
            page.feed_author = page.author.display_name if page.author else team
            page.feed_author_link = request.build_absolute_uri(page.author.get_url(request)) if page.author else None
        return pages

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.feed_link

    def item_guid(self, item):
        return item.feed_link

    def item_description(self, item):
        return item.summary

    def item_author_name(self, item):
        return item.feed_author

    def item_author_link(self, item):
        return item.feed_author_link

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at

    def item_categories(self, item):
        return [tag.name for tag in item.tag_list]
