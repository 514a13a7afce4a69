"""Profiles of the people who write and review health content."""

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, TitleFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from discsite.models import BasePage, IndexPage

from .forms import ExpertPageForm


class ExpertIndexPage(IndexPage):
    subpage_types = ["experts.ExpertPage"]

    def get_listing_queryset(self):
        return ExpertPage.objects.child_of(self).live().order_by("title")

    def get_child_queryset(self):
        return ExpertPage.objects.select_related("photo")


class ExpertPage(BasePage):
    """An author or reviewer. The page title is the person's name, without honorific.

    Linking a user account lets a clinician's approval in the clinical review
    workflow be shown to readers as "Medically reviewed by" this profile. What a
    profile tells readers (credentials, biography) is clinically reviewed before it
    goes live, like health content.
    """

    honorific = models.CharField(
        max_length=20,
        blank=True,
        choices=[("Dr", "Dr"), ("Prof", "Prof"), ("Mr", "Mr"), ("Ms", "Ms")],
        help_text="Shown before the name, for example 'Dr'.",
    )
    credentials = models.CharField(
        max_length=120, blank=True, help_text="Qualifications after the name, for example 'MD, FRCS'."
    )
    job_title = models.CharField(max_length=120, blank=True, help_text="For example 'Consultant spinal surgeon'.")
    department = models.CharField(max_length=120, blank=True, help_text="Speciality or department, e.g. Orthopedics.")
    institution = models.CharField(max_length=200, blank=True, help_text="Hospital or organisation.")
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A head-and-shoulders portrait; the person's name is used as its alternative text.",
    )
    bio = RichTextField(features=["bold", "italic", "link"], blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_profile",
        help_text="The login of this person, so their approvals as a clinical reviewer are credited to this profile.",
    )

    # Wagtail's TitleFieldPanel, as in Page.content_panels: the slug is filled from the name as it is typed.
    content_panels = [
        TitleFieldPanel(
            "title",
            heading="Name",
            help_text="The person's name without honorific, e.g. 'Wang Fei'.",
            placeholder="Name*",
        ),
        MultiFieldPanel(
            [
                FieldPanel("honorific"),
                FieldPanel("credentials"),
                FieldPanel("job_title"),
                FieldPanel("department"),
                FieldPanel("institution"),
            ],
            heading="Professional details",
        ),
        FieldPanel("photo"),
        FieldPanel("bio"),
    ]
    settings_panels = [*Page.settings_panels, FieldPanel("user", permission="auth.change_user")]
    # A copy is another person's profile: it must not take this one's login (one profile per login).
    exclude_fields_in_copy = ["user"]
    base_form_class = ExpertPageForm
    search_fields = [
        *Page.search_fields,
        index.SearchField("job_title"),
        index.SearchField("credentials"),
        index.SearchField("department"),
        index.SearchField("institution"),
        index.SearchField("bio"),
        index.AutocompleteField("title"),
    ]
    parent_page_types = ["experts.ExpertIndexPage"]
    subpage_types = []
    # The read-only API (/api/v2/pages/); the linked user account is never exposed.
    api_fields = [
        APIField("display_name"),
        APIField("honorific"),
        APIField("credentials"),
        APIField("job_title"),
        APIField("department"),
        APIField("institution"),
        APIField("photo"),
        APIField("bio"),
    ]

    class Meta:
        verbose_name = "expert"

    @property
    def display_name(self):
        return f"{self.honorific} {self.title}" if self.honorific else self.title

    @property
    def affiliation(self):
        """Department and institution as one line, e.g. 'Orthopedics, City Hospital'."""
        return ", ".join(part for part in (self.department, self.institution) if part)

    def get_meta_description(self):
        described = super().get_meta_description()
        if described:
            return described
        role = ", ".join(part for part in (self.job_title, self.affiliation) if part)
        return f"{self.display_name}{f', {role}' if role else ''}: answers and articles on lumbar disc herniation."

    def get_context(self, request, *args, **kwargs):
        from articles.models import health_page_listing, reviewed_by

        context = super().get_context(request, *args, **kwargs)
        context["contributions"] = health_page_listing(request, author=self)
        context["reviewed"], context["reviewed_count"] = reviewed_by(self, limit=10)
        return context
