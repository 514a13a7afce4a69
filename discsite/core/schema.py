"""The schema.org building blocks every page type uses for its JSON-LD: absolute URLs, the site's
language, the website and its publishing organisation, the node every page has and its breadcrumb
trail, and the images that represent a page: its own, and the site's share image for link previews.

Each page type says what it is with these (`BasePage.schema_node`, `schema_graph`, `og_type`);
what only health content says (the condition, citations, people) lives in the apps that own it.
Nothing here imports the apps above the ground.
"""

import re

from django.conf import settings
from django.templatetags.static import static

from .navigation import breadcrumb_trail
from .text import trim_description

SCHEMA = "https://schema.org"


def language_tag():
    """The site's language as a BCP 47 tag, e.g. 'en-GB' for LANGUAGE_CODE 'en-gb'."""
    language, _, region = settings.LANGUAGE_CODE.partition("-")
    return f"{language}-{region.upper()}" if region else language


def site_name():
    return getattr(settings, "WAGTAIL_SITE_NAME", "") or "discsite"


def absolute_url(request, path):
    return request.build_absolute_uri(path) if path else ""


def page_url(page, request):
    """The page's canonical, absolute URL (the same as its <link rel="canonical">)."""
    return absolute_url(request, page.get_url(request))


def home_url(request):
    return absolute_url(request, "/")


def website_ref(request):
    return {"@id": f"{home_url(request)}#website"}


def organization_ref(request):
    return {"@id": f"{home_url(request)}#organization"}


def organization_node(request):
    return {
        "@type": "Organization",
        **organization_ref(request),
        "name": site_name(),
        "url": home_url(request),
        "logo": {"@type": "ImageObject", "url": absolute_url(request, static("discsite/images/logo.svg"))},
    }


def website_node(request):
    """The site as a `WebSite`; the home page adds how to search it."""
    return {
        "@type": "WebSite",
        **website_ref(request),
        "url": home_url(request),
        "name": site_name(),
        "inLanguage": language_tag(),
        "publisher": organization_ref(request),
    }


def editorial_team_node(request, team_name):
    """The author of content no named expert wrote, named as the site settings name it (`team_name`)."""
    name = re.sub(r"^the\s+", "", team_name.strip(), flags=re.IGNORECASE) or f"{site_name()} editorial team"
    return {
        "@type": "Organization",
        "@id": f"{home_url(request)}#editorial-team",
        "name": name[:1].upper() + name[1:],
        "url": home_url(request),
        "parentOrganization": organization_ref(request),
    }


def meta_description(page):
    """The page's meta description; any page type without our fallback chain gets its search description."""
    describe = getattr(page, "get_meta_description", None)
    return describe() if describe else trim_description(page.search_description)


def iso(moment):
    return moment.isoformat() if moment else None


def web_page_node(page, request, schema_type, url):
    """What every page node has, whatever its type."""
    node = {
        "@type": schema_type,
        "@id": f"{url}#webpage",
        "url": url,
        "name": page.seo_title or getattr(page, "display_name", page.title),
        "description": meta_description(page),
        "inLanguage": language_tag(),
        "isPartOf": website_ref(request),
        "publisher": organization_ref(request),
    }
    if page.first_published_at:
        node["datePublished"] = iso(page.first_published_at)
    if page.last_published_at:
        node["dateModified"] = iso(page.last_published_at)
    image = page_image(page, request)
    if image:
        node["primaryImageOfPage"] = image_node(image)
    return {key: value for key, value in node.items() if value}


def breadcrumb_node(page, request, url):
    """The page's breadcrumb trail, crumb for crumb as the page shows it."""
    return {
        "@type": "BreadcrumbList",
        "@id": f"{url}#breadcrumb",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb["title"],
                "item": absolute_url(request, crumb["url"]) if crumb["url"] else url,
            }
            for position, crumb in enumerate(breadcrumb_trail(request, page), start=1)
        ],
    }


def page_image(page, request):
    """{url, width, height, alt} of a rendition of the page's own image, or None.

    The image is the one the page type says represents it (`representative_image`): an article's
    first image, an expert's portrait. Kept on the page object, so the Open Graph tags and the
    JSON-LD share one rendition lookup (no query at all for a page without one).
    """
    if not hasattr(page, "_discsite_page_image"):
        page._discsite_page_image = None
        representative_image = getattr(page, "representative_image", None)
        found = representative_image() if representative_image else None
        if found is not None:
            image, alt, spec = found
            try:
                rendition = image.get_rendition(spec)
            except OSError:  # a missing or unreadable file must not break the page
                return None
            page._discsite_page_image = {
                "url": absolute_url(request, rendition.url),
                "width": rendition.width,
                "height": rendition.height,
                "alt": alt,
            }
    return page._discsite_page_image


# The site's own image for link previews of pages that have none of their own: drawn for the site by
# scripts/share_image.py (1200x630, the size Open Graph and X/Twitter's large card show).
DEFAULT_SHARE_IMAGE = {
    "path": "discsite/images/share.png",
    "width": 1200,
    "height": 630,
    "alt": "discsite: lumbar disc herniation, explained. Clinically reviewed answers and articles.",
}


def share_image(page, request):
    """The image a link preview of `page` shows: its own (`page_image`), else the site's default."""
    return page_image(page, request) or {
        "url": absolute_url(request, static(DEFAULT_SHARE_IMAGE["path"])),
        "width": DEFAULT_SHARE_IMAGE["width"],
        "height": DEFAULT_SHARE_IMAGE["height"],
        "alt": DEFAULT_SHARE_IMAGE["alt"],
    }


def twitter_card(image):
    """X/Twitter's card for a preview with `image`: the large card for a wide image (the default, an
    article's), the small square one for a portrait, which the large card would cut to a strip."""
    return "summary_large_image" if image["width"] >= 1.5 * image["height"] else "summary"


def image_node(image):
    """An `ImageObject` for `page_image`'s answer."""
    node = {"@type": "ImageObject", "url": image["url"], "width": image["width"], "height": image["height"]}
    if image["alt"]:
        node["caption"] = image["alt"]
    return node
