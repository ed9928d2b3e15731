"""Personas on one apprenticeship, plus an outsider from another provider."""

import pytest
from celery.contrib.testing.worker import start_worker
from django import test as django_test

from accounts import two_factor as two_factor_state
from apprenticeship.models import Apprenticeship
from config.celery import app as celery_app
from tests import factories
from tests.helpers import personas as personas_helpers


class Client(django_test.Client):
    """The test client, whose `force_login` also records in the session that the person
    gave their second factor, as signing in with a code does: tests of other pages sign
    staff in directly. `two_factor=None` leaves that out, so the session is treated as
    one made without signing in through the form (tests/accounts/test_two_factor.py)."""

    def force_login(self, user, backend=None, *, two_factor: bool | None = True):
        super().force_login(user, backend)
        if two_factor is not None:
            session = self.session
            session[two_factor_state.SESSION_KEY] = (
                two_factor_state.VERIFIED
                if two_factor
                else two_factor_state.state_after_password(user)
            )
            session.save()


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def standard_version(db):
    return personas_helpers.make_standard_version()


@pytest.fixture
def provider(db):
    return personas_helpers.make_provider()


@pytest.fixture
def employer_org(provider):
    return personas_helpers.make_employer_org(provider)


@pytest.fixture
def epao(provider):
    return personas_helpers.make_epao(provider)


@pytest.fixture
def personas(db, standard_version, provider, employer_org, epao):
    """Users by persona name. The apprenticeship is `personas["apprenticeship"]`."""
    return personas_helpers.make_personas(
        standard_version=standard_version, provider=provider, employer_org=employer_org, epao=epao
    )


@pytest.fixture
def apprenticeship(personas) -> Apprenticeship:
    return personas["apprenticeship"]


@pytest.fixture
def post_gateway(apprenticeship) -> Apprenticeship:
    """The personas' apprenticeship after gateway, so the assessor may see it."""
    return personas_helpers.move_to_gateway(apprenticeship)


@pytest.fixture
def st0896(db):
    """The project's real ST0896 fixture, imported."""
    from django.conf import settings

    from standards.parsing import load_standard_file
    from standards.services.imports import import_standard

    path = settings.BASE_DIR / "fixtures" / "standards" / "st0896-v1.0.json"
    # With the personas it lands on their ST0896 v1.0, replacing the factory statements;
    # any record made against one stays on it, kept as retired.
    return import_standard(data=load_standard_file(path), keep_retired=True).standard_version


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread) consuming from the real Redis broker."""
    celery_app.control.purge()
    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30
    ) as worker:
        yield worker


@pytest.fixture
def site_operator(db):
    """An operator of the installation: changes the standards every provider shares."""
    return factories.UserFactory(
        email="operator@example.org", full_name="Olu Operator", is_superuser=True
    )


def pytest_collection_modifyitems(config, items):
    """On SQLite (the second pass of the test command), skip what needs PostgreSQL itself:
    tests marked `postgres_only` and those that run a real Celery worker beside the test."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks between connections)")
    for item in items:
        if "postgres_only" in item.keywords or "celery_worker" in item.fixturenames:
            item.add_marker(skip)
