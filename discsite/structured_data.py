"""schema.org data for every public page, as one JSON-LD `@graph`, built from the models.

What each page type says about itself:

- home: the `WebSite`, with a `SearchAction` for the site search, and its publisher;
- answers and articles: a `MedicalWebPage` about the condition (a `MedicalCondition`) with
  its author (the expert, or the editorial team as an `Organization`), its clinical review
  (`reviewedBy`, `lastReviewed`, only once a clinician has reviewed it) and, for articles,
  the studies it cites; an expert answer's page has a `Question` with its `acceptedAnswer`
  as its main entity. Not `QAPage`: Google keeps that for questions its users answer;
- experts: a `ProfilePage` whose main entity is the `Person` (also a `Physician` when they
  have a medical specialty);
- topics and section pages: a `CollectionPage`;
- every page but the home page: a `BreadcrumbList` with the same crumbs as the page shows.

Sponsorship is not marked up: `sponsor` would say the whole page is paid for, while our
sponsored pages carry one labelled promotional section, and the site has no record of a
sponsoring organisation to name.
"""

import json
import re
from html import unescape

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe

SCHEMA = "https://schema.org"

# The condition every health page on the site is about. No ICD-10 code is given: lumbar
# disc herniation spans two WHO ICD-10 codes (M51.1 with radiculopathy, M51.2 without)
# and more in ICD-10-CM, so any single code would be wrong for some pages.
CONDITION = {
    "@type": "MedicalCondition",
    "name": "Lumbar disc herniation",
    "alternateName": ["Herniated disc", "Slipped disc", "Herniated lumbar disc", "Prolapsed disc", "Ruptured disc"],
    "associatedAnatomy": {"@type": "AnatomicalStructure", "name": "Lumbar intervertebral disc"},
}

# Departments as schema.org's MedicalSpecialty values; any other department is given as written.
MEDICAL_SPECIALTIES = {
    "orthopedics": "Musculoskeletal",
    "orthopaedics": "Musculoskeletal",
    "spine surgery": "Musculoskeletal",
    "neurology": "Neurologic",
    "neurosurgery": "Neurologic",
    "physiotherapy": "Physiotherapy",
    "physical therapy": "Physiotherapy",
    "rheumatology": "Rheumatologic",
    "radiology": "Radiography",
    "primary care": "PrimaryCare",
    "general practice": "PrimaryCare",
}

# The characters that could end a <script> element or open an HTML comment inside it,
# escaped as JSON allows (as Django's json_script does), so no value can break out.
JSON_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


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


def website_node(request, with_search=False):
    node = {
        "@type": "WebSite",
        **website_ref(request),
        "url": home_url(request),
        "name": site_name(),
        "inLanguage": language_tag(),
        "publisher": organization_ref(request),
    }
    if with_search:
        from django.urls import reverse

        node["potentialAction"] = {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": f"{absolute_url(request, reverse('search'))}?q={{search_term_string}}",
            },
            "query-input": "required name=search_term_string",
        }
    return node


def editorial_team_node(request):
    """The author of content no named expert wrote, as the site settings name it."""
    from discsite.models import SiteSettings

    name = SiteSettings.load(request_or_site=request).editorial_team_name.strip()
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE) or f"{site_name()} editorial team"
    return {
        "@type": "Organization",
        "@id": f"{home_url(request)}#editorial-team",
        "name": name[:1].upper() + name[1:],
        "url": home_url(request),
        "parentOrganization": organization_ref(request),
    }


def medical_specialty(department):
    specialty = MEDICAL_SPECIALTIES.get(department.strip().lower())
    return f"{SCHEMA}/{specialty}" if specialty else department.strip()


def person_node(expert, request, full=False):
    """An expert as a `Person`; also a `Physician` when they have a medical specialty.

    `full` adds what only their profile page needs (portrait, biography).
    """
    url = page_url(expert, request)
    node = {
        "@type": ["Person", "Physician"] if expert.department else "Person",
        "@id": f"{url}#person",
        "name": expert.title,
        "url": url,
    }
    if expert.honorific:
        node["honorificPrefix"] = expert.honorific
    if expert.credentials:
        node["honorificSuffix"] = expert.credentials
    if expert.job_title:
        node["jobTitle"] = expert.job_title
    if expert.department:
        node["medicalSpecialty"] = medical_specialty(expert.department)
    if expert.institution:
        node["worksFor"] = {"@type": "Organization", "name": expert.institution}
    if full:
        image = og_image(expert, request)
        if image:
            node["image"] = image["url"]
        bio = plain_text(expert.bio)
        if bio:
            node["description"] = bio
    return node


def plain_text(html):
    return " ".join(unescape(strip_tags(str(html or ""))).split())


def body_text(page):
    """The body's prose as plain text, one block per paragraph; sponsored sections left out."""
    from articles.readability import block_text

    return "\n\n".join(text.strip() for text in (block_text(block) for block in page.body or []) if text.strip())


def meta_description(page):
    """The page's meta description; any page type without our fallback chain gets its search description."""
    from discsite.models import trim_description

    describe = getattr(page, "get_meta_description", None)
    return describe() if describe else trim_description(page.search_description)


def iso(moment):
    return moment.isoformat() if moment else None


def split_authors(authors):
    """'Smith J, Lee K; et al.' -> ['Smith J', 'Lee K']: citation authors as the block stores them."""
    names = (name.strip() for name in re.split(r"[;,]", authors or ""))
    return [name for name in names if name and name.lower().rstrip(".") != "et al"]


def citation_node(citation):
    """One reference of an article: a `ScholarlyArticle` when it names a journal, else a `CreativeWork`."""
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", (citation.get("doi") or "").strip(), flags=re.I)
    pmid = (citation.get("pmid") or "").strip()
    links = [
        *([f"https://doi.org/{doi}"] if doi else []),
        *([f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"] if pmid else []),
        *([citation["url"]] if citation.get("url") else []),
    ]
    node = {"@type": "ScholarlyArticle" if citation.get("journal") else "CreativeWork"}
    if citation.get("title"):
        node["name"] = node["headline"] = citation["title"]
    authors = split_authors(citation.get("authors"))
    if authors:
        node["author"] = [{"@type": "Person", "name": name} for name in authors]
    if citation.get("year"):
        node["datePublished"] = str(citation["year"])
    if citation.get("journal"):
        node["isPartOf"] = {"@type": "Periodical", "name": citation["journal"]}
    identifiers = [
        {"@type": "PropertyValue", "propertyID": name, "value": value}
        for name, value in (("DOI", doi), ("PMID", pmid))
        if value
    ]
    if identifiers:
        node["identifier"] = identifiers
    if links:
        node["url"] = links[0]
        node["sameAs"] = links
    if citation.get("note"):
        node["description"] = citation["note"]
    return node


def breadcrumb_node(page, request, url):
    """The page's breadcrumb trail, crumb for crumb as the page shows it."""
    from discsite.templatetags.discsite_tags import breadcrumb_trail

    crumbs = breadcrumb_trail({"request": request}, page)
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
            for position, crumb in enumerate(crumbs, start=1)
        ],
    }


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


def health_page_node(page, request, url):
    from articles.models import ArticlePage, QuestionPage

    node = web_page_node(page, request, "MedicalWebPage", url)
    node["headline"] = page.title
    author = person_node(page.author, request) if page.author else editorial_team_node(request)
    node["author"] = author
    node["about"] = CONDITION
    node["isAccessibleForFree"] = True
    tags = [tag.name for tag in page.tag_list]
    if tags:
        node["keywords"] = ", ".join(tags)
    if page.last_reviewed_on:
        node["lastReviewed"] = page.last_reviewed_on.isoformat()
        if page.reviewed_by:
            node["reviewedBy"] = person_node(page.reviewed_by, request)
    if isinstance(page, ArticlePage):
        citations = [citation_node(block.value) for block in page.references or [] if block.block_type == "citation"]
        if citations:
            node["citation"] = citations
    if isinstance(page, QuestionPage):
        answer_text = "\n\n".join(part for part in (page.summary.strip(), body_text(page)) if part)
        node["mainEntity"] = {
            "@type": "Question",
            "@id": f"{url}#question",
            "name": page.title,
            "text": page.title,
            "answerCount": 1,
            "inLanguage": language_tag(),
            "acceptedAnswer": {
                "@type": "Answer",
                "@id": f"{url}#answer",
                "text": answer_text,
                "author": author,
                "url": url,
                **({"dateCreated": iso(page.first_published_at)} if page.first_published_at else {}),
            },
        }
    return node


def page_graph(page, request):
    """The schema.org graph of `page`, ready for json.dumps."""
    from articles.models import HealthContentPage, TopicPage
    from discsite.models import HomePage, IndexPage
    from experts.models import ExpertPage

    if isinstance(page, HomePage):
        return {
            "@context": SCHEMA,
            "@graph": [website_node(request, with_search=True), organization_node(request)],
        }
    url = page_url(page, request)
    if isinstance(page, HealthContentPage):
        node = health_page_node(page, request, url)
    elif isinstance(page, ExpertPage):
        node = web_page_node(page, request, "ProfilePage", url)
        node["mainEntity"] = person_node(page, request, full=True)
    elif isinstance(page, TopicPage):
        node = web_page_node(page, request, "CollectionPage", url)
        node["about"] = CONDITION
        node["keywords"] = page.tag.name
    elif isinstance(page, IndexPage):
        node = web_page_node(page, request, "CollectionPage", url)
    else:
        node = web_page_node(page, request, "WebPage", url)
    node["breadcrumb"] = {"@id": f"{url}#breadcrumb"}
    return {
        "@context": SCHEMA,
        "@graph": [
            node,
            breadcrumb_node(page, request, url),
            website_node(request),
            organization_node(request),
        ],
    }


def json_ld_script(data):
    """`data` in a <script type="application/ld+json"> element that no value can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def og_type(page):
    from articles.models import HealthContentPage
    from experts.models import ExpertPage

    if isinstance(page, HealthContentPage):
        return "article"
    if isinstance(page, ExpertPage):
        return "profile"
    return "website"


def page_image(page):
    """The image that represents the page, if it has one: an expert's photo, else the body's first image."""
    photo = getattr(page, "photo", None)
    if photo is not None:
        return photo, page.display_name, "fill-600x600"
    for block in getattr(page, "body", None) or []:
        if block.block_type == "image" and block.value.get("image"):
            return block.value["image"], block.value.get("alt_text", ""), "fill-1200x630"
    return None


def og_image(page, request):
    """{url, width, height, alt} of a rendition of the page's image for link previews, or None.

    Kept on the page object, so the Open Graph tags and the JSON-LD share one rendition lookup.
    """
    if not hasattr(page, "_og_image"):
        page._og_image = None
        found = page_image(page)
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
