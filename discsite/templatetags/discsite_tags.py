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
from discsite.core.caching import PAGE_CACHE_TIMEOUT, fragment_cache_enabled, versioned_key
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


class VersionedCacheNode(template.Node):
    """Renders its contents once per content version and key (see discsite.core.caching)."""

    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        # Only Wagtail pages: other views (search, error pages) have unbounded keys and a page cache of their own.
        if (
            request is None
            or context.get("page") is None
            or getattr(request, "is_preview", False)
            or not fragment_cache_enabled()
        ):
            return self.nodelist.render(context)
        key = versioned_key(f"fragment:{self.name}", request, *(value.resolve(context) for value in self.vary_on))
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.set(key, str(html), PAGE_CACHE_TIMEOUT)
        return mark_safe(html)  # noqa: S308 (our own rendered template output, escaped when it was rendered)


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
