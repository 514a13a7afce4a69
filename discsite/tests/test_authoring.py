"""Every page type's add form fills the slug from the title as the editor types (see
articles/tests/test_authoring.py for why, and for the first save of a new expert answer)."""

import pytest
from wagtail.models import Page, get_page_models

from articles.tests.test_authoring import slug_the_browser_fills
from discsite.factories import HomePageFactory


@pytest.fixture
def home(db):
    """Only the home page, so that each singleton section page can still be added under it."""
    Page.objects.filter(depth=2, slug="home").delete()
    return HomePageFactory()


# Each page type: (its add form's model path, where it is added), the parent named by a fixture.
ADD_FORMS = {
    "discsite.HomePage": ("discsite/homepage", "root"),
    "articles.QuestionIndexPage": ("articles/questionindexpage", "home"),
    "articles.ArticleIndexPage": ("articles/articleindexpage", "home"),
    "articles.TopicIndexPage": ("articles/topicindexpage", "home"),
    "experts.ExpertIndexPage": ("experts/expertindexpage", "home"),
    "articles.QuestionPage": ("articles/questionpage", "questions"),
    "articles.ArticlePage": ("articles/articlepage", "articles"),
    "articles.TopicPage": ("articles/topicpage", "topics"),
    "experts.ExpertPage": ("experts/expertpage", "experts"),
}


def test_every_page_type_is_checked_below():
    ours = {
        model._meta.label
        for model in get_page_models()
        if model._meta.app_label in {"discsite", "articles", "experts"}
    }
    assert ours == set(ADD_FORMS)


@pytest.mark.parametrize("page_type", ADD_FORMS)
def test_every_page_type_fills_its_slug_from_its_title(admin_client, request, page_type):
    path, parent = ADD_FORMS[page_type]
    if parent == "root":
        parent_page = Page.get_first_root_node()
    elif parent == "home":
        parent_page = request.getfixturevalue("home")
    else:
        parent_page = getattr(request.getfixturevalue("site_tree"), parent)

    response = admin_client.get(f"/admin/pages/add/{path}/{parent_page.pk}/")

    assert response.status_code == 200
    assert slug_the_browser_fills(response.content.decode(), "A new page") == "a-new-page"
