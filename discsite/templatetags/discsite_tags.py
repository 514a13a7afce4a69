"""Template tags and filters for the public templates.

Kept small and free of markup: the HTML lives in templates/, these only
prepare values (breadcrumb trails, pagination links, anchors) or make rendered
rich text safe to publish (rel="sponsored" on promotional links).
"""

import re
import zlib

from django import template
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from discsite.core import navigation
from discsite.core.caching import PAGE_CACHE_TIMEOUT, fragment_cache_enabled, structure_key, versioned_key
from discsite.core.models import SafetyNetText
from discsite.search import highlight

register = template.Library()

ANCHOR_TAG = re.compile(r"<a\b([^>]*)>", re.IGNORECASE)
REL_ATTRIBUTE = re.compile(r"""\srel\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
SPONSORED_REL = ("sponsored", "nofollow")


def _add_sponsored_rel(match):
    attributes = match.group(1)
    existing = REL_ATTRIBUTE.search(attributes)
    if existing is None:
        return f'<a{attributes} rel="{" ".join(SPONSORED_REL)}">'
    values = (existing.group(1) or existing.group(2) or existing.group(3) or "").split()
    values += [value for value in SPONSORED_REL if value not in values]
    attributes = f'{attributes[: existing.start()]} rel="{" ".join(values)}"{attributes[existing.end() :]}'
    return f"<a{attributes}>"


@register.filter
def sponsored_links(html):
    """Mark every link in rendered rich text as paid-for: rel="sponsored nofollow".

    Accepts a RichText value or already-safe HTML; anything else is escaped first.
    """
    return mark_safe(ANCHOR_TAG.sub(_add_sponsored_rel, str(conditional_escape(html))))  # noqa: S308


@register.filter
def anchor(text):
    """A stable fragment id for a heading, from its text ('Symptoms' -> 'symptoms')."""
    text = str(text or "")
    return slugify(text) or f"section-{zlib.crc32(text.encode()):08x}"


@register.filter
def contents_headings(stream):
    """The section headings (h2) of a body StreamField, as id/text pairs for a contents list."""
    return [
        {"id": anchor(block.value["text"]), "text": block.value["text"]}
        for block in stream or []
        if block.block_type == "heading" and block.value.get("level") != "h3"
    ]


@register.filter
def blocks_of_type(stream, block_type):
    """The blocks of one type in a StreamField value, in order."""
    return [block for block in stream or [] if block.block_type == block_type]


@register.filter
def initials(name):
    """'Wang Cheng Lin' -> 'WL': the first and last initials, for an avatar without a photo."""
    words = [word for word in str(name or "").split() if word[:1].isalnum()]
    if not words:
        return ""
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


@register.filter
def is_past(day):
    """True if a date is before today, e.g. a review that has fallen due."""
    return bool(day) and day < timezone.localdate()


# Marks the words searched for (discsite.search, which marks its snippets the same way).
register.filter("highlight", highlight)


@register.simple_tag(takes_context=True)
def breadcrumb_trail(context, page=None, current_title=""):
    """The trail from the home page to `page` (or to a non-page view called `current_title`), as
    discsite.core.navigation computes it: dicts of `title` and `url`, the current page's without url."""
    return navigation.breadcrumb_trail(context.get("request"), page, current_title)


@register.simple_tag(takes_context=True)
def topic_links(context, page):
    """The page's tags, each with the url of its topic page if it has a live one.

    No query of its own: `tag_list` fetched each tag with its topic page.
    """
    request = context.get("request")
    links = []
    for tag in page.tag_list:
        topic = getattr(tag, "topic_page", None) if tag.pk else None
        links.append({"name": tag.name, "url": topic.get_url(request) if topic is not None and topic.live else None})
    return links


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """A link to page `number` of the current listing that keeps every other GET parameter (e.g. q)."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    if str(number) != "1":
        params["page"] = number
    return f"{request.path}?{params.urlencode()}" if params else request.path


@register.simple_tag
def safety_net_text():
    """The live urgent-care card and disclaimer (discsite.models.SafetyNetText), clinically reviewed."""
    return SafetyNetText.load()


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers to offer around the current one, with '…' for the gaps."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1))


@register.simple_tag(takes_context=True)
def nav_state(context, prefix):
    """'page' if the current path is `prefix`, 'section' if it is below it, else ''."""
    request = context.get("request")
    path = getattr(request, "path", "")
    if path == prefix:
        return "page"
    if path.startswith(prefix):
        return "section"
    return ""


@register.simple_tag(takes_context=True)
def canonical_url(context, page=None):
    """The absolute URL of `page`, or of the current path when there is no page."""
    request = context.get("request")
    if request is None:
        return ""
    path = page.get_url(request) if page is not None else request.path
    return request.build_absolute_uri(path) if path else ""


def _fragments_kept(context, pages_only=True):
    """Whether rendered fragments may be kept for this render: not a preview's and, unless `pages_only` is
    false, only a Wagtail page's (other views, such as search and error pages, would key fragments by
    their whole query; they have a page cache of their own)."""
    request = context.get("request")
    return (
        request is not None
        and (context.get("page") is not None or not pages_only)
        and not getattr(request, "is_preview", False)
        and fragment_cache_enabled()
    )


def _rendered(html):
    """Template output, rendered here or read back from the cache, as safe: the one place it is marked."""
    return mark_safe(html)  # noqa: S308 (our own rendered template output, escaped when it was rendered)


def _kept(key, render):
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, str(html), PAGE_CACHE_TIMEOUT)
    return _rendered(html)


class VersionedCacheNode(template.Node):
    """Renders its contents once per content version and key (see discsite.core.caching)."""

    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        if not _fragments_kept(context):
            return self.nodelist.render(context)
        parts = (value.resolve(context) for value in self.vary_on)
        key = versioned_key(f"fragment:{self.name}", context["request"], *parts)
        return _kept(key, lambda: self.nodelist.render(context))


class OwnContentCacheNode(template.Node):
    """Renders its contents once per live revision of the page and structure version (core.caching)."""

    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        if not _fragments_kept(context):
            return self.nodelist.render(context)
        key = structure_key(f"own:{self.name}", context["request"], *context["page"].revision_identity())
        return _kept(key, lambda: self.nodelist.render(context))


@register.tag
def own_content_cache(parser, token):
    """`{% own_content_cache "name" %}...{% endown_content_cache %}`: a fragment of the page's own content,
    kept per live revision of the page (`page.revision_identity()`) and structure version, so that it
    outlives the publication of other answers and articles. What it shows must be the page's own content
    and what only structural changes change (experts, tags, settings, images, the sections above it): never
    other answers' or articles' titles or lists of them, which go in a `versioned_cache` fragment. (base.html
    keeps every page's head and breadcrumbs so.)"""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("own_content_cache needs a fragment name, and only that")
    nodelist = parser.parse(("endown_content_cache",))
    parser.delete_first_token()
    return OwnContentCacheNode(nodelist, bits[1].strip("\"'"))


@register.simple_tag(takes_context=True)
def cards(context, items, template_name, item_name="item", **options):
    """`{% cards items "includes/card.html" item_name="item" heading_level=2 %}`: each item rendered with
    the template (the item as `item_name`, with `options`), as `{% include %}` would, each card kept per
    live revision of its page and structure version (so that it outlives the publication of others),
    fetched from the cache together. `items` may be a listing's ListingCards (core.listing), whose
    pages are then read only for the cards not kept."""
    template_object = context.template.engine.get_template(template_name)

    def render(item):
        with context.push(**{item_name: item}, **options):
            return str(template_object.render(context))

    # Kept for the search's results too (no Wagtail page): their keys are bounded by the pages, the
    # templates and the search words, as the search's own kept results are (discsite.search).
    if not _fragments_kept(context, pages_only=False):
        return _rendered("".join(render(item) for item in items))
    request = context["request"]
    identities = getattr(items, "identities", None)
    if identities is None:
        items = list(items)
        identities = [item.revision_identity() for item in items]
    if not identities:
        return ""
    option_parts = sorted(options.items())

    keys = {
        identity[0]: structure_key("card", request, template_name, item_name, option_parts, *identity)
        for identity in identities
    }
    found = cache.get_many(list(keys.values()))
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        pages = items.load(missing) if hasattr(items, "load") else [item for item in items if item.pk in keys]
        # Kept under the identity the listing read (a page published since is read as it is now).
        made = {keys[page.pk]: render(page) for page in pages if keys[page.pk] not in found}
        cache.set_many(made, PAGE_CACHE_TIMEOUT)
        found.update(made)
    return _rendered("".join(found[key] for key in keys.values() if key in found))


@register.tag
def versioned_cache(parser, token):
    """`{% versioned_cache "name" var1 var2 %}...{% endversioned_cache %}`: a fragment kept per content version.

    Unlike Django's `{% cache %}`, it needs no expiry to be right (the content version moves on whenever
    anything shown may have changed) and it is skipped for previews.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("versioned_cache needs a fragment name")
    nodelist = parser.parse(("endversioned_cache",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return VersionedCacheNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
