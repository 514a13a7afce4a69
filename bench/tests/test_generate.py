"""bench/generate.py refuses what it cannot do, and the site itself has no way to make up pages."""

import pytest
from django.core.management import CommandError, call_command

from articles.models import QuestionPage
from bench.tests import generate

pytestmark = pytest.mark.django_db


def test_refused_without_a_site_to_put_the_pages_in():
    with pytest.raises(SystemExit, match=r"run `python manage\.py seed` first"):
        generate("--pages", 1)


@pytest.mark.parametrize("pages", [0, -5])
def test_refused_for_no_pages(site_tree, pages):
    with pytest.raises(SystemExit, match="at least 1"):
        generate("--pages", pages)
    assert not QuestionPage.objects.exists()


def test_says_what_it_made(site_tree):
    output = generate("--pages", 3, "--seed", 4, "--timings")
    assert "Created 3 pages (2 expert answers, 1 articles), 2 experts, 3 topics" in output
    assert "  search index: " in output
    assert QuestionPage.objects.live().count() == 2


def test_the_site_has_no_command_to_make_up_content(settings):
    """The generator is the benchmark's: no management command, and no setting to switch one on."""
    with pytest.raises(CommandError, match="Unknown command"):
        call_command("generate_content", pages=1)
    assert not hasattr(settings, "DISCSITE_ALLOW_SYNTHETIC_CONTENT")
