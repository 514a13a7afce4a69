"""Profiles of the people who write and review health content."""

from django.conf import settings
from django.db import models
from django.utils.functional import SimpleLazyObject
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, TitleFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from discsite.core.models import BasePage, IndexPage
from discsite.core.schema import SCHEMA, page_image, page_url
from discsite.core.text import html_to_text

from .forms import ExpertPageForm

# The content apps register a function for this Wagtail hook to list, on an expert's profile, what
# the expert wrote and reviewed: it takes the profile, the request and a dict (the template's `work`),
# and adds to it. (articles adds `contributions`, `reviewed` and `reviewed_count`.)
EXPERT_PAGE_CONTEXT_HOOK = "discsite_expert_page_context"

# Departments as schema.org's MedicalSpecialty values; any other department is given as written.
MEDICAL_SPECIALTIES = {
    "orthopedics": "Musculoskeletal",
    "orthopaedics": "Musculoskeletal",
    "spine surgery": "Musculoskeletal",
    "neurology": "Neurologic",
    "neurosurgery": "Neurologic",
    "physiotherapy": "Physiotherapy",
    "physical therapy": "Physiotherapy",
    "rheumatology": "Rheumatologic",
    "radiology": "Radiography",
    "primary care": "PrimaryCare",
    "general practice": "PrimaryCare",
}
# Specialties practised by people who are not physicians: a physiotherapist is no IndividualPhysician.
NON_PHYSICIAN_SPECIALTIES = {"Physiotherapy"}


class ExpertIndexPage(IndexPage):
    subpage_types = ["experts.ExpertPage"]


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
    listing_joins = ("photo",)
    og_type = "profile"
    schema_type = "ProfilePage"
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
        context = super().get_context(request, *args, **kwargs)
        # Lazy: when the profile's rendered content is kept (its template's versioned_cache), none of
        # these queries run.
        context["work"] = SimpleLazyObject(lambda: self.listed_work(request))
        return context

    def listed_work(self, request):
        """What the profile lists of the expert's work: where they are quoted from (`quoted_from`), and
        what the content apps add through EXPERT_PAGE_CONTEXT_HOOK."""
        work = {"quoted_from": self.quoted_from()}
        for add_to_work in hooks.get_hooks(EXPERT_PAGE_CONTEXT_HOOK):
            add_to_work(self, request, work)
        return work

    def quoted_from(self):
        """Where this expert's live answers and articles first appeared, as those pages name their source:
        (name, URL) pairs, each once, by name. The profile says what it is quoted from and no more; a
        page whose source has no name (most of the seed's answers) adds nothing.

        One query: a UNION over the pages that name this expert as their author, through the reverse
        relations the health page types (articles.models) give their `author`.
        """
        first, *more = [
            pages.live().exclude(source_name="").order_by().values_list("source_name", "source_url")
            for pages in (self.answers, self.articlepage_authored)
        ]
        return sorted(set(first.union(*more)), key=lambda source: (source[0].lower(), source[1]))

    @property
    def medical_specialty(self):
        """The department as schema.org's MedicalSpecialty, or as written when it is none of them."""
        specialty = MEDICAL_SPECIALTIES.get(self.department.strip().lower())
        return f"{SCHEMA}/{specialty}" if specialty else self.department.strip()

    def search_text(self):
        return html_to_text(self.bio)  # the role and department are shown beside it

    def representative_image(self):
        """The portrait, named by the person's name."""
        return (self.photo, self.display_name, "fill-600x600") if self.photo is not None else None

    def person_node(self, request, full=False):
        """The expert as a schema.org `Person`; also an `IndividualPhysician` when their department is a
        medical specialty (schema.org's `Physician` is a practice, an organisation). IndividualPhysician
        sits under Physician, with the organisations, so the person's own properties (honorifics, job
        title, employer) come from `Person`: the node is both. A department that is no medical
        specialty is what the person knows about.

        `full` adds what only their profile page needs (portrait, biography); the pages they wrote or
        reviewed name them with the rest.
        """
        url = page_url(self, request)
        specialty = self.medical_specialty
        is_physician = specialty.startswith(f"{SCHEMA}/") and specialty.removeprefix(f"{SCHEMA}/") not in (
            NON_PHYSICIAN_SPECIALTIES
        )
        node = {
            "@type": ["Person", "IndividualPhysician"] if is_physician else "Person",
            "@id": f"{url}#person",
            "name": self.title,
            "url": url,
        }
        if self.honorific:
            node["honorificPrefix"] = self.honorific
        if self.credentials:
            node["honorificSuffix"] = self.credentials
        if self.job_title:
            node["jobTitle"] = self.job_title
        if specialty:
            node["medicalSpecialty" if is_physician else "knowsAbout"] = specialty
        if self.institution:
            node["worksFor"] = {"@type": "Organization", "name": self.institution}
        if full:
            image = page_image(self, request)
            if image:
                node["image"] = image["url"]
            bio = html_to_text(self.bio)
            if bio:
                node["description"] = bio
        return node

    def schema_node(self, request, url):
        """A `ProfilePage` whose main entity is the person."""
        node = super().schema_node(request, url)
        node["mainEntity"] = self.person_node(request, full=True)
        return node
