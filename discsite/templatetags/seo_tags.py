"""Template tags for what a page says about itself to search engines and link previews.

Each page type answers for itself (`og_type`, `schema_graph`), with the building blocks of
discsite/core/schema.py; templates/includes/meta.html lays the values out.
"""

from django import template

from discsite import structured_data
from discsite.core import schema

register = template.Library()


@register.simple_tag(takes_context=True)
def page_meta(context, page):
    """What link previews show of `page` (Open Graph, X/Twitter cards): title, description, url, type,
    site name, locale, image (its own, else the site's share image) and the Twitter card for it."""
    request = context.get("request")
    if request is None or page is None:
        return None
    image = schema.share_image(page, request)
    return {
        "title": page.seo_title or getattr(page, "display_name", page.title),
        "description": schema.meta_description(page),
        "url": schema.page_url(page, request),
        "type": page.og_type,
        "site_name": schema.site_name(),
        "locale": schema.language_tag().replace("-", "_"),
        "image": image,
        "twitter_card": schema.twitter_card(image),
    }


@register.simple_tag(takes_context=True)
def json_ld(context, page):
    """The page's schema.org graph in a <script type="application/ld+json"> element."""
    request = context.get("request")
    if request is None or page is None:
        return ""
    return structured_data.json_ld_script(structured_data.page_graph(page, request))
