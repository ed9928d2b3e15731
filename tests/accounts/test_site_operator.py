"""Site operators: who they are, and the command that makes one."""

import io
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.permissions import is_site_operator, require_site_operator
from tests import factories


@pytest.mark.django_db
def test_only_an_active_superuser_is_a_site_operator():
    assert is_site_operator(factories.UserFactory(is_superuser=True))
    assert not is_site_operator(factories.UserFactory())
    assert not is_site_operator(factories.UserFactory(is_superuser=True, is_active=False))
    assert not is_site_operator(AnonymousUser())


@pytest.mark.django_db
def test_require_site_operator_refuses_everyone_else():
    require_site_operator(factories.UserFactory(is_superuser=True))
    with pytest.raises(PermissionDenied):
        require_site_operator(factories.UserFactory())


@pytest.mark.django_db
def test_the_command_creates_an_operator_and_prints_a_link_to_choose_a_password(client):
    out = io.StringIO()
    call_command("create_site_operator", "Ops@Example.org", "--name", "Olu Ops", stdout=out)
    user = User.objects.get(email="ops@example.org")
    assert user.is_superuser and user.is_active and user.full_name == "Olu Ops"
    assert not user.has_usable_password()
    assert "Created ops@example.org as a site operator." in out.getvalue()
    link = next(line.strip() for line in out.getvalue().splitlines() if "/invitation/" in line)
    response = client.get(urlsplit(link).path, follow=True)
    assert "Welcome. Choose your password" in response.content.decode()


@pytest.mark.django_db
def test_the_command_is_idempotent():
    call_command("create_site_operator", "ops@example.org", stdout=io.StringIO())
    out = io.StringIO()
    call_command("create_site_operator", "ops@example.org", stdout=out)
    assert "ops@example.org is already a site operator." in out.getvalue()
    assert User.objects.filter(email="ops@example.org").count() == 1


@pytest.mark.django_db
def test_the_command_makes_an_existing_person_an_operator_without_a_link():
    person = factories.UserFactory(email="tutor@example.org")
    out = io.StringIO()
    call_command("create_site_operator", "TUTOR@example.org", stdout=out)
    person.refresh_from_db()
    assert person.is_superuser and person.has_usable_password()
    assert "tutor@example.org is now a site operator." in out.getvalue()
    assert "/invitation/" not in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_a_switched_off_account_and_a_bad_address():
    factories.UserFactory(email="gone@example.org", is_active=False)
    with pytest.raises(CommandError, match="switched off"):
        call_command("create_site_operator", "gone@example.org", stdout=io.StringIO())
    assert not User.objects.get(email="gone@example.org").is_superuser
    with pytest.raises(CommandError, match="is not an email address"):
        call_command("create_site_operator", "not-an-address", stdout=io.StringIO())
    assert not User.objects.filter(is_superuser=True).exists()
