"""The only places the site relies on names Wagtail, django-treebeard and Django do not document.

Each saves queries on every page a reader is served, and each is pinned by a test
(discsite/core/tests/test_internals.py) that fails, naming the name, when an upgrade changes it.
Nothing else in the project touches a private name of a library.
"""

# Site.find_for_request(request) keeps its answer on the request under this attribute and asks
# the database only when it is missing. The page cache looks the site up once per content
# version (discsite.core.caching) and hands Wagtail the answer here.
WAGTAIL_SITE_ATTRIBUTE = "_wagtail_site"

# treebeard's get_parent() keeps the parent under this attribute. A page routed from its parent
# (IndexPage.route, HomePage.route) already has it, so the breadcrumbs cost no query.
TREEBEARD_PARENT_ATTRIBUTE = "_cached_parent_obj"

# Django keeps what prefetch_related fetched for an instance here, by relation name. A listing that
# prefetched a page's tags should not have them fetched again, joined differently, by the page.
DJANGO_PREFETCH_ATTRIBUTE = "_prefetched_objects_cache"


def remember_site(request, site):
    setattr(request, WAGTAIL_SITE_ATTRIBUTE, site)


def remember_parent(page, parent):
    setattr(page, TREEBEARD_PARENT_ATTRIBUTE, parent)


def remembered_parent(page):
    """The parent `page` was routed from, or None if it was not."""
    return getattr(page, TREEBEARD_PARENT_ATTRIBUTE, None)


def was_prefetched(instance, relation):
    """Whether `relation` of `instance` was fetched by prefetch_related."""
    return relation in getattr(instance, DJANGO_PREFETCH_ATTRIBUTE, {})
