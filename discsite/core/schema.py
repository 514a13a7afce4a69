"""The schema.org building blocks every page type uses for its JSON-LD: absolute URLs, the site's
language, the website and its publishing organisation, the node every page has and its breadcrumb
trail, and the image that represents a page in link previews.

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


def og_image(page, request):
    """{url, width, height, alt} of a rendition of the page's image for link previews, or None.

    The image is the one the page type says represents it (`representative_image`). Kept on the
    page object, so the Open Graph tags and the JSON-LD share one rendition lookup.
    """
    if not hasattr(page, "_og_image"):
        page._og_image = None
        representative_image = getattr(page, "representative_image", None)
        found = representative_image() if representative_image else None
        if found is not None:
            image, alt, spec = found
            try:
                rendition = image.get_rendition(spec)
            except OSError:  # a missing or unreadable file must not break the page
                return None
            page._og_image = {
                "url": absolute_url(request, rendition.url),
                "width": rendition.width,
                "height": rendition.height,
                "alt": alt,
            }
    return page._og_image
