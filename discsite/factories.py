"""The site's home page factory, and the skeleton tree every test site needs (the home page and its sections)."""

from dataclasses import dataclass

import factory
import wagtail_factories
from wagtail.models import Page, Site

from articles.factories import ArticleIndexPageFactory, QuestionIndexPageFactory, TopicIndexPageFactory
from articles.models import ArticleIndexPage, QuestionIndexPage, TopicIndexPage
from articles.workflow import assign_clinical_review_workflow
from discsite.models import HomePage
from experts.factories import ExpertIndexPageFactory
from experts.models import ExpertIndexPage


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Lumbar disc herniation, explained"
    slug = "home"
    intro = "Answers and articles about a herniated disc in the lower back."
    parent = factory.LazyFunction(Page.get_first_root_node)

    class Meta:
        model = HomePage


@dataclass
class SiteTree:
    home: HomePage
    questions: Page
    articles: Page
    topics: Page
    experts: Page


def build_site_tree():
    """The home page and the four section pages, as the default site; reused if they exist."""
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's migrations leave a plain "Welcome" page holding the slug 'home'.
        Page.objects.filter(depth=2, slug="home").delete()
        home = HomePageFactory()
        Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost"})
    tree = SiteTree(
        home=home,
        questions=QuestionIndexPage.objects.first() or QuestionIndexPageFactory(parent=home),
        articles=ArticleIndexPage.objects.first() or ArticleIndexPageFactory(parent=home),
        topics=TopicIndexPage.objects.first() or TopicIndexPageFactory(parent=home),
        experts=ExpertIndexPage.objects.first() or ExpertIndexPageFactory(parent=home),
    )
    for index in (tree.home, tree.questions, tree.articles, tree.topics, tree.experts):
        assign_clinical_review_workflow(index)
    return tree
