import factory
import wagtail_factories
from django.utils import timezone
from taggit.models import Tag
from wagtail.rich_text import RichText

from articles.models import ArticleIndexPage, ArticlePage, QuestionIndexPage, QuestionPage, TopicIndexPage, TopicPage
from discsite.core.factories import section
from experts.factories import ExpertPageFactory


class QuestionIndexPageFactory(wagtail_factories.PageFactory):
    title = "Expert answers"
    slug = "questions"
    intro = "Questions answered by named specialists."

    class Meta:
        model = QuestionIndexPage


class ArticleIndexPageFactory(wagtail_factories.PageFactory):
    title = "Articles"
    slug = "articles"
    intro = "Longer guides."

    class Meta:
        model = ArticleIndexPage


class TopicIndexPageFactory(wagtail_factories.PageFactory):
    title = "Topics"
    slug = "topics"
    intro = "Browse by subject."

    class Meta:
        model = TopicIndexPage


class HealthPageFactory(wagtail_factories.PageFactory):
    summary = factory.LazyAttribute(lambda page: f"A short answer about {page.title.lower()}")
    body = factory.LazyAttribute(
        lambda page: [("paragraph", RichText(f"<p>The full text of {page.title.lower()}.</p>"))]
    )
    first_published_at = factory.LazyFunction(timezone.now)
    last_published_at = factory.SelfAttribute("first_published_at")

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def tags(self, create, names, **kwargs):
        if names:
            self.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])
            if create:
                self.save()


class QuestionPageFactory(HealthPageFactory):
    title = factory.Sequence(lambda n: f"Question number {n}?")
    author = factory.SubFactory(ExpertPageFactory)
    parent = factory.LazyFunction(lambda: section(QuestionIndexPage))

    class Meta:
        model = QuestionPage
        skip_postgeneration_save = True


class ArticlePageFactory(HealthPageFactory):
    title = factory.Sequence(lambda n: f"Article number {n}")
    parent = factory.LazyFunction(lambda: section(ArticleIndexPage))

    class Meta:
        model = ArticlePage
        skip_postgeneration_save = True


class TopicPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Topic {n}")
    tag = factory.LazyAttribute(lambda page: Tag.objects.get_or_create(name=page.title)[0])
    intro = factory.LazyAttribute(lambda page: f"Everything about {page.title.lower()}.")
    parent = factory.LazyFunction(lambda: section(TopicIndexPage))

    class Meta:
        model = TopicPage
