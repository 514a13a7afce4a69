"""Every page type opens in the Wagtail editor with its tabs, and can be added where it belongs."""

import pytest
from wagtail.models import Page

pytestmark = pytest.mark.usefixtures("seeded")


def test_every_seeded_page_opens_in_the_editor(admin_client):
    pages = Page.objects.filter(depth__gte=2).specific()
    assert pages.count() == 30
    for page in pages:
        response = admin_client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200, page.title


@pytest.mark.parametrize(
    ("model", "parent_slug", "tabs"),
    [
        (
            "questionpage",
            "questions",
            ["Content", "Other voices", "Author, source &amp; sponsorship", "Clinical review"],
        ),
        ("articlepage", "articles", ["Content", "Related", "Author, source &amp; sponsorship", "Clinical review"]),
    ],
)
def test_health_page_editor_has_the_tabs_an_editor_expects(admin_client, model, parent_slug, tabs):
    parent = Page.objects.get(slug=parent_slug)
    response = admin_client.get(f"/admin/pages/add/articles/{model}/{parent.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for tab in tabs:
        assert tab in html, tab
    assert "It cannot be edited by hand" in html  # the review record's help text


@pytest.mark.parametrize("language", ["en-gb", "en"])
def test_the_admin_reads_back_the_dates_it_shows(settings, language):
    """A date or time shown in the admin's format is accepted when the form comes back unchanged."""
    import datetime

    from django import forms
    from django.utils import translation

    day = datetime.date(2025, 1, 23)
    moment = datetime.datetime(2025, 1, 23, 14, 5)
    with translation.override(language):
        assert forms.DateField().clean(day.strftime(settings.WAGTAIL_DATE_FORMAT)) == day
        assert (
            forms.DateTimeField().clean(moment.strftime(settings.WAGTAIL_DATETIME_FORMAT)).replace(tzinfo=None)
            == moment
        )
