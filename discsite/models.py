"""The site's own models: the home page, the synonyms its search widens queries with, and the record of
imported source documents (discsite.importing)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable, Page

from articles.models import HEALTH_PAGE_MODELS, ArticlePage, QuestionPage, TopicPage
from discsite.core.caching import digest, versioned
from discsite.core.internals import remember_parent
from discsite.core.listing import load_listing_cards
from discsite.core.models import BasePage
from discsite.core.schema import SCHEMA, absolute_url, organization_node, website_node
from discsite.core.text import words
from experts.models import ExpertPage


class HomePage(BasePage):
    """The site root: featured content, then the latest answers, articles, topics and experts."""

    intro = models.TextField(blank=True, help_text="The welcome text under the site's main heading.")

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel(
            "featured_items",
            label="Featured page",
            heading="Featured",
            help_text="Pages shown first on the home page, in this order.",
            max_num=3,
        ),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "articles.QuestionIndexPage",
        "articles.ArticleIndexPage",
        "articles.TopicIndexPage",
        "experts.ExpertIndexPage",
    ]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)

        # All lazy: when the home page's rendered content is kept, none of these querysets is even built
        # (building them was a third of the Python calls of a request).
        def latest(model, count):
            featured = self.featured_items.values("page_id")
            return model.objects.for_listing().exclude(pk__in=featured)[:count]

        context.update(
            featured=SimpleLazyObject(
                lambda: [
                    page for page in load_listing_cards(self.featured_page_ids(), HEALTH_PAGE_MODELS) if page.live
                ]
            ),
            latest_answers=SimpleLazyObject(lambda: latest(QuestionPage, 4)),
            latest_articles=SimpleLazyObject(lambda: latest(ArticlePage, 3)),
            topics=SimpleLazyObject(lambda: TopicPage.objects.live().order_by("title")),
            experts=SimpleLazyObject(lambda: ExpertPage.objects.live().order_by("title")[:8]),
        )
        return context

    def route(self, request, path_components):
        """The section pages below home are few and fixed; each is fetched once per content version."""
        if not path_components:
            return super().route(request, path_components)
        slug = path_components[0]
        child = versioned(f"home-child:{self.pk}:{digest(slug)}", lambda: self.specific_child(slug))
        if child is None:
            raise Http404
        remember_parent(child, self)
        return child.route(request, path_components[1:])

    def specific_child(self, slug):
        child = self.get_children().filter(slug=slug).first()
        return child.specific if child is not None else None

    def featured_page_ids(self):
        return [item.page_id for item in self.featured_items.all()]

    def schema_graph(self, request):
        """The `WebSite`, with a `SearchAction` for the site search, and its publisher: no page node or
        breadcrumbs of its own, the home page stands for the site."""
        website = website_node(request)
        website["potentialAction"] = {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": f"{absolute_url(request, reverse('search'))}?q={{search_term_string}}",
            },
            "query-input": "required name=search_term_string",
        }
        return {"@context": SCHEMA, "@graph": [website, organization_node(request)]}


class HomePageFeaturedItem(Orderable):
    home_page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_items")
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="An answer or article to feature.",
    )

    panels = [PageChooserPanel("page", page_type=["articles.QuestionPage", "articles.ArticlePage"])]


class SearchSynonym(models.Model):
    """Words readers use for a term our pages use, so that site search finds either.

    Readers search for "slipped disc"; clinicians write "herniated disc". Matching
    works both ways and across the row: a search for any alternative also finds pages
    that use the term or another alternative, and the other way round (discsite/search.py).
    """

    term = models.CharField(
        max_length=100,
        unique=True,
        help_text="The word or phrase our pages use, e.g. 'herniated disc'. Case does not matter.",
    )
    alternatives = models.TextField(
        help_text=(
            "Other words readers use for the same thing, separated by commas or one per line, e.g. "
            "'slipped disc, ruptured disc, prolapsed disc'. Searching for any of them also finds the term, "
            "and searching for the term finds them. Only letters and numbers count, not punctuation."
        )
    )

    panels = [FieldPanel("term"), FieldPanel("alternatives")]

    class Meta:
        ordering = ["term"]
        verbose_name = "search synonym"

    def __str__(self):
        return self.term

    @property
    def alternative_list(self):
        """The alternatives as a list, blanks and repeats dropped, in the order given."""
        items = (item.strip() for line in self.alternatives.splitlines() for item in line.split(","))
        return list(dict.fromkeys(item for item in items if item))

    def clean(self):
        super().clean()
        errors = {}
        if not words(self.term):
            errors["term"] = "The term needs at least one word of letters or numbers."
        if not any(words(item) for item in self.alternative_list):
            errors["alternatives"] = "Give at least one alternative of letters or numbers."
        if errors:
            raise ValidationError(errors)


# ------------------------------------------------------------------ imported source documents


class ImportedDocument(models.Model):
    """One import of one source document (discsite.importing.pipeline): what the file was, who brought
    it in and when, what it said about itself and what was left out. A changed version of a file is a
    new row, linked to the same pages, so the history of a source stays readable."""

    name = models.CharField(max_length=255, db_index=True, help_text="The file's name as uploaded, without folders.")
    checksum = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the file's bytes, hex.")
    text_checksum = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="SHA-256 of the text read from the file: the same for the same document in another encoding.",
    )
    format = models.CharField(max_length=20, help_text="text, markdown, html or docx.")
    kind = models.CharField(max_length=20, help_text="doctor_qa, portal_qa or article.")
    size = models.PositiveIntegerField(help_text="Bytes.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    metadata = models.JSONField(
        default=dict, blank=True, help_text="What the source says about itself: dates, names, source, URL."
    )
    dropped = models.JSONField(default=list, blank=True, help_text="Every piece left out, with why: [{text, reason}].")
    notes = models.JSONField(default=list, blank=True, help_text="Notes for the editor: [{page, note}].")

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = "imported document"

    def __str__(self):
        return f"{self.name} ({self.imported_at:%Y-%m-%d %H:%M})"


class ImportedPage(models.Model):
    """A page an import made or revised, by its key in the document ("answer-2", "article"), so that a
    changed version of the same file finds the pages it made before."""

    document = models.ForeignKey(ImportedDocument, on_delete=models.CASCADE, related_name="pages")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The revision the import saved, to tell whether the page was edited since.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "key"], name="unique_imported_page_key")]
        verbose_name = "imported page"

    def __str__(self):
        return f"{self.document.name}: {self.key}"


class PendingImport(models.Model):
    """An upload kept between the import screen's preview and the import itself."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    checksum = models.CharField(max_length=64)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = "pending import"

    def __str__(self):
        return self.name
