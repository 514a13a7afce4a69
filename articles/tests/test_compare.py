"""The comparison a reviewer is offered first for a page in review (articles.admin_views.review_comparison_url):
what changed since the version a clinician last approved, or the whole page when none was."""

import pytest

from articles.tests.test_clinical_review import draft_question, submit
from articles.tests.test_permissions import live_reviewed_page

pytestmark = pytest.mark.django_db


def changes_url(page):
    return f"/admin/clinical-review/{page.pk}/changes/"


def test_a_reviewed_live_page_is_compared_from_its_live_revision_to_the_revision_under_review(client, roles):
    page = live_reviewed_page(roles)
    live_revision = page.live_revision_id
    page.summary = "Rest for a day, then walk a little more each day."
    page.save_revision(user=roles["editor"])
    page = submit(page, roles["editor"])
    under_review = page.current_workflow_task_state.revision_id
    assert under_review != live_revision

    client.force_login(roles["second_clinician"])
    response = client.get(changes_url(page))
    assert response.status_code == 302
    assert response.url == f"/admin/pages/{page.pk}/revisions/compare/{live_revision}...{under_review}/"
    compared = client.get(response.url)
    assert compared.status_code == 200
    assert b"then walk a little more each day" in compared.content
    assert b"There are no differences" not in compared.content


def test_a_never_published_page_is_shown_whole(client, roles):
    page = submit(draft_question(roles["editor"], summary="Keep moving gently."), roles["editor"])
    under_review = page.current_workflow_task_state.revision_id

    client.force_login(roles["clinician"])
    response = client.get(changes_url(page))
    assert response.status_code == 302
    assert response.url == f"/admin/pages/{page.pk}/revisions/{under_review}/view/"
    whole = client.get(response.url)
    assert whole.status_code == 200
    assert page.title.encode() in whole.content
    assert b"Keep moving gently." in whole.content


def test_a_re_review_with_nothing_changed_shows_the_whole_page(client, roles):
    from articles.review import put_live_content_up_for_review
    from articles.workflow import clinical_review_workflow

    page = live_reviewed_page(roles)
    put_live_content_up_for_review(page)
    clinical_review_workflow().start(page, user=None)

    client.force_login(roles["second_clinician"])
    response = client.get(changes_url(page))
    assert response.url == f"/admin/pages/{page.pk}/revisions/{page.get_latest_revision().pk}/view/"
    assert client.get(response.url).status_code == 200


def test_the_editors_status_panel_offers_it_to_the_clinician(client, roles):
    page = submit(draft_question(roles["editor"]), roles["editor"])
    client.force_login(roles["clinician"])
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    assert f'href="{changes_url(page)}"'.encode() in response.content
    assert b"Compare with the approved version" in response.content


def test_pages_not_in_review_offer_no_such_link(client, roles):
    page = draft_question(roles["editor"])
    client.force_login(roles["editor"])
    assert changes_url(page).encode() not in client.get(f"/admin/pages/{page.pk}/edit/").content
