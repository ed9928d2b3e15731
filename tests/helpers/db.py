"""Rows built once for a module (or class) and shared by its tests."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def kept_for_scope(django_db_blocker) -> Iterator[None]:
    """A transaction on the test database, open until the block ends and then rolled back.

    For a module- or class-scoped fixture: build the rows inside the block and yield them.
    Each test that uses the `db` fixture runs in a savepoint inside this transaction, so
    whatever a test changes is rolled back before the next test, which sees the rows just
    as they were built. Objects are not rolled back: hand each test its own copy
    (`copy.deepcopy`), as Django's `setUpTestData` does. The block may be nested, one
    scope's rows on top of another's. Only for tests on the `db` fixture: a test that
    needs `transactional_db` (other threads or connections) cannot see these rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
