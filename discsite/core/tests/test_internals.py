"""Each undocumented name the site relies on (discsite/core/internals.py), pinned: when an upgrade of
Wagtail, django-treebeard or Django changes one, the test named after it fails and says which."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from discsite.core.internals import remember_parent, remember_site, remembered_parent, was_prefetched

pytestmark = pytest.mark.django_db


def test_wagtail_site_find_for_request_answers_from_the_site_remembered_on_the_request():
    site = Site.objects.get(is_default_site=True)
    request = RequestFactory().get("/")
    remember_site(request, site)
    with CaptureQueriesContext(connection) as queries:
        found = Site.find_for_request(request)
    assert (found is site, len(queries)) == (True, 0), (
        "Wagtail's Site.find_for_request no longer reads `request._wagtail_site`: the page cache's "
        "site lookup (discsite/core/middleware.py) must find another way to hand Wagtail the site."
    )


def test_treebeard_get_parent_answers_from_the_parent_remembered_by_routing():
    root = Page.get_first_root_node()
    child = root.get_children().first()
    child = Page.objects.get(pk=child.pk)
    remember_parent(child, root)
    with CaptureQueriesContext(connection) as queries:
        parent = child.get_parent()
    assert (parent is root, len(queries)) == (True, 0), (
        "treebeard's get_parent() no longer reads `_cached_parent_obj`: routing (IndexPage.route, "
        "HomePage.route) and the breadcrumbs (discsite/core/navigation.py) must remember the parent another way."
    )
    assert remembered_parent(child) is root
    assert remembered_parent(Page.objects.get(pk=child.pk)) is None


def test_django_keeps_what_prefetch_related_fetched_where_was_prefetched_looks():
    prefetched = Page.objects.prefetch_related("sites_rooted_here").get(depth=1)
    plain = Page.objects.get(depth=1)
    assert (was_prefetched(prefetched, "sites_rooted_here"), was_prefetched(plain, "sites_rooted_here")) == (
        True,
        False,
    ), (
        "Django no longer keeps prefetched objects in `_prefetched_objects_cache`: "
        "HealthContentPage.tag_list must find out another way whether a listing prefetched the tags."
    )
