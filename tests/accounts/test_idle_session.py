"""People are signed out after the idle time, without a session write on every request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import middleware
from tests import factories

PASSWORD = "correct-horse-battery"


@pytest.fixture
def clock(monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: now[0])
    return now


@pytest.fixture
def signed_in(client, db, clock):
    person = factories.UserFactory(email="sam@example.org")
    response = client.post(
        reverse("accounts:login"), {"username": person.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _session_writes(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    writes = [
        q["sql"]
        for q in context.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return response.status_code, len(writes)


def test_signing_in_stamps_the_session(signed_in, clock):
    assert signed_in.session[middleware.IdleSessionMiddleware.KEY] == int(clock[0])


def test_pages_within_a_minute_do_not_write_the_session(signed_in, clock, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    clock[0] += 30
    assert _session_writes(signed_in, reverse("accounts:password-change"))[1] == 0


def test_a_page_after_a_minute_renews_the_session_once(signed_in, clock):
    clock[0] += 61
    status, writes = _session_writes(signed_in, reverse("accounts:password-change"))
    assert (status, writes) == (200, 1)
    assert signed_in.session[middleware.IdleSessionMiddleware.KEY] == int(clock[0])
    assert _session_writes(signed_in, reverse("accounts:password-change"))[1] == 0


def test_someone_active_stays_signed_in_past_the_idle_time(signed_in, clock, settings):
    for _ in range(4):
        clock[0] += settings.SESSION_COOKIE_AGE - 120
        response = signed_in.get(reverse("accounts:password-change"))
        assert response.status_code == 200
    assert "_auth_user_id" in signed_in.session


def test_someone_idle_past_the_idle_time_is_signed_out(signed_in, clock, settings):
    clock[0] += settings.SESSION_COOKIE_AGE + 1
    response = signed_in.get(reverse("accounts:password-change"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert "_auth_user_id" not in signed_in.session
