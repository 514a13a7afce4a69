"""generate_content refuses where made-up health content must never appear, and says why."""

import pytest
from django.core.management import CommandError, call_command

from articles.models import QuestionPage

pytestmark = pytest.mark.django_db


def test_refused_when_the_settings_do_not_allow_it(settings, site_tree):
    settings.DISCSITE_ALLOW_SYNTHETIC_CONTENT = False
    with pytest.raises(CommandError, match="Synthetic content is only for development"):
        call_command("generate_content", pages=1, verbosity=0)
    assert not QuestionPage.objects.exists()


def test_production_settings_do_not_allow_it():
    from discsite.settings import base

    assert base.DISCSITE_ALLOW_SYNTHETIC_CONTENT is False
    # production.py is imported in a subprocess by discsite/tests/test_production_settings.py.


def test_refused_without_a_site_to_put_the_pages_in():
    with pytest.raises(CommandError, match=r"run `python manage\.py seed` first"):
        call_command("generate_content", pages=1, verbosity=0)


@pytest.mark.parametrize("pages", [0, -5])
def test_refused_for_no_pages(site_tree, pages):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_content", pages=pages, verbosity=0)
