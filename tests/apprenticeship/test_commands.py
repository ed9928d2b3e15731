import io

import pytest
from django.core.management import call_command

from apprenticeship.models import Organisation, OrganisationMembership
from tests.helpers.outbox import deliver_outbox


@pytest.mark.django_db
def test_create_provider_invites_the_first_admin_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_provider", "Southbank Peer Academy", "lead@southbank.example", stdout=out
        )
    provider = Organisation.objects.get(name="Southbank Peer Academy")
    assert provider.kind == Organisation.Kind.PROVIDER and provider.managed_by is None
    membership = OrganisationMembership.objects.get(organisation=provider)
    assert membership.is_admin and not membership.user.has_usable_password()
    deliver_outbox()
    assert "/accounts/invitation/" in mailoutbox[0].body
    call_command("create_provider", "Southbank Peer Academy", "lead@southbank.example", stdout=out)
    assert Organisation.objects.filter(name="Southbank Peer Academy").count() == 1
    assert "already works for" in out.getvalue()
