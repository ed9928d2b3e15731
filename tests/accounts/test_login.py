import pytest
from django.urls import reverse

from tests import factories

PASSWORD = "correct-horse-battery"


@pytest.fixture
def person(db):
    return factories.UserFactory(email="jo@example.org")


def test_people_sign_in_with_their_email_in_any_case(client, person):
    response = client.post(
        reverse("accounts:login"), {"username": "Jo@Example.ORG", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_a_wrong_password_says_so_plainly(client, person):
    response = client.post(
        reverse("accounts:login"), {"username": person.email, "password": "not-the-password"}
    )
    assert response.status_code == 200
    assert "That email address and password do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_throttled(client, person, settings):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": person.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(url, {"username": person.email, "password": "wrong"})
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    # Even the right password is refused while locked out.
    response = client.post(url, {"username": person.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client, person):
    client.force_login(person)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_link_uses_the_configured_site_address(client, person, mailoutbox, settings):
    settings.SITE_URL = "https://portfolio.example.org"
    settings.ALLOWED_HOSTS = ["*"]  # even if a deployment accepted any Host header
    client.post(reverse("accounts:password-reset"), {"email": person.email}, HTTP_HOST="evil.test")
    assert "https://portfolio.example.org/accounts/password-reset/" in mailoutbox[0].body
    assert "evil.test" not in mailoutbox[0].body


def test_pages_send_a_strict_content_security_policy(client, person):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
