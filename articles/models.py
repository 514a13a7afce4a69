"""Health content: expert answers, articles, topics and their tags.

ArticlePage and QuestionPage share one abstract base, HealthContentPage, which
carries everything a reader needs to judge a page: who wrote it, where it came
from, whether it is sponsored and when a clinician last reviewed it.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    HelpPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
    TitleFieldPanel,
)
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from discsite.core.internals import was_prefetched
from discsite.core.listing import load_listing_cards, paginate_cards
from discsite.core.models import NEWEST_FIRST, BasePage, IndexPage, SiteSettings
from discsite.core.schema import editorial_team_node, iso, language_tag
from experts.serializers import ExpertSummaryField

from .admin_status import review_status
from .blocks import HealthBodyBlock, ReferencesBlock, body_texts
from .forms import HealthPageForm
from .guardrail import promotion_findings
from .integrity import REVIEW_RECORD_FIELDS
from .panels import HealthChecksPanel, ImportRecordPanel
from .readability import page_text, reading_level
from .serializers import TagNameField, TagNamesField
from .workflow import clinical_review_workflow

# The condition every health page on the site is about, as schema.org (the `about` of its JSON-LD).
# No ICD-10 code is given: lumbar disc herniation spans two WHO ICD-10 codes (M51.1 with
# radiculopathy, M51.2 without) and more in ICD-10-CM, so any single code would be wrong for some pages.
CONDITION = {
    "@type": "MedicalCondition",
    "name": "Lumbar disc herniation",
    "alternateName": ["Herniated disc", "Slipped disc", "Herniated lumbar disc", "Prolapsed disc", "Ruptured disc"],
    "associatedAnatomy": {"@type": "AnatomicalStructure", "name": "Lumbar intervertebral disc"},
}


class HealthPageTag(TaggedItemBase):
    """Tags on any health page, in one table so a topic lists answers and articles together."""

    content_object = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="health_tagged_items")

    class Meta:
        verbose_name = "health page tag"


class HealthPageQuerySet(PageQuerySet):
    def for_listing(self):
        """Live pages, newest first, with what a listing card shows joined in."""
        return self.live().select_related("author", "reviewed_by").order_by("-first_published_at", "-pk")


HealthPageManager = PageManager.from_queryset(HealthPageQuerySet)


def health_edit_handler(content_panels, provenance_panels, review_panels, *extra_tabs):
    """The editor's tabs for a health page, in the order an editor works through them. The Content
    tab ends with the checks of its text, and the editor's reason if they flag wording that is not
    promotion."""
    return TabbedInterface(
        [
            ObjectList(
                [
                    *content_panels,
                    HealthChecksPanel(heading="Reading level and checks"),
                    FieldPanel("promotion_reason"),
                ],
                heading="Content",
            ),
            *extra_tabs,
            ObjectList(provenance_panels, heading="Author, source & sponsorship"),
            ObjectList(review_panels, heading="Clinical review"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )


class HealthContentPage(BasePage):
    """The abstract base of every page of health content."""

    summary = models.TextField(
        help_text=(
            "The introduction: a few plain sentences shown under the title, in listings and "
            "as the search-engine description."
        )
    )
    body = StreamField(HealthBodyBlock())
    tags = ClusterTaggableManager(
        through=HealthPageTag,
        blank=True,
        help_text=(
            "Topics this page belongs to. A tag links readers to its topic page once one is made for it "
            "(Pages → Topics → Add child page); a new tag has none until then."
        ),
    )
    author = models.ForeignKey(
        "experts.ExpertPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)s_authored",
        help_text="Leave empty for content written by the editorial team.",
    )
    source_name = models.CharField(
        max_length=200, blank=True, help_text="Where this content first appeared, e.g. 'Cainiu Health'."
    )
    source_url = models.URLField(
        blank=True, verbose_name="source URL", help_text="A link to the original, if it is public."
    )
    source_updated_on = models.DateField(
        null=True, blank=True, help_text="The date the source gives for its last update."
    )
    is_sponsored = models.BooleanField(
        default=False,
        verbose_name="contains sponsored material",
        help_text="Tick if any part of the page promotes a product or is paid for. Readers are always told.",
    )
    sponsor_disclosure = models.TextField(
        blank=True, help_text="Shown at the top of the page: who the sponsored material is from and what it is."
    )
    last_reviewed_on = models.DateField(
        null=True, blank=True, help_text="Set when a clinician approves the page in the clinical review workflow."
    )
    reviewed_by = models.ForeignKey(
        "experts.ExpertPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)s_reviewed",
        help_text="The clinician who last approved the page.",
    )
    next_review_due = models.DateField(
        null=True, blank=True, help_text="After this date the page is listed as due for clinical review."
    )
    reviewer_credit = models.CharField(
        max_length=400,
        blank=True,
        help_text="The reviewer as readers see them, as their profile stood when they approved the page.",
    )
    # On the page's own row, not looked up from the workflow tables when a page or card is shown: every
    # listing (sections, topics, profiles, search, home) then reads it with the card, without a query.
    live_content_in_review = models.BooleanField(
        default=False,
        editable=False,
        verbose_name="live content in clinical review",
        help_text=(
            "Whether what readers see is itself waiting in the Clinical review workflow (readers are told "
            "it awaits clinical review). Kept by the workflow (articles.review), never by hand."
        ),
    )
    reading_grade = models.FloatField(
        null=True, editable=False, verbose_name="reading grade", help_text="Flesch-Kincaid grade, set on save."
    )
    reading_smog = models.FloatField(null=True, editable=False, verbose_name="SMOG index")
    promotion_flags = models.JSONField(
        default=list, editable=False, help_text="Promotion found outside sponsored sections, set on save."
    )
    import_record = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        verbose_name="import record",
        help_text=(
            "Where an imported page came from, set by the import with each revision it saves, so the "
            "clinician reviews it with the content: the file, its checksum and format, who imported it "
            "and when, the source's own dates and names, notes for the editor and every piece left out "
            "(the keys are listed in articles.panels.ImportRecordPanel). Empty for pages written here."
        ),
    )
    promotion_reason = models.TextField(
        blank=True,
        verbose_name="why this is not promotion",
        help_text=(
            "Only if the checks above flag wording that is not promotion: say why (for example, "
            "'the NHS prescription charge'). Needed to submit such a page; the reviewing clinician sees it."
        ),
    )

    objects = HealthPageManager()
    base_form_class = HealthPageForm
    listing_joins = ("author",)  # a card names the author; of the review, only the page's own date
    card_deferred_fields = ("body",)
    # Other pages show an answer or an article only in listings, cards (kept per live revision) and
    # related-page sections; nothing else names it, and its body links only by URL (a move or a slug
    # change retires everything).
    publication_is_local = True
    og_type = "article"
    schema_type = "MedicalWebPage"
    summary_label = "the introduction"  # how the checks name the summary to the editor

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.RelatedFields("author", [index.SearchField("title"), index.SearchField("department")]),
        index.FilterField("is_sponsored"),
    ]

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    source_panels = [
        MultiFieldPanel(
            [FieldPanel("source_name"), FieldPanel("source_url"), FieldPanel("source_updated_on")],
            heading="Source",
            help_text="Where the content came from, shown to readers as 'Source: ...'.",
        ),
        MultiFieldPanel(
            [FieldPanel("is_sponsored"), FieldPanel("sponsor_disclosure")],
            heading="Sponsorship",
        ),
        ImportRecordPanel(heading="Imported from a source document"),
    ]
    provenance_panels = [FieldPanel("author"), *source_panels]
    review_panels = [
        HelpPanel(
            content=(
                "<p>The review record is stamped by the <b>Clinical review</b> workflow when a "
                "clinician approves this page. It cannot be edited by hand.</p>"
            )
        ),
        FieldRowPanel(
            [
                FieldPanel("last_reviewed_on", read_only=True),
                FieldPanel("reviewer_credit", read_only=True),
                FieldPanel("next_review_due", read_only=True),
            ]
        ),
    ]

    # A copy starts its own life: unreviewed and, being health content, not live until it has been reviewed.
    exclude_fields_in_copy = list(REVIEW_RECORD_FIELDS)

    # The read-only API (/api/v2/pages/): the content, who wrote it, where it came from and its review record.
    api_fields = [
        APIField("summary"),
        APIField("body"),
        APIField("tags", serializer=TagNamesField()),
        APIField("author", serializer=ExpertSummaryField()),
        APIField("source_name"),
        APIField("source_url"),
        APIField("source_updated_on"),
        APIField("is_sponsored"),
        APIField("sponsor_disclosure"),
        APIField("review_status"),
        APIField("last_reviewed_on"),
        APIField("reviewed_by", serializer=ExpertSummaryField()),
        APIField("reviewer_credit"),
        APIField("next_review_due"),
    ]

    class Meta:
        abstract = True

    def get_workflow(self):
        """Always the clinical review workflow, wherever the page sits in the tree.

        Health content must not depend on an administrator's workflow assignments to be reviewed;
        if that workflow were deactivated, nothing could be published (see `publish`).
        """
        if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
            return None
        return clinical_review_workflow()

    @property
    def status_string(self):
        """The page's clinical review stage wherever Wagtail shows a page's status (explorer,
        dashboard, reports): "Changes requested", "Awaiting sign-off", "Review overdue"..."""
        return review_status(self)

    def with_content_json(self, content):
        """Keep the live review record when a revision is loaded: it belongs to the page, not to the draft."""
        page = super().with_content_json(content)
        for name in REVIEW_RECORD_FIELDS:
            field = self._meta.get_field(name)
            setattr(page, field.attname, getattr(self, field.attname))
        return page

    def clean(self):
        super().clean()
        self.update_checks()
        has_sponsored_block = any(block.block_type == "sponsored" for block in self.body or [])
        errors = {}
        if has_sponsored_block and not self.is_sponsored:
            errors["is_sponsored"] = "The body has a sponsored section, so the page must be marked sponsored."
        if self.is_sponsored and not self.sponsor_disclosure.strip():
            errors["sponsor_disclosure"] = "Sponsored pages need a disclosure that readers see first."
        if errors:
            raise ValidationError(errors)

    def update_checks(self):
        """Reading level and the sponsored-content guardrail, from the text as it stands."""
        self.reading_grade, self.reading_smog = reading_level(page_text(self))
        self.promotion_flags = promotion_findings(self, site_hosts=settings.ALLOWED_HOSTS)

    def listed_on(self):
        """Also its topics and the profiles of its author and reviewer, which list it."""
        topics = [tag.topic_page for tag in self.tags.select_related("topic_page") if hasattr(tag, "topic_page")]
        experts = [expert for expert in (self.author, self.reviewed_by) if expert is not None]
        return [*super().listed_on(), *topics, *experts]

    @cached_property
    def tag_list(self):
        """The page's tags, fetched once per request however many parts of the page show them."""
        # With the topic page of each tag, for the topic links: a reverse one-to-one, so a join, not a query.
        # (For a preview, the tags are in memory and select_related does nothing.)
        tags = self.tags.all()
        if not was_prefetched(self, "tags"):  # a listing may have prefetched them
            tags = tags.select_related("topic_page")
        return sorted(tags, key=lambda tag: tag.name.lower())

    @property
    def review_status(self):
        """'reviewed', 'in_review' (never reviewed, and what readers see waits in clinical review) or
        'never'; what the public review line says."""
        if self.last_reviewed_on:
            return "reviewed"
        return "in_review" if self.live_content_in_review else "never"

    # The columns `content_moments` reads, which the feed reads without a page object.
    CONTENT_DATE_COLUMNS = (
        "first_published_at",
        "last_published_at",
        "owner_id",
        "last_reviewed_on",
        "source_updated_on",
    )

    @staticmethod
    def content_moments(*, first_published_at, last_published_at, owner_id, last_reviewed_on, source_updated_on):
        """(first published, last updated) of the content, each a publication here (a datetime), the
        source's own date (a date) or None: the one rule for the dates of a page's content, which
        `content_published_on` and `content_updated_on` show as days and the feed as instants.

        Updated: live content that went through clinical review (every such publication stamps the
        review record) was updated when that reviewed version went live; source material the seed
        published as its source gave it (the only way unreviewed content goes live) only when its
        source says. Published: the source's own date for source material; otherwise, for a page a
        person made, its first publication here, which went through clinical review. A page the seed
        made has no owner (the system made it): it was first published unreviewed, when the seed ran.
        Wagtail's publication times of such a page are when the seed ran, never a date of its content.
        """
        published = source_updated_on or (first_published_at if owner_id is not None else None)
        updated = last_published_at if last_reviewed_on and last_published_at else source_updated_on
        return published, updated

    def content_days(self):
        """This page's `content_moments` as days in the current time zone (the day a publication fell on)."""
        moments = self.content_moments(**{name: getattr(self, name) for name in self.CONTENT_DATE_COLUMNS})
        return [timezone.localdate(m) if isinstance(m, datetime.datetime) else m for m in moments]

    @property
    def content_updated_on(self):
        """The date readers are given for the content ("Updated ..."), or None (see `content_moments`)."""
        return self.content_days()[1]

    @property
    def content_published_on(self):
        """The date the content was first published, as far as it is known, or None (see `content_moments`)."""
        return self.content_days()[0]

    def get_related_health_pages(self, model, limit, pinned=(), exclude_author=False):
        """Pinned pages first, then live pages of `model` sharing the most tags with this one."""
        pinned = [page for page in pinned if page.live][:limit]
        remaining = limit - len(pinned)
        if remaining <= 0:
            return pinned
        tag_ids = [tag.pk for tag in self.tag_list]
        if not tag_ids:
            return pinned
        # Ranked as ids alone, then read as cards: grouping whole rows (bodies included) to count the
        # shared tags of thousands of candidates costs the database far more than the ranking itself.
        candidates = (
            model.objects.live()
            .exclude(pk__in=[self.pk, *(page.pk for page in pinned)])
            .filter(health_tagged_items__tag_id__in=tag_ids)
            .values("pk")
        )
        if len(tag_ids) == 1:  # every candidate shares the one tag: nothing to count
            candidates = candidates.order_by("-first_published_at", "-pk")
        else:
            shared = Count("health_tagged_items", filter=Q(health_tagged_items__tag_id__in=tag_ids))
            candidates = candidates.annotate(shared_tags=shared).order_by("-shared_tags", "-first_published_at", "-pk")
        if exclude_author and self.author_id:
            candidates = candidates.exclude(author_id=self.author_id)
        pks = [row["pk"] for row in candidates[:remaining]]
        return pinned + load_listing_cards(pks, [model], for_cards=True)

    def search_text(self):
        """The summary, then the body's prose (sponsored sections left out, so a snippet never quotes
        promotion), read without a query (see articles.blocks.body_texts)."""
        return " ".join([self.summary, *body_texts(self.body, prose_only=True)])

    def representative_image(self):
        """The body's first image."""
        for block in self.body or []:
            if block.block_type == "image" and block.value.get("image"):
                return block.value["image"], block.value.get("alt_text", ""), "fill-1200x630"
        return None

    def author_node(self, request):
        """Who wrote the page, as schema.org: the expert, or the editorial team as the site settings name it."""
        if self.author:
            return self.author.person_node(request)
        return self.editorial_team(request)

    def editorial_team(self, request):
        """The site's editorial team as schema.org's `Organization`, named as the site settings name it."""
        return editorial_team_node(request, SiteSettings.load(request_or_site=request).editorial_team_name)

    def schema_node(self, request, url):
        """A `MedicalWebPage` about the condition, with its author and, once a clinician has reviewed
        it, its clinical review. Sponsorship is not marked up: `sponsor` would say the whole page is
        paid for, while a sponsored page carries one labelled promotional section."""
        node = super().schema_node(request, url)
        # Dated as its content is, never by when the seed put source material here.
        for key, day in (("datePublished", self.content_published_on), ("dateModified", self.content_updated_on)):
            if day:
                node[key] = day.isoformat()
            else:
                node.pop(key, None)
        node["headline"] = self.title
        node["author"] = self.author_node(request)
        node["about"] = CONDITION
        node["isAccessibleForFree"] = True
        tags = [tag.name for tag in self.tag_list]
        if tags:
            node["keywords"] = ", ".join(tags)
        if self.last_reviewed_on:
            node["lastReviewed"] = self.last_reviewed_on.isoformat()
            if self.reviewed_by:
                node["reviewedBy"] = self.reviewed_by.person_node(request)
        return node


# A recording's length as the sources and editors write it: "1min 32sec", "56sec", "3min", "2 min 5 sec",
# "1 minute 32 seconds".
AUDIO_DURATION = re.compile(
    r"(?:(?P<minutes>\d+)\s*m(?:in(?:ute)?s?)?)?\s*(?:(?P<seconds>\d+)\s*s(?:ec(?:ond)?s?)?)?", re.I
)


def duration_in_words(text):
    """A length written the sources' way ("1min 32sec") in words, as a reader and a screen reader say
    it ("1 minute 32 seconds"). Anything else is returned as written: never a length it does not say."""
    text = text.strip()
    match = AUDIO_DURATION.fullmatch(text)
    if not match or not any(match.groups()):
        return text
    words = []
    for unit in ("minute", "second"):
        number = match.group(f"{unit}s")
        if number is not None:
            words.append(f"{int(number)} {unit}{'' if int(number) == 1 else 's'}")
    return " ".join(words)


class QuestionIndexPage(IndexPage):
    subpage_types = ["articles.QuestionPage"]

    class Meta:
        verbose_name = "expert answers index"

    listing_order = NEWEST_FIRST


class QuestionPage(HealthContentPage):
    """One question answered by one named expert. The title is the question."""

    listing_label = "Expert answer"
    summary_label = "the short answer"

    author = models.ForeignKey(
        "experts.ExpertPage",
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name="answering expert",
        help_text="The expert who gives this answer.",
    )
    audio = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The expert's recorded answer, if there is one; the body is its transcript.",
    )
    audio_duration = models.CharField(
        max_length=40, blank=True, help_text="The recording's length as the source gives it, e.g. '1min 32sec'."
    )

    # The title panel is Wagtail's TitleFieldPanel, as in Page.content_panels: it fills the slug (on
    # the Promote tab) from the question as it is typed, so a new answer saves the first time. The
    # answering expert is required, so it is asked for here, on the tab the editor starts on.
    content_panels = [
        TitleFieldPanel(
            "title", heading="Question", help_text="The question, as a reader would ask it.", placeholder="Question*"
        ),
        FieldPanel("author", heading="Answering expert"),
        FieldPanel("summary", heading="Short answer", help_text="The answer in two or three plain sentences."),
        FieldPanel("body", heading="Full answer"),
        FieldPanel("tags"),
    ]
    provenance_panels = [
        HelpPanel(content="<p>The answering expert is chosen on the <b>Content</b> tab, with the question.</p>"),
        *HealthContentPage.source_panels,
        MultiFieldPanel([FieldPanel("audio"), FieldPanel("audio_duration")], heading="Audio answer"),
    ]
    other_voices_panels = [
        InlinePanel(
            "pinned_voices",
            heading="Other voices",
            label="Pinned answer",
            help_text=(
                "Other experts' answers shown first under 'Other voices'. More are added "
                "automatically from answers that share this page's tags."
            ),
        )
    ]
    edit_handler = health_edit_handler(
        content_panels,
        provenance_panels,
        HealthContentPage.review_panels,
        ObjectList(other_voices_panels, heading="Other voices"),
    )

    parent_page_types = ["articles.QuestionIndexPage"]
    subpage_types = []
    api_fields = [*HealthContentPage.api_fields, APIField("audio"), APIField("audio_duration")]

    class Meta:
        verbose_name = "expert answer"

    @property
    def has_recording(self):
        """Whether the site has the recording itself (a card or list says "audio" only then), without a query."""
        return self.audio_id is not None

    @property
    def audio_duration_in_words(self):
        """The recording's length as readers see it ("1 minute 32 seconds"); `audio_duration` keeps the
        source's own "1min 32sec"."""
        return duration_in_words(self.audio_duration)

    def get_other_voices(self, limit=5):
        pinned = [voice.page for voice in self.pinned_voices.select_related("page__author")]
        return self.get_related_health_pages(QuestionPage, limit, pinned=pinned, exclude_author=True)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: when the page's rendered content is cached, these queries never run.
        context["other_voices"] = SimpleLazyObject(self.get_other_voices)
        context["related_articles"] = SimpleLazyObject(lambda: self.get_related_health_pages(ArticlePage, 3))
        return context

    def schema_node(self, request, url):
        """Its main entity is the `Question` with its `acceptedAnswer`: the short answer, then the full
        one. Not a `QAPage`: Google keeps that for questions its users answer.

        Who asked is not known (no source names its askers): the question as it stands on the page is
        the editorial team's wording of what readers ask (the title is "the question, as a reader would
        ask it"), so the team is its author; the answer's is the expert. Both are dated as the content
        is (`content_published_on`): never by when the seed ran.
        """
        node = super().schema_node(request, url)
        answer = {
            "@type": "Answer",
            "@id": f"{url}#answer",
            "text": "\n\n".join(part for part in (self.summary.strip(), *body_texts(self.body)) if part),
            "author": node["author"],
            "url": url,
        }
        question = {
            "@type": "Question",
            "@id": f"{url}#question",
            "name": self.title,
            "text": self.title,
            "author": self.editorial_team(request),
            "answerCount": 1,
            "inLanguage": language_tag(),
            "acceptedAnswer": answer,
        }
        published = iso(self.content_published_on)
        if published:
            question["datePublished"] = answer["datePublished"] = published
        node["mainEntity"] = question
        return node


class QuestionPageOtherVoice(Orderable):
    question = ParentalKey(QuestionPage, on_delete=models.CASCADE, related_name="pinned_voices")
    page = models.ForeignKey(QuestionPage, on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("page")]


class ArticleIndexPage(IndexPage):
    subpage_types = ["articles.ArticlePage"]

    class Meta:
        verbose_name = "articles index"

    listing_order = NEWEST_FIRST


class ArticlePage(HealthContentPage):
    """A long-form article, with its references and related reading."""

    listing_label = "Article"
    card_deferred_fields = (*HealthContentPage.card_deferred_fields, "references")

    references = StreamField(
        ReferencesBlock(),
        blank=True,
        help_text="The published sources this article relies on, in the order it cites them.",
    )

    content_panels = [*HealthContentPage.content_panels, FieldPanel("references")]
    related_panels = [
        InlinePanel(
            "pinned_related",
            heading="Related articles",
            label="Pinned article",
            help_text="Shown first under 'Related articles'; more are added from articles sharing tags.",
        )
    ]
    edit_handler = health_edit_handler(
        content_panels,
        HealthContentPage.provenance_panels,
        HealthContentPage.review_panels,
        ObjectList(related_panels, heading="Related"),
    )
    parent_page_types = ["articles.ArticleIndexPage"]
    subpage_types = []
    api_fields = [*HealthContentPage.api_fields, APIField("references")]

    class Meta:
        verbose_name = "article"

    def get_related_articles(self, limit=3):
        pinned = [item.page for item in self.pinned_related.select_related("page__author")]
        return self.get_related_health_pages(ArticlePage, limit, pinned=pinned)

    def get_previous_and_next(self):
        """The neighbouring live articles in the index's order (newest first)."""
        siblings = ArticlePage.objects.live().sibling_of(self, inclusive=False)
        key = (self.first_published_at, self.pk)
        if key[0] is None:
            return None, None
        newer = (
            siblings.filter(Q(first_published_at__gt=key[0]) | Q(first_published_at=key[0], pk__gt=key[1]))
            .order_by("first_published_at", "pk")
            .first()
        )
        older = (
            siblings.filter(Q(first_published_at__lt=key[0]) | Q(first_published_at=key[0], pk__lt=key[1]))
            .order_by("-first_published_at", "-pk")
            .first()
        )
        return newer, older

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: when the page's rendered content is cached, these queries never run.
        context["related_articles"] = SimpleLazyObject(self.get_related_articles)
        context["related_answers"] = SimpleLazyObject(lambda: self.get_related_health_pages(QuestionPage, 3))
        neighbours = SimpleLazyObject(lambda: list(self.get_previous_and_next()))
        context["previous_page"] = SimpleLazyObject(lambda: neighbours[0])
        context["next_page"] = SimpleLazyObject(lambda: neighbours[1])
        return context

    def schema_node(self, request, url):
        """With the studies it cites."""
        node = super().schema_node(request, url)
        citations = [
            block.block.schema_node(block.value) for block in self.references or [] if block.block_type == "citation"
        ]
        if citations:
            node["citation"] = citations
        return node


class ArticlePageRelated(Orderable):
    article = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="pinned_related")
    page = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("page")]


HEALTH_PAGE_MODELS = (QuestionPage, ArticlePage)


def health_page_listing(request, tag_id=None, author=None):
    """One page of live answers and articles, newest first, optionally by tag (its id) or author (the
    pages made only for what is not kept: see paginate_cards)."""

    def ordered():
        pages = Page.objects.live().type(*HEALTH_PAGE_MODELS)
        if tag_id is not None:
            pages = pages.filter(health_tagged_items__tag_id=tag_id)
        if author is not None:
            # One indexed subquery per page type: an OR across LEFT JOINs to both tables makes the
            # database scan every page (tens of milliseconds at 10,000 pages).
            pages = pages.filter(
                Q(pk__in=QuestionPage.objects.filter(author=author).values("pk"))
                | Q(pk__in=ArticlePage.objects.filter(author=author).values("pk"))
            )
        return pages.order_by("-first_published_at", "-pk")

    count_key = f"health:{tag_id or ''}:{getattr(author, 'pk', '')}"
    return paginate_cards(request, ordered, HEALTH_PAGE_MODELS, count_key=count_key)


def reviewed_by(expert, limit):
    """The pages `expert` last reviewed, most recently reviewed first, and how many there are."""
    # A UNION of the two page types, each read through its reviewed_by index, rather than an OR
    # across LEFT JOINs that scans every page.
    reviews = [
        model.objects.live().filter(reviewed_by=expert).order_by().values_list("pk", "last_reviewed_on")
        for model in HEALTH_PAGE_MODELS
    ]
    everything = reviews[0].union(*reviews[1:], all=True)
    newest_review_first = everything.order_by("-last_reviewed_on", "-pk")
    pks = [pk for pk, _reviewed_on in newest_review_first[:limit]]
    return load_listing_cards(pks, HEALTH_PAGE_MODELS), everything.count()


class TopicIndexPage(IndexPage):
    subpage_types = ["articles.TopicPage"]

    class Meta:
        verbose_name = "topics index"


class TopicPage(BasePage):
    """A curated hub bound to one tag: everything live with that tag, newest first.

    Its introduction is free text that readers take as guidance, so it is clinically reviewed.

    One name per topic: its title names its tag, so readers meet the same words on the topic page,
    the tags on a page, topic cards, the feed's categories and the API. When a topic goes live under a
    new title, its tag takes that name (`name_tag_as_title`, connected to Wagtail's page_published).
    """

    can_be_copied = False  # one topic per tag: a copy could not stand beside its original

    tag = models.OneToOneField(
        "taggit.Tag",
        on_delete=models.PROTECT,
        related_name="topic_page",
        help_text="Every live answer and article with this tag is listed on the topic page.",
    )
    intro = models.TextField(help_text="What this topic covers, in one or two sentences.")

    listing_joins = ("tag",)
    schema_type = "CollectionPage"
    content_panels = [*Page.content_panels, FieldPanel("tag"), FieldPanel("intro")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.RelatedFields("tag", [index.SearchField("name")]),
    ]
    parent_page_types = ["articles.TopicIndexPage"]
    subpage_types = []
    api_fields = [APIField("tag", serializer=TagNameField()), APIField("intro")]

    class Meta:
        verbose_name = "topic"

    def clean(self):
        """The title will name the tag: refuse one that could not (see the class's docstring)."""
        super().clean()
        title = (self.title or "").strip()
        if "," in title:
            # taggit and Wagtail's tag field read a comma as the end of a tag, as the API's ?tags=a,b does.
            raise ValidationError({"title": "A topic's title names its tag, and a tag's name cannot have a comma."})
        taken = Tag.objects.filter(name__iexact=title).exclude(pk=self.tag_id).first()
        if title and taken is not None:
            raise ValidationError(
                {
                    "title": f"A topic's title names its tag, and another tag is already named “{taken.name}”. "
                    "Choose that tag for this topic, or another title."
                }
            )

    def rename_tag(self, name):
        """Give the topic's tag `name` (the pages it tags keep it). Returns whether it was renamed: not if
        it has that name already, or another tag has (`clean` refuses such a title)."""
        tag = self.tag
        if tag.name == name or Tag.objects.filter(name__iexact=name).exclude(pk=tag.pk).exists():
            return False
        tag.name = name
        tag.save(update_fields=["name"])  # moves the content version on: every page showing it is redrawn
        # The search index holds the name with each page it tags, and with its topic page.
        for page in Page.objects.filter(Q(health_tagged_items__tag=tag) | Q(pk=self.pk)).specific():
            index.insert_or_update_object(page)
        return True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = health_page_listing(request, tag_id=self.tag_id)
        return context

    @staticmethod
    def name_tag_as_title(sender, instance, **kwargs):
        """A topic gone live names its tag with its title."""
        instance.rename_tag(instance.title)

    def schema_node(self, request, url):
        """A `CollectionPage` about the condition, its tag as its keyword."""
        node = super().schema_node(request, url)
        node["about"] = CONDITION
        node["keywords"] = self.tag.name
        return node
