"""Where each page type may live, and that the index pages are singletons."""

import pytest
from django.apps import apps
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from articles.models import ArticleIndexPage, ArticlePage, QuestionIndexPage, QuestionPage, TopicIndexPage, TopicPage
from discsite.factories import build_site_tree
from discsite.models import HomePage
from experts.models import ExpertIndexPage, ExpertPage

INDEX_PAGES = {
    QuestionIndexPage: {QuestionPage},
    ArticleIndexPage: {ArticlePage},
    TopicIndexPage: {TopicPage},
    ExpertIndexPage: {ExpertPage},
}


class PageTypeRulesTests(WagtailPageTestCase):
    def test_home_page_sits_at_the_top_and_holds_the_four_sections(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, set(INDEX_PAGES))

    def test_each_index_holds_only_its_own_pages(self):
        for index, children in INDEX_PAGES.items():
            with self.subTest(index=index.__name__):
                self.assertAllowedParentPageTypes(index, {HomePage})
                self.assertAllowedSubpageTypes(index, children)
                for child in children:
                    self.assertAllowedParentPageTypes(child, {index})
                    self.assertAllowedSubpageTypes(child, set())

    def test_index_pages_and_home_are_singletons(self):
        tree = build_site_tree()
        for index in INDEX_PAGES:
            with self.subTest(index=index.__name__):
                self.assertEqual(index.max_count, 1)
                self.assertFalse(index.can_create_at(tree.home))
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))

    def test_content_pages_can_be_created_under_their_index(self):
        tree = build_site_tree()
        self.assertCanCreateAt(QuestionIndexPage, QuestionPage)
        self.assertCanCreateAt(ArticleIndexPage, ArticlePage)
        self.assertCanNotCreateAt(QuestionIndexPage, ArticlePage)
        self.assertCanNotCreateAt(HomePage, QuestionPage)
        self.assertTrue(QuestionPage.can_create_at(tree.questions))

    def test_every_page_is_routable(self):
        from articles.factories import ArticlePageFactory, QuestionPageFactory, TopicPageFactory
        from experts.factories import ExpertPageFactory

        tree = build_site_tree()
        pages = [
            tree.home,
            tree.questions,
            tree.articles,
            tree.topics,
            tree.experts,
            QuestionPageFactory(),
            ArticlePageFactory(),
            TopicPageFactory(),
            ExpertPageFactory(),
        ]
        for page in pages:
            with self.subTest(page=page.title):
                self.assertPageIsRoutable(page)
                self.assertPageIsRenderable(page)


def test_every_page_model_has_a_factory():
    """A new page type without a factory cannot be tested the same way as the others."""
    import articles.factories
    import discsite.factories
    import experts.factories

    factory_models = {
        factory._meta.model
        for module in (articles.factories, discsite.factories, experts.factories)
        for factory in vars(module).values()
        if hasattr(factory, "_meta") and getattr(factory._meta, "model", None)
    }
    page_models = {
        model
        for model in apps.get_models()
        if issubclass(model, Page)
        and model is not Page
        and model._meta.app_label in {"discsite", "articles", "experts"}
    }
    assert page_models - factory_models == set()


@pytest.mark.django_db
def test_roles_exist_after_migrate():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"Editors", "Clinical reviewers", "Moderators"}


def test_each_page_type_says_what_it_is_to_link_previews_and_schema_org():
    """`og_type` and the `@type` of its JSON-LD node are the page type's own, not looked up by its class."""
    expected = {
        HomePage: ("website", "WebPage"),  # its graph is the WebSite's (HomePage.schema_graph)
        QuestionIndexPage: ("website", "CollectionPage"),
        ArticleIndexPage: ("website", "CollectionPage"),
        TopicIndexPage: ("website", "CollectionPage"),
        ExpertIndexPage: ("website", "CollectionPage"),
        TopicPage: ("website", "CollectionPage"),
        QuestionPage: ("article", "MedicalWebPage"),
        ArticlePage: ("article", "MedicalWebPage"),
        ExpertPage: ("profile", "ProfilePage"),
    }
    assert {model: (model.og_type, model.schema_type) for model in expected} == expected
