"""The content-version read is the request's connection health check on PostgreSQL (discsite/caching.py).

Its own module: these tests need the database outside a transaction, and test_caching.py marks
all of its tests `django_db` (a module marker decides how the database is set up, and would leave
out the serialized rollback these tests rely on, as the browser tests do).
"""

import pytest
from django.db import connection

from discsite.models import ContentVersion

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Django's health check query is PostgreSQL's"
)


@pytest.fixture
def kept_connection(_restore_migrated_state, django_db_serialized_rollback, transactional_db):
    """A connection kept from an earlier request whose health check is due, as at the start of a request
    on a production server (outside a transaction: transactional_db, with the migrated rows put back
    afterwards as for the browser tests); and a record of Django's own checks."""
    from django.db import connections

    from discsite.caching import read_content_version

    wrapper = connections["default"]
    read_content_version()  # connected
    saved = wrapper.health_check_enabled, wrapper.is_usable
    checks = []
    wrapper.health_check_enabled = True
    wrapper.is_usable = lambda: checks.append(1) or saved[1]()

    def check_due():
        wrapper.health_check_done = False
        checks.clear()

    yield check_due, checks
    wrapper.health_check_enabled = saved[0]
    del wrapper.is_usable


@on_postgresql
def test_reading_the_version_is_the_connections_health_check(kept_connection):
    from discsite.caching import read_content_version

    check_due, checks = kept_connection
    ContentVersion.objects.update_or_create(pk=1, defaults={"value": 41})
    check_due()
    assert read_content_version() == 41
    assert connection.health_check_done
    assert ContentVersion.objects.get(pk=1).value == 41  # the request's next query
    assert checks == []  # no SELECT 1 of Django's: one round trip, not two


@on_postgresql
def test_a_dead_kept_connection_is_replaced_and_the_version_still_read(kept_connection):
    from discsite.caching import read_content_version

    check_due, _checks = kept_connection
    ContentVersion.objects.update_or_create(pk=1, defaults={"value": 42})
    check_due()
    dead = connection.connection
    dead.close()  # the server went away since the last request
    assert read_content_version() == 42
    assert connection.connection is not dead
    assert ContentVersion.objects.get(pk=1).value == 42
