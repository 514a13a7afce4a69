"""Template tags for what a page says about itself to search engines and link previews.

The values are built in discsite/structured_data.py; templates/includes/meta.html lays them out.
"""

from django import template

from discsite import structured_data

register = template.Library()


@register.simple_tag(takes_context=True)
def page_meta(context, page):
    """The Open Graph values of `page`: title, description, url, type, site name and image (or None)."""
    request = context.get("request")
    if request is None or page is None:
        return None
    return {
        "title": page.seo_title or getattr(page, "display_name", page.title),
        "description": structured_data.meta_description(page),
        "url": structured_data.page_url(page, request),
        "type": structured_data.og_type(page),
        "site_name": structured_data.site_name(),
        "locale": structured_data.language_tag().replace("-", "_"),
        "image": structured_data.og_image(page, request),
    }


@register.simple_tag(takes_context=True)
def json_ld(context, page):
    """The page's schema.org graph in a <script type="application/ld+json"> element."""
    request = context.get("request")
    if request is None or page is None:
        return ""
    return structured_data.json_ld_script(structured_data.page_graph(page, request))
