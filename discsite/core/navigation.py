"""Where a page sits: the trail from the home page down to it, as the breadcrumbs show it and the
JSON-LD repeats it (discsite.core.schema.breadcrumb_node)."""

from .internals import remembered_parent


def routed_ancestors(page):
    """The page's ancestors below the root, from the parents routing left on each page, or None.

    Routing a request walks down from the home page and tells each child its parent
    (IndexPage.route, HomePage.route), so the trail costs no query for the page being served.
    """
    ancestors = []
    node = page
    while node.depth > 2:
        node = remembered_parent(node)
        if node is None:
            return None
        ancestors.append(node)
    return ancestors[::-1]


def trail_ancestors(page):
    """The pages above `page` from the home page down, kept on the page: the breadcrumbs in the body
    and the JSON-LD in the head show the same trail (one query at most, not two)."""
    if not hasattr(page, "_trail_ancestors"):
        ancestors = routed_ancestors(page)
        if ancestors is None:
            ancestors = list(page.get_ancestors().filter(depth__gt=1))
        page._trail_ancestors = ancestors
    return page._trail_ancestors


def breadcrumb_trail(request, page=None, current_title=""):
    """The trail from the home page to `page` (or to a non-page view called `current_title`).

    Each crumb is a dict with `title` and `url`; the last one, the current page, has no url.
    """
    crumbs = [{"title": "Home", "url": "/"}]
    if page is not None and getattr(page, "path", None):
        crumbs = [
            {"title": "Home" if index == 0 else ancestor.title, "url": ancestor.get_url(request)}
            for index, ancestor in enumerate(trail_ancestors(page))
        ] or crumbs
        crumbs.append({"title": getattr(page, "display_name", page.title), "url": None})
    elif current_title:
        crumbs.append({"title": current_title, "url": None})
    return crumbs
