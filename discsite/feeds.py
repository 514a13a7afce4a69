"""An Atom feed of the latest expert answers and articles, at /feed/.

A plain view that fills Django's Atom writer (`feedgenerator.Atom1Feed`) and answers its XML as one
string. Django's syndication view (`syndication.views.Feed`) writes the same document, but it asks
each entry for a dozen attributes through `inspect`, and it has the writer write straight into the
response, a tag or a value at a time: about a thousand pieces, which the WSGI server then sends to
the socket one by one. That was most of an uncached feed's time. (Pinned byte for byte against
Django's syndication view by discsite/tests/test_listing_speed_sitemap_feed.py.)
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.utils.translation import get_language
from wagtail.models import Page

from articles.models import HEALTH_PAGE_MODELS, HealthContentPage, HealthPageTag
from discsite.core.caching import public_pages, versioned_result
from discsite.core.models import SiteSettings
from discsite.sitemaps import PageAddresses
from experts.models import ExpertPage

FEED_LENGTH = 20
FEED_TITLE = "discsite: latest expert answers and articles"
FEED_SUBTITLE = "Clinically reviewed answers and articles about lumbar disc herniation."
FEED_AUTHOR = "discsite"


@dataclass(frozen=True)
class FeedEntry:
    """What an entry shows of a page: no more is read from the database. `published` is None when the
    content has no date of its own (see `entry_dates`)."""

    title: str
    link: str
    summary: str
    author_name: str
    author_link: str | None
    published: datetime.datetime | None
    updated: datetime.datetime
    categories: list


# What an entry shows of its author: ExpertPage.display_name and the profile's address.
AUTHOR_FIELDS = ("title", "honorific", "url_path")
# The columns an entry reads, of the base page row and of its type's own row: its title, address and
# summary, and those its content's dates are found from.
PAGE_COLUMNS = {field.attname for field in Page._meta.concrete_fields}
DATE_COLUMNS = HealthContentPage.CONTENT_DATE_COLUMNS
BASE_COLUMNS = ("pk", "title", "url_path", *(name for name in DATE_COLUMNS if name in PAGE_COLUMNS))
OWN_COLUMNS = ("summary", *(name for name in DATE_COLUMNS if name not in PAGE_COLUMNS))


def latest_health_pages():
    """The FEED_LENGTH most recently published live, public answers and articles, newest first, in one
    query: dicts of their base columns with OWN_COLUMNS and the `author` of their own type's row (a
    namespace of AUTHOR_FIELDS, None for the editorial team).

    The type is asked of its own table (a join along the primary key) rather than of the content
    type (`.type()`): for that, SQLite reads every page of the types through the content type's
    index and sorts them (2.5 ms at 10,000 pages); for this, it reads the newest pages backwards
    along the `first_published_at` index and stops at the twentieth (well under 0.1 ms).
    """
    names = [model._meta.model_name for model in HEALTH_PAGE_MODELS]  # the reverse one-to-one from Page
    is_health_page = Q()
    for name in names:
        is_health_page |= Q(**{f"{name}__isnull": False})
    own = [
        f"{name}__{column}" for name in names for column in (*OWN_COLUMNS, *(f"author__{f}" for f in AUTHOR_FIELDS))
    ]
    pages = public_pages(Page.objects.live().filter(is_health_page)).order_by("-first_published_at", "-pk")
    found = []
    for row in pages.values(*BASE_COLUMNS, *names, *own)[:FEED_LENGTH]:
        name = next(name for name in names if row[name] is not None)  # the type whose row there is
        author = SimpleNamespace(**{field: row[f"{name}__author__{field}"] for field in AUTHOR_FIELDS})
        row.update({column: row[f"{name}__{column}"] for column in OWN_COLUMNS})
        row["author"] = author if author.url_path is not None else None
        found.append(row)
    return found


def tag_names(page_ids):
    """The names of each page's tags, in the order HealthContentPage.tag_list shows them, in one query."""
    tags = {}
    for page_id, name in (
        HealthPageTag.objects.filter(content_object_id__in=page_ids)
        .order_by()
        .distinct()
        .values_list("content_object_id", "tag__name")
    ):
        tags.setdefault(page_id, []).append(name)
    return {page_id: sorted(names, key=str.lower) for page_id, names in tags.items()}


def instant(moment):
    """A moment of `HealthContentPage.content_moments` as Atom writes one: a day (a source's date) as its
    start in the current time zone, the day the pages show (`timezone.localdate`)."""
    if moment is None or isinstance(moment, datetime.datetime):
        return moment
    return timezone.make_aware(datetime.datetime.combine(moment, datetime.time()))


def entry_dates(row):
    """(published, updated) of an entry: its content's dates, by the rule the pages follow
    (`HealthContentPage.content_moments`), never when the seed ran.

    Content with no date of its own (source material the seed published without one) has no
    <published>. Atom requires an <updated> in every entry; for that content it is the page's last
    publication here, which is when the entry last changed (as a sitemap's lastmod is a page's), and
    which the feed gives without a <published> that would call it the content's date.
    """
    published, updated = HealthContentPage.content_moments(**{name: row[name] for name in DATE_COLUMNS})
    return instant(published), instant(updated) or row["last_published_at"] or row["first_published_at"]


def feed_rows():
    """`latest_health_pages` and their `tag_names`: two queries whatever their number, kept per content
    version, as a listing's page and a sitemap section's rows are (every change to what the feed shows
    moves it on). Reading and converting the rows is most of the feed's cost; they are the same on
    every host (the addresses are made from them per request)."""

    def read():
        pages = latest_health_pages()
        return pages, tag_names([page["pk"] for page in pages])

    return versioned_result("feed-rows", read)


def feed_entries(request):
    """The feed's entries, from `feed_rows` (the site settings are kept per content version). No page
    object is built: an entry shows only those columns, and the addresses (Wagtail's `get_url`) are
    found from the url_path."""
    pages, tags = feed_rows()
    team = SiteSettings.load(request_or_site=request).editorial_team_name
    addresses = PageAddresses(request)

    def link(url_path):
        # The pages' canonical addresses, on the host the feed was requested from.
        return request.build_absolute_uri(addresses.path(url_path))

    entries = []
    for page in pages:
        author = page["author"]
        published, updated = entry_dates(page)
        entries.append(
            FeedEntry(
                title=page["title"],
                link=link(page["url_path"]),
                summary=page["summary"],
                # The profile's own display_name, of the columns it is made of.
                author_name=ExpertPage.display_name.fget(author) if author else team,
                author_link=link(author.url_path) if author else None,
                published=published,
                updated=updated,
                categories=tags.get(page["pk"], []),
            )
        )
    return entries


def atom_feed(request, entries):
    """The Atom document of `entries`, as Django's syndication view fills Django's Atom writer for
    a feed with these attributes (title, subtitle, link "/", feed_url, author_name; each entry's
    link as its id)."""
    feed = Atom1Feed(
        title=FEED_TITLE,
        subtitle=FEED_SUBTITLE,
        link=request.build_absolute_uri("/"),
        description=None,
        language=get_language(),
        feed_url=request.build_absolute_uri(reverse("feed")),
        author_name=FEED_AUTHOR,
    )
    for entry in entries:
        feed.add_item(
            title=entry.title,
            link=entry.link,
            description=entry.summary,
            unique_id=entry.link,
            author_name=entry.author_name,
            author_link=entry.author_link,
            pubdate=entry.published,
            updateddate=entry.updated,
            categories=entry.categories,
        )
    return feed


def latest_health_pages_feed(request):
    """The FEED_LENGTH most recently published live answers and articles, newest first."""
    feed = atom_feed(request, feed_entries(request))
    # One string, written at once (see the module's docstring).
    response = HttpResponse(feed.writeString("utf-8"), content_type=feed.content_type)
    # As Django's syndication view: for ConditionalGetMiddleware's 304 Not Modified.
    response.headers["Last-Modified"] = http_date(feed.latest_post_date().timestamp())
    return response
