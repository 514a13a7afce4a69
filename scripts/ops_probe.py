"""The Django side of scripts/soak.py, fault.py and two_nodes.py, run by them against their database.

    python scripts/ops_probe.py urls                       a live page of each public type (JSON)
    python scripts/ops_probe.py ensure-admin USER          a superuser USER whose password is $SOAK_ADMIN_PASSWORD
    python scripts/ops_probe.py edit-form MARKER...        the admin's POST data for saving a draft of one live
                                                           question page (taken out of any workflow), with
                                                           MARKER (a unique string, such as "[run-name]") in
                                                           its title, short answer and full answer (JSON: the
                                                           page's id, and the data for each MARKER)
    python scripts/ops_probe.py check-edits PAGE MARKER... whether each MARKER's save is in the database
                                                           whole, absent or partial (JSON)
    python scripts/ops_probe.py ensure-roles PREFIX        an editor, a clinical reviewer (linked to a live
                                                           expert profile) and a moderator, PREFIX-editor
                                                           ..., password $SOAK_ADMIN_PASSWORD (JSON)
    python scripts/ops_probe.py publish-form MARKER        a live topic page taken out of any workflow, and
                                                           the admin's POST data that saves it with MARKER
                                                           in its title and submits it to its Clinical
                                                           review workflow (JSON: id, url, form)
    python scripts/ops_probe.py workflow-task PAGE         the page's task in progress: its state's id and
                                                           which task it is (JSON)

It uses the DJANGO_SETTINGS_MODULE and DATABASE_URL it is given (the scripts give it the production
settings and their database).
"""

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discsite.settings.production")

import django

django.setup()

from wagtail.models import PageLogEntry  # noqa: E402

from articles.models import ArticlePage, QuestionPage, TopicPage  # noqa: E402
from bench.serving import INDEX_URLS  # noqa: E402
from experts.models import ExpertPage  # noqa: E402

PARAGRAPH_FEATURES = ["bold", "italic", "link"]


def urls():
    def first(model):
        page = model.objects.live().public().order_by("path").first()
        if page is None:
            raise SystemExit(f"no live {model.__name__} in the database: is it seeded?")
        return page.url

    return {
        **INDEX_URLS,
        "Q&A": first(QuestionPage),
        "article": first(ArticlePage),
        "expert": first(ExpertPage),
        "topic": first(TopicPage),
        "search": "/search/?q=sciatica",
        "feed": "/feed/",
    }


def ensure_admin(username):
    from django.contrib.auth import get_user_model

    password = os.environ["SOAK_ADMIN_PASSWORD"]
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@localhost"})
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return {"username": username, "id": user.pk}


def edited_page():
    """The live question page the fault script edits: the first one with no pinned voices (kept simple)."""
    for page in QuestionPage.objects.live().order_by("path"):
        if not page.pinned_voices.exists():
            return page
    raise SystemExit("no live question page without pinned voices to edit")


def out_of_review(page):
    """Cancel the workflow in progress on `page`, if any, as an administrator's "Cancel workflow" would.

    The seed puts every page it publishes into its first clinical review, during which only clinical
    reviewers may change it (articles.workflow.ClinicalReviewTask.locked_for_user); the scripts' editors
    start from a page that is in no workflow.
    """
    workflow_state = page.current_workflow_state
    if workflow_state is not None:
        workflow_state.cancel(user=None)


def edit_forms(markers):
    page = edited_page()
    out_of_review(page)
    return {"page_id": page.pk, "forms": {marker: edit_form(page, marker) for marker in markers}}


def edit_form(page, marker):
    """What the editor's browser posts for "Save draft": the live page's values, with `marker` in three fields.

    Built from the live page (what the seed published), not from earlier runs' drafts, so that each
    run's markers appear only in that run's saves.
    """
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    paragraph = rich_text(
        f"<p>{marker} This answer was rewritten by the fault script while the database restarted.</p>",
        features=PARAGRAPH_FEATURES,
    )
    body = streamfield([("paragraph", paragraph)])
    return nested_form_data(
        answer_form(page, title=f"{page.title} {marker}", summary=f"{marker} {page.summary}", body=body)
    )


def answer_form(page, *, title, summary, body):
    """An expert answer's edit form as the admin posts it (before nesting): `page`'s own values, with the
    given title, summary and body (a streamfield of wagtail.test.utils.form_data)."""
    from wagtail.test.utils.form_data import inline_formset

    data = {
        "title": title,
        "slug": page.slug,
        "summary": summary,
        "body": body,
        "tags": ", ".join(f'"{tag.name}"' for tag in page.tags.all()),
        "author": str(page.author_id or ""),
        "source_name": page.source_name,
        "source_url": page.source_url,
        "source_updated_on": page.source_updated_on.isoformat() if page.source_updated_on else "",
        "sponsor_disclosure": page.sponsor_disclosure,
        "audio": str(page.audio_id or ""),
        "audio_duration": page.audio_duration,
        "pinned_voices": inline_formset([]),
        "comments": inline_formset([]),
        "seo_title": page.seo_title,
        "search_description": page.search_description,
        "go_live_at": "",
        "expire_at": "",
    }
    if page.is_sponsored:
        data["is_sponsored"] = "on"
    return data


def check_edits(page_id, markers):
    """For each marker: "whole" (one revision carrying it in every edited field, the page row pointing at
    the newest revision and an edit logged for it), "absent" (no trace of it), or "partial" (anything else)."""
    page = QuestionPage.objects.get(pk=page_id)
    revisions = list(page.revisions.order_by("id"))
    latest = revisions[-1]
    report = {
        "page_id": page.pk,
        "revisions": len(revisions),
        "page_row_points_at_newest_revision": page.latest_revision_id == latest.pk,
        "draft_title_matches_newest_revision": page.draft_title == latest.content["title"],
        "markers": {},
    }
    for marker in markers:
        carrying = []
        for revision in revisions:
            content = revision.content
            fields = {
                "title": marker in content.get("title", ""),
                "summary": marker in content.get("summary", ""),
                "body": marker in json.dumps(content.get("body", "")),
            }
            if any(fields.values()):
                logged = PageLogEntry.objects.filter(revision=revision, action="wagtail.edit").exists()
                carrying.append({"revision": revision.pk, "fields": fields, "logged": logged})
        if not carrying:
            state = "absent"
        elif len(carrying) == 1 and all(carrying[0]["fields"].values()) and carrying[0]["logged"]:
            state = "whole"
        else:
            state = "partial"
        report["markers"][marker] = {"state": state, "revisions": carrying}
    return report


ROLES = {"editor": "Editors", "clinician": "Clinical reviewers", "moderator": "Moderators"}


def ensure_roles(prefix):
    """One user per role; the clinician approves as a live expert profile that no one else signs in as."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from articles.integrity import publishing_unreviewed_source_material

    password = os.environ["SOAK_ADMIN_PASSWORD"]
    users = {}
    for role, group in ROLES.items():
        user, _ = get_user_model().objects.get_or_create(
            username=f"{prefix}-{role}", defaults={"email": f"{prefix}-{role}@localhost"}
        )
        user.is_staff = user.is_superuser = False
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=group)])
        users[role] = user.username
    clinician = get_user_model().objects.get(username=users["clinician"])
    profile = ExpertPage.objects.live().filter(user=clinician).first()
    if profile is None:
        profile = ExpertPage.objects.live().filter(user__isnull=True).order_by("path").first()
        if profile is None:
            raise SystemExit("no live expert profile to link the clinical reviewer to")
        profile.user = clinician
        # As create_demo_users does: the profile's content is unchanged, only who signs in as it.
        with publishing_unreviewed_source_material(f"ops_probe: {prefix}'s clinical reviewer's login"):
            profile.save_revision(user=None, log_action=True).publish(user=None)
    return {"users": users, "clinician_profile": profile.pk}


def published_page():
    """The topic page two_nodes.py publishes: the first live one (the load's "topic" URL)."""
    page = TopicPage.objects.live().public().order_by("path").first()
    if page is None:
        raise SystemExit("no live topic page in the database: is it seeded?")
    return page


def publish_form(marker):
    """Out of any workflow in progress (`out_of_review`), what the editor posts for "Submit to Clinical
    review" with `marker` in the title. A topic has no author, so any clinical reviewer may approve it."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    page = published_page()
    out_of_review(page)
    title = re.sub(r"(?: \[[\w-]+\])+$", "", page.title)  # without the markers of earlier runs
    data = {
        "title": f"{title} {marker}",
        "slug": page.slug,
        "tag": str(page.tag_id),
        "intro": page.intro,
        "comments": inline_formset([]),
        "seo_title": page.seo_title,
        "search_description": page.search_description,
        "go_live_at": "",
        "expire_at": "",
        "action-submit": "Submit to Clinical review",
    }
    return {"page_id": page.pk, "url": page.url, "title": page.title, "form": nested_form_data(data)}


def workflow_task(page_id):
    page = TopicPage.objects.get(pk=page_id)
    state = page.current_workflow_task_state
    if state is None:
        return {"page_id": page.pk, "task_state": None, "task": None, "live_title": page.title}
    return {
        "page_id": page.pk,
        "task_state": state.pk,
        "task": state.task.specific._meta.model_name,
        "live_title": page.title,
    }


def main(argv):
    if argv[:1] == ["urls"]:
        result = urls()
    elif argv[:1] == ["ensure-admin"] and len(argv) == 2:
        result = ensure_admin(argv[1])
    elif argv[:1] == ["edit-form"] and len(argv) >= 2:
        result = edit_forms(argv[1:])
    elif argv[:1] == ["check-edits"] and len(argv) >= 3:
        result = check_edits(int(argv[1]), argv[2:])
    elif argv[:1] == ["ensure-roles"] and len(argv) == 2:
        result = ensure_roles(argv[1])
    elif argv[:1] == ["publish-form"] and len(argv) == 2:
        result = publish_form(argv[1])
    elif argv[:1] == ["workflow-task"] and len(argv) == 2:
        result = workflow_task(int(argv[1]))
    else:
        sys.exit(__doc__)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
