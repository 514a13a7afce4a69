"""The JSON-LD of every page type uses schema.org's vocabulary as schema.org defines it.

Checked against schema.org's own vocabulary (vendor/schemaorg/vocabulary.json, extracted from the npm
package schema-dts by scripts/schemaorg_vocabulary.py): every `@type` exists; every property exists, is
not superseded, and is declared on one of the node's types or their ancestors (the subclass hierarchy
walked up to Thing); every schema.org enumeration value is a member of an enumeration. A node of two
types (an expert is a `Person` and an `IndividualPhysician`) may use the properties of either.
"""

import functools
import json
from pathlib import Path

import pytest
import wagtail_factories
from bs4 import BeautifulSoup
from wagtail.models import Page
from wagtail.rich_text import RichText

from articles.factories import ArticlePageFactory
from articles.tests.test_clinical_review import act, draft_question, submit
from experts.factories import ExpertPageFactory

VOCABULARY = json.loads((Path(__file__).parent / "vendor" / "schemaorg" / "vocabulary.json").read_text("utf-8"))
SCHEMA_PREFIX = "https://schema.org/"
# Google's action constraints (`query-input` for a SearchAction's `query`), which schema.org documents
# for the properties of an Action: https://schema.org/docs/actions.html
CONSTRAINT_SUFFIXES = ("-input", "-output")
ENUMERATION_MEMBERS = {member for members in VOCABULARY["members"].values() for member in members}


@functools.cache
def ancestors(schema_type):
    """The type and every type above it, through all of its parents."""
    found = {schema_type}
    for parent in VOCABULARY["types"].get(schema_type, ()):
        found |= ancestors(parent)
    return frozenset(found)


def as_list(value):
    return value if isinstance(value, list) else [value]


def vocabulary_problems(data, where="$"):
    """Every use of a type, property or enumeration value in `data` that schema.org does not define."""
    problems = []
    if isinstance(data, list):
        for index, item in enumerate(data):
            problems += vocabulary_problems(item, f"{where}[{index}]")
        return problems
    if isinstance(data, str):
        if data.startswith(SCHEMA_PREFIX) and data.removeprefix(SCHEMA_PREFIX) not in ENUMERATION_MEMBERS:
            problems.append(f"{where}: {data} is no member of a schema.org enumeration")
        return problems
    if not isinstance(data, dict):
        return problems
    types = as_list(data.get("@type", []))
    for schema_type in types:
        if schema_type not in VOCABULARY["types"]:
            problems.append(f"{where}: no type {schema_type!r} in schema.org")
    properties = [key for key in data if not key.startswith("@")]
    if properties and not types:
        problems.append(f"{where}: a node with properties {properties} and no @type")
    allowed_on = set().union(*(ancestors(schema_type) for schema_type in types)) if types else set()
    for key in properties:
        name = key
        if key.endswith(CONSTRAINT_SUFFIXES) and "Action" in allowed_on:
            name = key.rsplit("-", 1)[0]
        domain = VOCABULARY["properties"].get(name)
        if domain is None:
            problems.append(f"{where}: no property {key!r} in schema.org")
        elif name in VOCABULARY["deprecated"]:
            problems.append(f"{where}: {key!r} is superseded in schema.org")
        elif types and not allowed_on & set(domain):
            problems.append(f"{where}: {key!r} is for {domain}, not for {types}")
    for key, value in data.items():
        if key not in ("@context", "@id", "@type"):
            problems += vocabulary_problems(value, f"{where}.{key}")
    return problems


def json_ld(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    (script,) = BeautifulSoup(response.content, "html.parser").find_all("script", type="application/ld+json")
    return json.loads(script.string)


def used_types(data):
    if isinstance(data, list):
        return set().union(*(used_types(item) for item in data)) if data else set()
    if not isinstance(data, dict):
        return set()
    return set(as_list(data.get("@type", []))).union(*(used_types(value) for value in data.values()))


# ------------------------------------------------------------------------------ the checker itself


def test_the_vocabulary_is_a_current_schema_org_release():
    assert VOCABULARY["source"]["package"].startswith("npm schema-dts@")
    # IndividualPhysician came with schema.org v21; Physician is a medical organisation, not a person.
    assert "IndividualPhysician" in VOCABULARY["types"]
    assert {"Physician", "MedicalOrganization", "Organization"} <= ancestors("IndividualPhysician")
    assert "Person" not in ancestors("Physician")
    assert "IndividualPhysician" in VOCABULARY["properties"]["practicesAt"]
    assert ancestors("MedicalWebPage") == {"MedicalWebPage", "WebPage", "CreativeWork", "Thing"}


@pytest.mark.parametrize(
    ("node", "problem"),
    [
        ({"@type": "Physican", "name": "A typo"}, "no type 'Physican'"),
        ({"@type": "Person", "nmae": "A typo"}, "no property 'nmae'"),
        # The old expert markup's mistake the other way round: a person's property on a practice.
        ({"@type": "IndividualPhysician", "honorificPrefix": "Dr"}, "'honorificPrefix' is for ['Person']"),
        ({"@type": "Person", "medicalSpecialty": SCHEMA_PREFIX + "Musculoskeletal"}, "'medicalSpecialty' is for"),
        ({"@type": "Question", "acceptedAnswer": {"@type": "Answer", "answerCount": 1}}, "'answerCount' is for"),
        ({"@type": "WebPage", "lastReviewed": "2025-01-23", "query-input": "required"}, "no property 'query-input'"),
        ({"@type": "MedicalWebPage", "aspect": "Symptoms"}, "'aspect' is superseded"),
        ({"@type": "Person", "medicalSpecialty": "x", "knowsAbout": SCHEMA_PREFIX + "Orthopedics"}, "Orthopedics"),
        ({"@id": "#a", "name": "no type"}, "no @type"),
    ],
)
def test_the_checker_catches_what_schema_org_does_not_define(node, problem):
    found = vocabulary_problems({"@context": "https://schema.org", "@graph": [node]})
    assert any(problem in message for message in found), found


def test_the_checker_accepts_a_node_of_two_types_and_the_search_action_constraint():
    person = {
        "@type": ["Person", "IndividualPhysician"],
        "honorificPrefix": "Dr",
        "medicalSpecialty": SCHEMA_PREFIX + "Musculoskeletal",
        "worksFor": {"@type": "Organization", "name": "City Hospital"},
    }
    search = {"@type": "SearchAction", "target": {"@type": "EntryPoint", "urlTemplate": "/?q={q}"}, "query-input": "q"}
    assert vocabulary_problems([person, search]) == []


# ------------------------------------------------------------------------------ the site's pages


@pytest.mark.usefixtures("seeded")
def test_every_seeded_page_type_speaks_schema_org(client):
    seen = {}
    for page in Page.objects.live().filter(depth__gte=2).specific():
        data = json_ld(client, page.url)
        assert vocabulary_problems(data) == [], page.url
        seen.setdefault(type(page).__name__, used_types(data))
    assert set(seen) == {
        "HomePage",
        "QuestionIndexPage",
        "QuestionPage",
        "ArticleIndexPage",
        "ArticlePage",
        "TopicIndexPage",
        "TopicPage",
        "ExpertIndexPage",
        "ExpertPage",
    }
    assert {"WebSite", "SearchAction", "EntryPoint"} <= seen["HomePage"]
    assert {"MedicalWebPage", "Question", "Answer", "IndividualPhysician", "MedicalCondition"} <= seen["QuestionPage"]
    assert {"ProfilePage", "Person", "IndividualPhysician"} <= seen["ExpertPage"]
    assert "Physician" not in set().union(*seen.values()), "a person is never typed as a medical practice"


@pytest.mark.django_db
def test_optional_properties_speak_schema_org_too(client, site_tree, roles, settings, tmp_path):
    """What the seed does not exercise: a portrait, an institution, a biography, a department that is no
    medical specialty, an article's image and full citation, and a clinical review."""
    settings.MEDIA_ROOT = tmp_path
    photo = wagtail_factories.ImageFactory(file__width=800, file__height=800)
    expert = ExpertPageFactory(
        title="Photo Graphed",
        photo=photo,
        credentials="MD",
        job_title="Consultant",
        institution="City Hospital",
        department="Patient education",
        bio="<p>Writes for patients.</p>",
    )
    figure = wagtail_factories.ImageFactory(file__width=1600, file__height=900)
    article = ArticlePageFactory(
        author=expert,
        body=[
            ("paragraph", RichText("<p>Text.</p>")),
            ("image", {"image": figure, "alt_text": "A model of the lumbar spine", "caption": "", "credit": ""}),
        ],
        references=[
            (
                "citation",
                {
                    "authors": "Smith J, Lee K",
                    "title": "A trial",
                    "journal": "Example Spine Journal",
                    "year": 2021,
                    "doi": "10.1000/xyz123",
                    "pmid": "12345678",
                    "url": "https://example.org/trial",
                    "note": "",
                },
            )
        ],
    )
    page = submit(draft_question(roles["editor"], title="Is walking good for a herniated disc?"), roles["editor"])
    page = act(page, roles["clinician"], "approve", comment="Accurate.", next_review_due=None)
    page = act(page, roles["moderator"], "approve", comment="")
    for url in (expert.url, article.url, page.url):
        data = json_ld(client, url)
        assert vocabulary_problems(data) == [], url
    assert {"ImageObject", "ScholarlyArticle", "PropertyValue"} <= used_types(json_ld(client, article.url))
    (profile, *_) = json_ld(client, expert.url)["@graph"]
    assert profile["mainEntity"]["@type"] == "Person", "no medical specialty: a person, not a physician"
    assert profile["mainEntity"]["knowsAbout"] == "Patient education"
    (reviewed, *_) = json_ld(client, page.url)["@graph"]
    assert {"reviewedBy", "lastReviewed"} <= set(reviewed)


@pytest.mark.parametrize(
    ("department", "types", "specialty_property"),
    [
        ("Orthopedics", ["Person", "IndividualPhysician"], "medicalSpecialty"),
        ("Physiotherapy", "Person", "knowsAbout"),  # a medical specialty, but a physiotherapist is no physician
    ],
)
def test_only_physicians_are_typed_individual_physician(client, site_tree, department, types, specialty_property):
    expert = ExpertPageFactory(title="Li Wen", department=department)
    (profile, *_) = json_ld(client, expert.url)["@graph"]
    assert profile["mainEntity"]["@type"] == types
    assert profile["mainEntity"][specialty_property].startswith(SCHEMA_PREFIX)
    assert vocabulary_problems(json_ld(client, expert.url)) == []
