"""Fixtures shared by every app's tests."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(autouse=True)
def _empty_cache():
    """Wagtail caches site root paths and settings; a rolled-back test must not leave them behind."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_tree(db):
    """The home page and its four section pages, as the default site."""
    from discsite.factories import build_site_tree

    return build_site_tree()


@pytest.fixture(scope="module")
def _seeded_module(django_db_setup, django_db_blocker):
    """Seed once per test module inside a transaction that is rolled back afterwards.

    Like Django's TestCase.setUpTestData: the module's tests each run in a
    savepoint on top of the seeded data, and nothing outlives the module.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_module, db):
    """The site built from the real seed files (rolled back after the module)."""
