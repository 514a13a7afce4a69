"""Writing a new page as an editor does, over HTTP: the first save of a new expert answer succeeds.

The browser fills a page's slug (on the Promote tab) from its title as the editor types, when the
title field carries Wagtail's sync wiring (TitleFieldPanel). Without it the slug stayed empty and
the first save failed with the error out of sight on another tab. The form data posted here is
what the browser would send: the slug filled only if the rendered form would have filled it.
"""

import re

import pytest
from django.utils.text import slugify
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from articles.models import QuestionPage
from experts.models import ExpertPage

pytestmark = pytest.mark.django_db

QUESTION = "How long does a slipped disc take to heal?"


def input_tag(html, field_id):
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html)
    assert tag, f"no input #{field_id}"
    return tag.group(0).replace("&gt;", ">")


def slug_the_browser_fills(html, title):
    """The slug as Wagtail's scripts fill it while `title` is typed: only if the title input is wired
    to the slug input (w-sync, applied on keyup/change/blur) and the slug input slugifies (w-slug)."""
    title_input, slug_input = input_tag(html, "id_title"), input_tag(html, "id_slug")
    targets = re.search(r'data-w-sync-target-value="([^"]*)"', title_input)
    wired = (
        "w-sync" in title_input
        and re.search(r"(keyup|change|blur)->w-sync#apply", title_input)
        and targets
        and "#id_slug" in [target.strip() for target in targets.group(1).split(",")]
        and "w-slug" in slug_input
    )
    return slugify(title) if wired else ""


def tab_panels(html):
    """The editor's tabs: {tab id: the HTML of its panel}."""
    sections = re.split(r'<section\s+id="tab-', html)[1:]
    return {section.split('"', 1)[0]: section for section in sections}


def question_form_data(html, expert, title=QUESTION, **changes):
    """What the browser posts when an editor has typed the question, short answer and a paragraph,
    and chosen the answering expert (and saves a draft: no `action-publish`)."""
    data = {
        "title": title,
        "slug": slug_the_browser_fills(html, title),
        "author": str(expert.pk) if expert else "",
        "summary": "Most people feel better within six weeks, without surgery.",
        "body": streamfield([("paragraph", rich_text("<p>Keep moving, gently, within what pain allows.</p>"))]),
        "tags": "",
        "source_name": "",
        "source_url": "",
        "source_updated_on": "",
        "sponsor_disclosure": "",
        "audio": "",
        "audio_duration": "",
        "pinned_voices": inline_formset([]),
        "comments": inline_formset([]),
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(changes)
    return nested_form_data(data)


@pytest.fixture
def editor(client, roles):
    client.force_login(roles["editor"])
    return client


@pytest.fixture
def expert():
    return ExpertPage.objects.get(title="Ada Reviewer")


def add_question_url(site_tree):
    return f"/admin/pages/add/articles/questionpage/{site_tree.questions.pk}/"


def test_a_new_expert_answer_saves_the_first_time(editor, site_tree, expert):
    form = editor.get(add_question_url(site_tree))
    assert form.status_code == 200

    response = editor.post(add_question_url(site_tree), question_form_data(form.content.decode(), expert))

    errors = response.context["form"].errors if response.status_code == 200 else None
    assert response.status_code == 302, errors
    page = QuestionPage.objects.child_of(site_tree.questions).get(title=QUESTION)
    assert page.slug == "how-long-does-a-slipped-disc-take-to-heal"
    assert page.author_id == expert.pk
    assert not page.live
    assert response["Location"] == f"/admin/pages/{page.pk}/edit/"


def test_the_answering_expert_is_asked_for_on_the_content_tab(editor, site_tree):
    """The tab the editor starts on asks for everything a new answer needs."""
    tabs = tab_panels(editor.get(add_question_url(site_tree)).content.decode())

    assert next(iter(tabs)) == "content"
    assert 'name="author"' in tabs["content"]
    assert "Answering expert" in tabs["content"]
    assert not [tab for tab in tabs if tab != "content" and 'name="author"' in tabs[tab]]
    assert "chosen on the <b>Content</b> tab" in tabs["author_source_sponsorship"]


def test_a_missing_answering_expert_is_shown_at_its_field_on_the_content_tab(editor, site_tree):
    html = editor.get(add_question_url(site_tree)).content.decode()

    response = editor.post(add_question_url(site_tree), question_form_data(html, expert=None))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["author"]
    content = tab_panels(response.content.decode())["content"]
    author_panel = re.search(r'id="panel-child-content-author-section".*?</section>', content, re.S)
    assert author_panel, "the answering expert's panel is not on the Content tab"
    assert re.search(r'class="error-message"[^>]*>\s*This field is required', author_panel.group(0))
    assert not QuestionPage.objects.exists()


def test_a_new_expert_profile_saves_the_first_time(editor, site_tree):
    url = f"/admin/pages/add/experts/expertpage/{site_tree.experts.pk}/"
    html = editor.get(url).content.decode()
    data = {
        "title": "Wang Fei",
        "slug": slug_the_browser_fills(html, "Wang Fei"),
        "honorific": "Dr",
        "credentials": "MD",
        "job_title": "Consultant spinal surgeon",
        "department": "Orthopedics",
        "institution": "",
        "photo": "",
        "bio": rich_text("<p>Treats back pain.</p>", features=["bold", "italic", "link"]),
        "comments": inline_formset([]),
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
    }

    response = editor.post(url, nested_form_data(data))

    assert response.status_code == 302, response.context["form"].errors
    assert ExpertPage.objects.get(title="Wang Fei").slug == "wang-fei"
