"""Wagtail's own searches (the admin's listings and every chooser) work for each role, whatever is typed.

The public site's ranked search (discsite/search.py) must not reach into them: the admin searches
with Wagtail's backend as it is, on SQLite and on PostgreSQL alike. Each role signs in and types a
handful of queries, ordinary and odd, into every admin search box; none may answer 500, a role that
may not see a view is sent away (302) or refused (403), and a search really narrows what is listed.
"""

import json
from urllib.parse import parse_qsl

import pytest
import wagtail_factories
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import escape
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page

from articles.models import QuestionPage
from experts.models import ExpertPage

pytestmark = pytest.mark.usefixtures("seeded")

# username -> group (None: a superuser), as create_demo_users makes them.
ROLES = {
    "editor": "Editors",
    "clinician": "Clinical reviewers",
    "moderator": "Moderators",
    "admin": None,
}
QUERIES = [
    "slipped disc",
    "Wang",
    "",
    "a",
    "  ",
    '"',
    "AND OR",
    "%",
    "椎间盘突出",
    "Ünïcödé naïve 💥",
    "disc*",
    "NEAR(",
]


def sign_in(client, django_user_model, username):
    group = ROLES[username]
    user = django_user_model.objects.create_user(
        username=username,
        email=f"{username}@example.com",
        password="changeme",
        is_superuser=group is None,
        is_staff=group is None,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def home():
    return Page.objects.get(depth=2)


# Every admin view with a search box: name -> its URL (the query goes in ?q=).
VIEWS = {
    "dashboard search": lambda: reverse("wagtailadmin_pages:search"),
    "page explorer": lambda: reverse("wagtailadmin_explore", args=[home().pk]),
    "image listing": lambda: reverse("wagtailimages:index"),
    "image listing results": lambda: reverse("wagtailimages:index_results"),
    "document listing": lambda: reverse("wagtaildocs:index"),
    "document listing results": lambda: reverse("wagtaildocs:index_results"),
    "image chooser": lambda: reverse("wagtailimages_chooser:choose"),
    "image chooser results": lambda: reverse("wagtailimages_chooser:choose_results"),
    "document chooser": lambda: reverse("wagtaildocs_chooser:choose"),
    "document chooser results": lambda: reverse("wagtaildocs_chooser:choose_results"),
    "page chooser": lambda: reverse("wagtailadmin_choose_page"),
    "page chooser search": lambda: reverse("wagtailadmin_choose_page_search"),
    "expert page chooser": lambda: reverse("wagtailadmin_choose_page_search") + "?page_type=experts.expertpage",
    "synonym snippets": lambda: reverse("wagtailsnippets_discsite_searchsynonym:list"),
}

# Views a role may not see, and what it gets instead (a redirect to the dashboard with a message).
# Clinical reviewers have no image, document or snippet permissions: they may not list them, but
# may still choose images and documents (Wagtail's choosers ask only for access to the admin).
REFUSED = {
    "clinician": {
        "image listing": 302,
        "image listing results": 302,
        "document listing": 302,
        "document listing results": 302,
        "synonym snippets": 302,
    },
}


def search(client, view, query):
    path, _, fixed = VIEWS[view]().partition("?")
    return client.get(path, {**dict(parse_qsl(fixed)), "q": query})


def text(response):
    """The HTML of a response; a chooser's (a modal's JSON) unwrapped."""
    body = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        return json.loads(body).get("html", "")
    return body


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def files(media):
    """Two images and two documents, to tell a search that filters from one that lists everything."""
    root = Collection.get_first_root_node()  # where the roles' image and document permissions are
    images = [
        wagtail_factories.ImageFactory(title=title, collection=root, file__width=20, file__height=20)
        for title in ["Lumbar spine diagram", "Knee brace photo"]
    ]
    Document = get_document_model()
    documents = [
        Document.objects.create(title="Lumbar spine handout", file=ContentFile(b"%PDF-1.4", name="spine.pdf")),
        Document.objects.create(title="Knee exercises handout", file=ContentFile(b"%PDF-1.4", name="knee.pdf")),
    ]
    return images, documents


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("view", list(VIEWS))
def test_every_admin_search_answers_for_every_role_and_query(client, django_user_model, files, role, view):
    sign_in(client, django_user_model, role)
    expected = REFUSED.get(role, {}).get(view, 200)
    for query in QUERIES:
        response = search(client, view, query)
        assert response.status_code == expected, (role, view, query, response.status_code)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("view", ["dashboard search", "page explorer", "page chooser search", "expert page chooser"])
def test_searching_for_an_experts_name_finds_them_and_not_the_other_pages(client, django_user_model, role, view):
    sign_in(client, django_user_model, role)
    wangs = ExpertPage.objects.filter(title__icontains="Wang")
    others = ExpertPage.objects.exclude(title__icontains="Wang")
    assert wangs.count() >= 2
    assert others.exists()
    body = text(search(client, view, "Wang"))
    for expert in wangs:
        assert expert.title in body, (role, view, expert.title)
    for expert in others:
        assert expert.title not in body, (role, view, expert.title)
    # Nor does it list the health pages, which mention no Wang.
    for page in QuestionPage.objects.all():
        assert escape(page.title) not in body, (role, view, page.title)


@pytest.mark.parametrize("role", ["editor", "moderator", "admin"])
@pytest.mark.parametrize(
    "view", ["image listing", "image chooser", "image chooser results", "document listing", "document chooser"]
)
def test_searching_images_and_documents_narrows_the_listing(client, django_user_model, files, role, view):
    sign_in(client, django_user_model, role)
    body = text(search(client, view, "spine"))
    assert "Lumbar spine" in body, (role, view)
    assert "Knee" not in body, (role, view)
    everything = text(search(client, view, ""))
    assert "Lumbar spine" in everything
    assert "Knee" in everything


def test_a_search_for_nothing_that_matches_lists_nothing(client, django_user_model, files):
    sign_in(client, django_user_model, "admin")
    for view in ["dashboard search", "page chooser search", "image chooser results"]:
        body = text(search(client, view, "zzzxqnothingmatches"))
        for title in ["Wang Fei", "Lumbar spine", "Knee brace"]:
            assert title not in body, (view, title)
