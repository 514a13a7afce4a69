"""Build or update the page tree from a checked SeedSet.

Run inside a transaction (the `seed` command does). Each page is compared
with what the files say; only a real difference creates a revision, so a
second run changes nothing and every page keeps its id.

The seed publishes the source material as its source gave it, unreviewed, so that the site
has its content on day one; each page it publishes then goes into the Clinical review workflow
for its first review (articles.review), submitted by the system, so that the first clinician to
sign in finds them waiting and readers of the answers and articles are told they await review.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page, Site

from articles.blocks import HealthBodyBlock, ReferencesBlock
from articles.integrity import publishing_unreviewed_source_material
from articles.models import (
    ArticleIndexPage,
    ArticlePage,
    ArticlePageRelated,
    QuestionIndexPage,
    QuestionPage,
    QuestionPageOtherVoice,
    TopicIndexPage,
    TopicPage,
)
from articles.review import start_first_review_of_source_material
from articles.workflow import assign_clinical_review_workflow
from discsite.core.system import system_user
from discsite.models import HomePage, HomePageFeaturedItem
from discsite.seed_files import PUBLISH_HOUR_UTC, SeedError
from experts.models import ExpertIndexPage, ExpertPage

INDEX_MODELS = {
    "questions": QuestionIndexPage,
    "articles": ArticleIndexPage,
    "topics": TopicIndexPage,
    "experts": ExpertIndexPage,
}


@dataclass
class SeedReport:
    """What the build did, page by page, for the command to print."""

    actions: Counter = field(default_factory=Counter)
    lines: list = field(default_factory=list)
    reviews_started: int = 0

    def record(self, action, kind, title):
        self.actions[action] += 1
        if action != "unchanged":
            self.lines.append(f"{action:>9} {kind}: {title}")

    def record_review(self, kind, title):
        self.reviews_started += 1
        self.lines.append(f"   review {kind}: {title} (first clinical review of its source material)")

    def summary(self):
        order = ("created", "updated", "unchanged", "skipped")
        done = ", ".join(f"{self.actions[action]} {action}" for action in order if self.actions[action]) or "nothing"
        if self.reviews_started:
            done += f"; {self.reviews_started} sent for their first clinical review"
        return done


def _without_ids(raw):
    """StreamField data without block ids, which are random and say nothing about content."""
    if isinstance(raw, list):
        return [_without_ids(item) for item in raw]
    if isinstance(raw, dict):
        return {key: _without_ids(value) for key, value in raw.items() if key != "id"}
    return raw


def _stream_data(block, raw):
    """Raw stream data normalised the way the StreamField will store it."""
    return _without_ids(block.get_prep_value(block.to_python(raw)))


def _published_at(date):
    if date is None:
        return None
    return datetime.datetime.combine(date, datetime.time(PUBLISH_HOUR_UTC), tzinfo=datetime.UTC)


class TreeBuilder:
    def __init__(self, seed, force=False):
        self.seed = seed
        self.force = force
        self.report = SeedReport()
        self.published = set()  # the pks of the pages this run published
        self.system = system_user()  # who the seed's revisions and publications are by
        self.body_block = HealthBodyBlock()
        self.references_block = ReferencesBlock()

    def build(self):
        home = self.sync_home()
        indexes = {
            key: self.sync_page(home, INDEX_MODELS[key], key, dict(values), "index")
            for key, values in self.seed.site["indexes"].items()
        }
        for page in (home, *(indexes[key] for key in ("questions", "articles", "topics", "experts"))):
            assign_clinical_review_workflow(page)
        experts = {
            expert.slug: self.sync_page(
                indexes["experts"],
                ExpertPage,
                expert.slug,
                {
                    "title": expert.name,
                    "honorific": expert.honorific,
                    "credentials": expert.credentials,
                    "job_title": expert.job_title,
                    "department": expert.department,
                    "institution": expert.institution,
                    "bio": f"<p>{expert.bio}</p>" if expert.bio else "",
                },
                "expert",
            )
            for expert in self.seed.experts
        }
        tags = {}
        topics = []
        for topic in self.seed.topics:
            tag = self.topic_tag(indexes["topics"], topic)
            tags[topic.tag.lower()] = tag
            topics.append(
                self.sync_page(
                    indexes["topics"],
                    TopicPage,
                    topic.slug,
                    {"title": topic.title, "tag": tag, "intro": topic.intro},
                    "topic",
                )
            )
        pages = {}
        for kind, pages_seed, index_key in (
            ("question", self.seed.questions, "questions"),
            ("article", self.seed.articles, "articles"),
        ):
            for page_seed in self._dependencies_first(pages_seed):
                pages[page_seed.slug] = self.sync_health_page(
                    indexes[index_key], page_seed, experts, tags, pages, kind
                )
        self.sync_featured(home, pages)
        self.send_for_first_review(
            [home, *(indexes[key] for key in INDEX_MODELS), *experts.values(), *topics, *pages.values()]
        )
        return self.report

    def send_for_first_review(self, pages):
        """Every page the seed published goes into its first clinical review: the answers and articles, and
        the pages whose own words readers read too (a topic's or a section's introduction, an expert's
        biography, the home page). The answers and articles last, so that they head the clinicians'
        queue (the dashboard lists the newest first). Last, once everything is saved: starting a review
        sends the clinicians their emails."""
        for page in pages:
            page = type(page).objects.get(pk=page.pk)
            if start_first_review_of_source_material(page, just_published=page.pk in self.published):
                self.report.record_review(page.get_verbose_name().lower(), page.title)

    def topic_tag(self, topics_index, topic):
        """The tag topics.yaml names for `topic`. When the file renames a topic's tag, the tag its existing
        topic page is bound to is renamed (its pages keep it): a new tag beside the old would leave the old
        name behind for editors to pick."""
        tag = Tag.objects.filter(name__iexact=topic.tag).first()
        if tag is not None:
            return tag
        current = TopicPage.objects.child_of(topics_index).filter(slug=topic.slug).select_related("tag").first()
        if current is None:
            return Tag.objects.create(name=topic.tag)
        old_name = current.tag.name
        current.rename_tag(topic.tag)
        self.report.record("updated", "tag", f"{old_name} -> {topic.tag}")
        return current.tag

    def _dependencies_first(self, page_seeds):
        """Pages that others pin come first, so every pinned page exists when it is linked."""
        by_slug = {page.slug: page for page in page_seeds}
        ordered, visiting, done = [], set(), set()

        def visit(page):
            if page.slug in done:
                return
            if page.slug in visiting:
                raise SeedError(page.path, page.line(), "pinned pages refer to each other in a loop")
            visiting.add(page.slug)
            for slug in page.pinned:
                visit(by_slug[slug])
            visiting.discard(page.slug)
            done.add(page.slug)
            ordered.append(page)

        for page in page_seeds:
            visit(page)
        return ordered

    # ---------------------------------------------------------------- home

    def sync_home(self):
        """The HomePage at the top of the default site, replacing Wagtail's placeholder welcome page."""
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        values = {"title": self.seed.site["home"]["title"], "intro": self.seed.site["home"]["intro"]}
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
            placeholder = site.root_page if site else None
            if placeholder is not None and placeholder.specific_class is Page and placeholder.numchild == 0:
                # Wagtail's own "Welcome to your new Wagtail site!" page holds the slug 'home'.
                site.root_page = root
                site.save()
                placeholder.delete()
            home = self.sync_page(root, HomePage, "home", values, "home page")
        else:
            home = self.sync_page(home.get_parent(), HomePage, home.slug, values, "home page")
        if site is None:
            Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.save()
        return home

    def sync_featured(self, home, pages):
        wanted = [pages[slug].pk for slug in self.seed.site["home"]["featured"]]
        current = list(home.featured_items.order_by("sort_order").values_list("page_id", flat=True))
        if wanted == current:
            return
        home = HomePage.objects.get(pk=home.pk)
        home.featured_items = [HomePageFeaturedItem(page_id=pk) for pk in wanted]
        self._publish(home, None)
        self.report.record("updated", "home page", f"{home.title} (featured pages)")

    # --------------------------------------------------------------- pages

    def sync_health_page(self, parent, page_seed, experts, tags, pages, kind):
        model = QuestionPage if kind == "question" else ArticlePage
        values = {
            **page_seed.fields,
            "body": page_seed.body,
            "author": experts[page_seed.author] if page_seed.author else None,
        }
        relations = {}
        if kind == "question":
            relations["pinned_voices"] = (QuestionPageOtherVoice, [pages[slug].pk for slug in page_seed.pinned])
        else:
            values["references"] = [{"type": "citation", "value": value} for value, _line in page_seed.references]
            relations["pinned_related"] = (ArticlePageRelated, [pages[slug].pk for slug in page_seed.pinned])
        try:
            return self.sync_page(
                parent,
                model,
                page_seed.slug,
                values,
                kind,
                tags=[tags[name.lower()] for name in page_seed.tags],
                relations=relations,
                published=page_seed.published or page_seed.fields.get("source_updated_on"),
            )
        except SeedError:
            raise
        except Exception as exc:  # a database refusal: say which file caused it
            raise SeedError(page_seed.path, page_seed.line(), f"could not be saved: {exc}") from exc

    def sync_page(self, parent, model, slug, values, kind, tags=None, relations=None, published=None):
        """Create, update or leave alone one page so that it matches `values`. Returns the page."""
        relations = relations or {}
        page = model.objects.child_of(parent).filter(slug=slug).first()
        if page is None:
            page = model(slug=slug, live=False)
            self._apply(page, values, tags, relations)
            page.first_published_at = _published_at(published)
            parent.add_child(instance=page)
            self._publish(page, published)
            self.report.record("created", kind, page.title)
            return page
        if self._matches(page, values, tags, relations):
            self.report.record("unchanged", kind, page.title)
            return page
        # The seed's own revisions are the system's (by no user, on a database seeded before it had an account).
        edited_by_person = page.latest_revision_id and page.latest_revision.user_id not in (None, self.system.pk)
        if (edited_by_person or page.has_unpublished_changes) and not self.force:
            self.report.record("skipped", kind, f"{page.title} (changed in the admin; --force overwrites)")
            return page
        self._apply(page, values, tags, relations)
        self._publish(page, None)
        self.report.record("updated", kind, page.title)
        return page

    def _apply(self, page, values, tags, relations):
        for name, value in values.items():
            setattr(page, name, value)
        if tags is not None:
            page.tags.set(tags)
        for name, (child_model, pks) in relations.items():
            setattr(page, name, [child_model(page_id=pk) for pk in pks])

    def _matches(self, page, values, tags, relations):
        for name, wanted in values.items():
            current = getattr(page, name)
            if name == "body":
                if _without_ids(page.body.get_prep_value()) != _stream_data(self.body_block, wanted):
                    return False
            elif name == "references":
                if _without_ids(page.references.get_prep_value()) != _stream_data(self.references_block, wanted):
                    return False
            elif isinstance(current, models.Model) or isinstance(wanted, models.Model):
                if getattr(current, "pk", None) != getattr(wanted, "pk", None):
                    return False
            elif current != wanted:
                return False
        if tags is not None and {tag.pk for tag in page.tags.all()} != {tag.pk for tag in tags}:
            return False
        for name, (_model, pks) in relations.items():
            if list(getattr(page, name).order_by("sort_order").values_list("page_id", flat=True)) != pks:
                return False
        return True

    def _publish(self, page, published):
        """Publish the page's current state as a revision by the site's own account (the seed), keeping its
        original date."""
        revision = page.save_revision(user=self.system, log_action=True)
        with publishing_unreviewed_source_material("seed: the curated source documents in fixtures/seed/"):
            revision.publish(user=self.system, skip_permission_checks=True)
        self.published.add(page.pk)
        published_at = _published_at(published)
        if published_at is not None:
            type(page).objects.filter(pk=page.pk).update(
                first_published_at=published_at, last_published_at=published_at
            )
            page.first_published_at = page.last_published_at = published_at
        elif page.first_published_at is None:
            page.first_published_at = timezone.now()
