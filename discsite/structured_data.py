"""schema.org data for every public page, as one JSON-LD `@graph`, which each page type builds itself.

What each page type says about itself (its `schema_graph` and `schema_node` methods):

- home (discsite.models.HomePage): the `WebSite`, with a `SearchAction` for the site search, and its
  publisher;
- answers and articles (articles.models.HealthContentPage): a `MedicalWebPage` about the condition
  (a `MedicalCondition`) with its author (the expert, or the editorial team as an `Organization`), its
  clinical review (`reviewedBy`, `lastReviewed`, only once a clinician has reviewed it) and, for
  articles, the studies it cites; an expert answer's page has a `Question` (worded by the editorial
  team: who asked is not known) with its `acceptedAnswer` by the expert as its main entity, both
  dated with the source's own date. Not `QAPage`: Google keeps that for questions its users answer;
- experts (experts.models.ExpertPage): a `ProfilePage` whose main entity is the `Person`, also an
  `IndividualPhysician` when their department is a medical specialty (schema.org's `Physician` is
  a practice, an organisation);
- topics and section pages: a `CollectionPage`;
- every page but the home page: a `BreadcrumbList` with the same crumbs as the page shows; a page
  with an image of its own (an article's first image, an expert's portrait) names it as its
  `primaryImageOfPage`.

Every type, property and enumeration value used is checked against schema.org's vocabulary by
discsite/tests/test_schema_vocabulary.py.

The building blocks every type shares are in discsite.core.schema. Here: the graph in a <script>
element no value can break out of.

Sponsorship is not marked up: `sponsor` would say the whole page is paid for, while our
sponsored pages carry one labelled promotional section, and the site has no record of a
sponsoring organisation to name.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# The characters that could end a <script> element or open an HTML comment inside it,
# escaped as JSON allows (as Django's json_script does), so no value can break out.
JSON_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def page_graph(page, request):
    """The schema.org graph of `page`, ready for json.dumps: as the page's type builds it."""
    return page.schema_graph(request)


def json_ld_script(data):
    """`data` in a <script type="application/ld+json"> element that no value can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
