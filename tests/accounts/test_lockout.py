"""The sign-in lockout counts every spelling of one email address as one account."""

import pytest
from django.urls import reverse

from tests import factories

PASSWORD = "correct-horse-battery"
WRONG = "not-the-password"
VARIANTS = (
    "jo@example.org",
    "JO@EXAMPLE.ORG",
    " Jo@Example.org ",
    "jo@example.org\t",
    "jO@exAmple.org",
)


@pytest.fixture
def person(db):
    return factories.UserFactory(email="jo@example.org")


def _post(client, username, password=WRONG, address="10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_every_spelling_of_the_address_shares_one_count(client, person, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit - 1):
        assert _post(client, VARIANTS[attempt % len(VARIANTS)]).status_code == 200
    # The last try allowed, in yet another spelling, locks the account.
    assert _post(client, "  JO@example.ORG").status_code == 429
    for variant in VARIANTS:
        response = _post(client, variant, password=PASSWORD)
        assert response.status_code == 429, variant
    assert "_auth_user_id" not in client.session


def test_a_correct_sign_in_with_another_spelling_does_not_clear_the_lock(client, person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post(client, "jo@example.org")
    assert _post(client, " JO@Example.org", password=PASSWORD).status_code == 429
    # Still locked in the original spelling.
    assert _post(client, "jo@example.org", password=PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_sign_in_resets_the_count_of_every_spelling(client, person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post(client, "JO@example.org ")
    assert _post(client, " jo@EXAMPLE.org", password=PASSWORD).status_code == 302
    client.logout()
    # A fresh count: four more failures do not lock.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _post(client, "jo@example.org").status_code == 200


def test_the_count_is_per_account_and_address(client, person, settings):
    other = factories.UserFactory(email="sam@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post(client, "jo@example.org")
    # Signing in to another account from the same address clears nothing of Jo's.
    assert _post(client, other.email, password=PASSWORD).status_code == 302
    client.logout()
    assert _post(client, "Jo@example.org", password=PASSWORD).status_code == 429
    # Jo, from another address, is not locked out by what happened at the first.
    assert _post(client, "jo@example.org", password=PASSWORD, address="10.0.0.2").status_code == 302
