"""The ground's models: the page base every public page type stands on, the publishing gate,
the site-wide settings and safety-net texts, and the content version the caches are keyed by.

Nothing here imports the apps above (experts, articles, the site); they build on these.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404
from modelcluster.queryset import FakeQuerySet
from wagtail import hooks
from wagtail.actions.publish_revision import PublishPermissionError
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.log_actions import log
from wagtail.models import (
    COMMENTS_RELATION_NAME,
    Comment,
    DraftStateMixin,
    LockableMixin,
    Page,
    PagePermissionTester,
    PageViewRestriction,
    RevisionMixin,
    TaskState,
    WorkflowMixin,
)

from .caching import CONTENT_VERSION_TABLE, mark_cacheable, restricted_paths, versioned
from .internals import remember_parent
from .listing import children_of, paginate_cards
from .schema import SCHEMA, breadcrumb_node, organization_node, page_url, web_page_node, website_node
from .text import html_to_text, trim_description

# The apps that guard publishing register a function for this Wagtail hook: it takes the object
# and the revision about to go live and returns why it may not, or None. (articles registers the
# clinical review's check: content no clinician approved never goes live.) The ground defines
# the gate; the apps above it say what it checks.
PUBLISH_REFUSAL_HOOK = "discsite_publish_refusal"
# The log action Wagtail's `publish_scheduled` command publishes with.
SCHEDULED_PUBLISH_ACTION = "wagtail.publish.scheduled"


def publish_refusal(obj, revision):
    """Why `revision` of `obj` may not go live, or None if it may."""
    for refusal in hooks.get_hooks(PUBLISH_REFUSAL_HOOK):
        reason = refusal(obj, revision)
        if reason:
            return reason
    return None


def is_protected_revision(revision):
    """A revision that is live, scheduled to go live, or was ever put before a reviewer: it is a
    record of what was seen and decided, and is never rewritten in place."""
    if revision is None or revision.pk is None:
        return False
    if revision.approved_go_live_at is not None:
        return True
    if TaskState.objects.filter(revision_id=revision.pk).exists():
        return True
    return getattr(revision.content_object, "live_revision_id", None) == revision.pk


class PublishGateMixin:
    """For models with Wagtail's draft state (pages, snippets): every route that makes an object
    live calls `publish` (the edit form, the workflow's last step, bulk actions, scheduled
    publishing, reverts, commands), so the gate stands here, once. Wagtail's
    `skip_permission_checks` skips who may publish, never this."""

    # Whether readers see this type's content only once a clinician has approved exactly that content.
    clinically_reviewed = False

    def publish(self, revision, *args, **kwargs):
        reason = publish_refusal(self, revision)
        if reason and kwargs.get("log_action") == SCHEDULED_PUBLISH_ACTION:
            # Wagtail's `publish_scheduled` command stops at the first error, so one refused revision
            # would hold back every later one on each run. Take it off the schedule, say so in the
            # history, and let the command go on.
            type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=None)
            log(instance=self, action="discsite.schedule_refused", revision=revision, data={"reason": reason})
            return None
        if reason:
            raise PublishPermissionError(reason)
        return super().publish(revision, *args, **kwargs)

    def save_revision(self, *args, overwrite_revision=None, **kwargs):
        """A live revision, or one a reviewer has seen, is a record: an edit that asks to overwrite it
        (Wagtail's autosave sends `overwrite_revision_id`, for pages and snippets alike) is saved
        as a new revision instead, so nothing typed is lost and nothing approved is changed."""
        if is_protected_revision(overwrite_revision):
            overwrite_revision = None
        return super().save_revision(*args, overwrite_revision=overwrite_revision, **kwargs)


def keep_resolved_comments(page):
    """Put the page's resolved comments back among those its save is about to commit.

    Wagtail builds a page from a revision (`with_content_json`: the editor's form, a publication, a
    revert) with its unresolved comments only, held in memory, and a save commits that list: every
    comment not in it, so every resolved one, would be deleted with its replies. A resolved comment is
    the record of what a clinician asked and how it was answered, so it stays. A relation that is not
    held in memory (modelcluster then answers with a real queryset) is not committed: nothing to do.
    """
    if page.pk is None:
        return
    comments = getattr(page, COMMENTS_RELATION_NAME)
    held = comments.get_queryset()
    if not isinstance(held, FakeQuerySet):
        return
    kept = {comment.pk for comment in held}
    resolved = Comment.objects.filter(page_id=page.pk, resolved_at__isnull=False).exclude(pk__in=kept)
    comments.add(*resolved)


class SitePagePermissionTester(PagePermissionTester):
    """Wagtail's page permissions, with the publishing gate and one rule more.

    Publish is offered only for what the gate would let through, and a page whose type is
    clinically reviewed cannot be published in the step that creates it. Outside a workflow
    task, only those who may change a page may lock it: clinical reviewers hold the lock
    permission (Wagtail needs them to hold some page permission to reach the explorer), which
    would otherwise let them lock any page against its editors; during their review the task
    itself decides (ClinicalReviewTask)."""

    def can_publish(self):
        return super().can_publish() and publish_refusal(self.page, self.page.get_latest_revision()) is None

    def can_publish_subpage(self):
        reviewed = any(
            model.clinically_reviewed
            for model in self.page.specific_class.allowed_subpage_models()
            if issubclass(model, PublishGateMixin)
        )
        return super().can_publish_subpage() and not reviewed

    def can_copy(self):
        return super().can_copy() and self.page.specific_class.can_be_copied

    def can_lock(self):
        if self.user.is_superuser or self.page.current_workflow_task:
            return super().can_lock()
        return super().can_lock() and bool({"add", "change"} & set(self.permissions))


class BasePage(PublishGateMixin, Page):
    """What every public page has: clinical review, and a meta description with a fallback chain.

    Every page readers see can hold advice in its own words (a topic's or a section's intro, an
    expert's biography), so every page type goes live only once a clinician has approved exactly
    that content (the publishing gate); the site's pages use the Clinical review workflow.

    The meta description: the Promote tab's search description if an editor wrote one; otherwise
    the summary, then the first paragraph of the body, then the intro. Trimmed to about 160
    characters, as search engines and link previews show.
    """

    clinically_reviewed = True
    # What a listing card of this type shows beyond its own row (relations of its own, such as its
    # author), joined in when cards of several types are loaded together (core.listing).
    listing_joins = ()
    # What a listing card never shows (a body): left unread when a listing loads its cards (core.listing).
    card_deferred_fields = ()
    # True for a type whose publication changes nothing shown on other pages but their listings and
    # related-page sections (which are kept under the content version): publishing it then leaves the
    # structure version, and what is kept under it, alone (core.caching, core.invalidation). Any other
    # publication (a section, a topic, an expert's profile, which other pages name) retires everything.
    publication_is_local = False
    # False for a type whose copy could not stand beside the original (a topic is bound to its tag).
    can_be_copied = True
    # What the page is to link previews (Open Graph `og:type`) and to schema.org (its node's `@type`).
    og_type = "website"
    schema_type = "WebPage"

    class Meta:
        abstract = True

    def permissions_for_user(self, user):
        return SitePagePermissionTester(user, self)

    def save(self, *args, **kwargs):
        """As Wagtail's, but a save that commits the page's comments keeps the resolved ones
        (keep_resolved_comments): a second save after resolving, or the publication, deleted them."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or COMMENTS_RELATION_NAME in update_fields:
            keep_resolved_comments(self)
        return super().save(*args, **kwargs)

    def copy(self, *args, **kwargs):
        """A copy starts its own life: Wagtail would make a copy of a live page live at once (no
        `publish()`, so no gate), under a new title; a reviewed type's copy waits for its review."""
        if self.clinically_reviewed:
            kwargs["keep_live"] = False
        return super().copy(*args, **kwargs)

    def get_view_restrictions(self):
        """As Wagtail's, without its two queries on every request when no restriction covers the page.

        The paths of restricted pages are kept per content version (adding, changing or removing a
        restriction, or moving a page, moves the version on).
        """
        if not self.is_view_restricted():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def is_view_restricted(self):
        """Whether a view restriction covers the page (its own or an ancestor's), without a query."""
        return any(self.path.startswith(path) for path in restricted_paths())

    def revision_identity(self):
        """What names the content readers see of this page, for a fragment of its own content or its card
        kept under the structure version (core.caching): its live revision, which every publication of
        it changes. (Reader-visible state kept outside revisions, such as whether the live content waits
        in clinical review, moves the structure version on when it changes: core.invalidation's
        `page_changed_for_readers`.) Listings read the same two columns with their ids (core.listing)."""
        return (self.pk, self.live_revision_id)

    def serve(self, request, *args, **kwargs):
        """Every reader gets the same page unless it is a preview or behind a view restriction,
        so the response may be kept by the page cache (discsite.core.caching)."""
        response = super().serve(request, *args, **kwargs)
        if not getattr(request, "is_preview", False) and not self.is_view_restricted():
            mark_cacheable(response)
        return response

    def get_meta_description(self):
        for candidate in (
            self.search_description,
            getattr(self, "summary", ""),
            self.first_paragraph_text(),
            getattr(self, "intro", ""),
        ):
            if candidate and candidate.strip():
                return trim_description(candidate)
        return ""

    def listed_on(self):
        """The pages whose content shows this one (a CDN drops them when it is published): its
        section and home, which list it. Types shown elsewhere too add those pages."""
        return list(Page.objects.ancestor_of(self).filter(depth__gt=1))

    def get_sitemap_urls(self, request=None):
        """As Wagtail's, but at the page's canonical address (the host it was requested on).

        Wagtail uses the Site record's hostname, which need not be the address readers use
        (it is 'localhost', port 80, on a development machine); the sitemap must list the
        same URLs as the pages' canonical links.
        """
        urls = super().get_sitemap_urls(request)
        if request is not None:
            location = request.build_absolute_uri(self.get_url(request))
            for entry in urls:
                entry["location"] = location
        return urls

    def first_paragraph_text(self):
        """The plain text of the body's first paragraph block, or ''."""
        for block in getattr(self, "body", None) or []:
            if block.block_type == "paragraph":
                text = html_to_text(getattr(block.value, "source", block.value))
                if text.strip():
                    return text
        return ""

    def search_text(self):
        """The text a search result's snippet is cut from, most telling first: the introduction, if
        the type has one. Types with more to say say it (no query of its own: results are many)."""
        return getattr(self, "intro", "")

    def representative_image(self):
        """(image, alternative text, rendition spec) of the image that stands for the page in link
        previews and its JSON-LD, or None."""
        return None

    def schema_node(self, request, url):
        """The page's own schema.org node (`url` is its canonical address): what every page says,
        as its `schema_type`. Each type adds what it knows about itself."""
        return web_page_node(self, request, self.schema_type, url)

    def schema_graph(self, request):
        """The page's schema.org graph, ready for json.dumps: its own node, its breadcrumb trail
        (the one the page shows), the website and the organisation that publishes it."""
        url = page_url(self, request)
        node = self.schema_node(request, url)
        node["breadcrumb"] = {"@id": f"{url}#breadcrumb"}
        return {
            "@context": SCHEMA,
            "@graph": [node, breadcrumb_node(self, request, url), website_node(request), organization_node(request)],
        }


# Newest first, for a listing: by first publication, then by id (the base page's, as the index on
# first_published_at holds it), so that pages published in the same instant keep one order.
NEWEST_FIRST = ("-first_published_at", "-id")


class IndexPage(BasePage):
    """A singleton listing page with an introduction; children are paginated."""

    intro = models.TextField(
        blank=True, help_text="One or two sentences shown under the heading and in search results."
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["discsite.HomePage"]
    schema_type = "CollectionPage"

    class Meta:
        abstract = True

    # The order of the listing. Sorting by the base page's columns (not the type's), so that an index of
    # the base table can give a page of the listing without the database sorting every child.
    listing_order = ("title",)

    def get_child_queryset(self):
        """The children as their own type: an index holds one page type (its `subpage_types`)."""
        (model,) = self.allowed_subpage_models()
        return model.objects.all()

    def route(self, request, path_components):
        """One query for the child, already specific, instead of Wagtail's two (the base row, then the type's).

        Nothing else is joined in. What a page shows of its author, reviewer, photo or tag is in its
        kept fragments (discsite_tags), so on most requests it is never read; a fragment rendered afresh
        reads each (one query). Joining them here made Django build and read some 60 more columns on
        every request: a third of the Python calls of an answer or article whose fragments are kept."""
        if not path_components:
            return super().route(request, path_components)
        try:
            child = self.get_child_queryset().child_of(self).get(slug=path_components[0])
        except ObjectDoesNotExist as error:
            raise Http404 from error
        remember_parent(child, self)
        return child.route(request, path_components[1:])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)

        # Its live children, as the types it may have (a query per page of cards, whatever the types),
        # found as a range of tree paths, which the path's index answers (counted so once per content
        # version: see core.listing). Newest first, they are paged by Wagtail's `child_of` instead, a LIKE
        # on the tree path, so that the database reads the index on first_published_at backwards and
        # stops after one page rather than sorting every child (SQLite answers no LIKE from an index).
        # Both are made only for what is not kept (building them is a sixth of a request's Python calls).
        def children():
            return Page.objects.filter(children_of(self)).live()

        def ordered():
            by_date = self.listing_order == NEWEST_FIRST
            return (Page.objects.child_of(self).live() if by_date else children()).order_by(*self.listing_order)

        models = self.allowed_subpage_models()
        context["items"] = paginate_cards(request, ordered, models, counted=children, count_key=f"children:{self.pk}")
        return context


@register_setting(icon="cog")
class SiteSettings(BaseGenericSetting):
    """Text that appears on every page, kept once so it is edited once."""

    editorial_team_name = models.CharField(
        max_length=100,
        default="the discsite editorial team",
        help_text="Shown as the author of content that has no named expert.",
    )
    default_review_interval_months = models.PositiveSmallIntegerField(
        default=12,
        help_text="When a clinician approves a page, its next review falls due this many months later.",
    )

    panels = [
        FieldPanel("editorial_team_name"),
        HelpPanel(
            content=(
                "<p>The urgent-care card and the disclaimer are under <b>Snippets → Safety-net texts</b>: "
                "readers see them only after a clinician has approved them.</p>"
            )
        ),
        FieldPanel("default_review_interval_months"),
    ]

    class Meta:
        verbose_name = "site settings"

    @classmethod
    def load(cls, request_or_site=None):
        """The settings row with the live safety-net texts beside it (`safety_net`), read together
        once per content version rather than once per request: every page shows both."""

        def produce():
            row = super(SiteSettings, cls).load(request_or_site)
            row.safety_net = SafetyNetText.objects.filter(live=True).order_by("pk").first() or SafetyNetText()
            return row

        return versioned("site-settings", produce)


class SafetyNetText(PublishGateMixin, WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, models.Model):
    """What every page tells readers about their safety: the urgent-care card and the disclaimer.

    Health advice in its own right, shown on every page, so it is clinically reviewed like a
    health page (a snippet in the Clinical review workflow): readers see the live version, and
    a change goes live only once a clinician has approved exactly that text. When a new
    version goes live, every live health page re-enters review (articles.review), so that a
    clinician checks each still reads right beside it. The site uses the first row.
    """

    clinically_reviewed = True

    disclaimer = RichTextField(
        features=["bold", "italic", "link"],
        default=(
            "<p>This site gives general information about lumbar disc herniation. It does not "
            "replace advice from a doctor who knows your situation.</p>"
        ),
        help_text="Shown in the footer of every page.",
    )
    urgent_care_title = models.CharField(
        max_length=120,
        default="Get medical help immediately if you have",
        help_text="The heading of the urgent-care card on every health page.",
    )
    urgent_care_symptoms = models.TextField(
        default=(
            "new problems controlling your bladder or bowels\n"
            "numbness around your buttocks, genitals or inner thighs\n"
            "leg weakness that is getting worse"
        ),
        help_text="The red-flag symptoms, one per line.",
    )
    urgent_care_action = models.CharField(
        max_length=255,
        default="Call your local emergency number or go to an emergency department now.",
        help_text="What the reader should do.",
    )

    panels = [
        HelpPanel(
            content=(
                "<p>Every page shows these texts. Readers see a change only after a clinical reviewer has "
                "approved it: save a draft, then submit it to the <b>Clinical review</b> workflow. When the "
                "new version goes live, every live answer and article goes back to clinical review, so "
                "that a clinician checks each still reads right beside it.</p>"
            )
        ),
        MultiFieldPanel(
            [FieldPanel("urgent_care_title"), FieldPanel("urgent_care_symptoms"), FieldPanel("urgent_care_action")],
            heading="Urgent care",
        ),
        FieldPanel("disclaimer"),
    ]

    class Meta:
        verbose_name = "safety-net text"
        verbose_name_plural = "safety-net texts"

    def __str__(self):
        return "Urgent-care card and disclaimer"

    @classmethod
    def load(cls):
        """The live texts, read with the site settings once per content version (every save and
        publish moves it on)."""
        return SiteSettings.load().safety_net

    @property
    def urgent_care_symptom_list(self):
        return [line.strip() for line in self.urgent_care_symptoms.splitlines() if line.strip()]


class ContentVersion(models.Model):
    """Numbers that change whenever anything a reader can see changes: two rows.

    The content version (row 1): every cached response and fragment showing other pages is keyed
    by it, so a publish, an unpublish, a move, a deletion or a settings edit retires all of them
    at once, in every server process: the number lives in the database, which all processes share,
    and costs one indexed read per request. The structure version (row 2) moves with it, except
    when an answer or an article is published: a page's own content and listing cards, keyed by it
    and by the page's live revision, outlive that. (discsite.core.caching keeps them current.)
    """

    value = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = CONTENT_VERSION_TABLE
        verbose_name = "content version"

    def __str__(self):
        return f"content version {self.value}"
