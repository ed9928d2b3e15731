"""Adding an existing account to another organisation is an invitation that the person
accepts, signed in; until then they have no access (issue 11, section 2)."""

import pytest
from django.urls import reverse

from apprenticeship import access, services
from apprenticeship.models import OrganisationInvitation, OrganisationMembership, Role
from audit.models import AuditEvent
from tests.helpers.outbox import deliver_outbox


def invite_tutor_to(organisation, personas, **extra):
    return services.invite_person(
        email="TUTOR@example.org",
        full_name="ignored",
        organisation=organisation,
        is_admin=extra.get("is_admin", False),
        by=extra.get("by", personas["admin"]),
    )


def test_an_existing_account_is_invited_not_added(
    personas, epao, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user, created = invite_tutor_to(epao, personas)
    assert not created and user == personas["tutor"]
    assert not OrganisationMembership.objects.filter(user=user, organisation=epao).exists()
    invitation = OrganisationInvitation.objects.get(user=user, organisation=epao)
    assert invitation.status == OrganisationInvitation.Status.PENDING
    event = AuditEvent.objects.get(action="organisation.invitation_sent")
    assert event.actor == personas["admin"] and event.object_id == str(invitation.pk)
    deliver_outbox()
    assert mailoutbox[0].to == ["tutor@example.org"]
    assert mailoutbox[0].subject == "You are invited to join Fairway EPA"
    assert "/invitations/" in mailoutbox[0].body
    # No password link in it: they sign in as themselves.
    assert "/accounts/invitation/" not in mailoutbox[0].body


def test_a_pending_invitee_cannot_be_given_a_role(personas, epao):
    """The provider admin cannot make someone a tutor by inviting them to the provider: a
    pending invitation is no job there."""
    other = personas["other_apprenticeship"]
    invite_tutor_to(other.provider, personas, by=personas["outsider"])
    with pytest.raises(services.EnrolmentError, match="does not work for"):
        services.add_member(
            apprenticeship=other, user=personas["tutor"], role=Role.TUTOR, by=personas["outsider"]
        )
    assert not access.administered_providers(personas["tutor"]).filter(pk=other.provider_id)


def test_accepting_makes_the_membership_and_is_recorded(personas, epao):
    invite_tutor_to(epao, personas, is_admin=True)
    invitation = access.pending_invitations(personas["tutor"]).get()
    membership = services.accept_organisation_invitation(
        invitation=invitation, by=personas["tutor"]
    )
    assert membership.organisation == epao and membership.is_admin and membership.is_active
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.membership == membership
    assert AuditEvent.objects.filter(
        action="organisation.invitation_accepted", actor=personas["tutor"]
    ).exists()
    with pytest.raises(services.EnrolmentError, match="already been answered"):
        services.accept_organisation_invitation(invitation=invitation, by=personas["tutor"])


def test_only_the_invited_person_can_answer(personas, epao):
    invite_tutor_to(epao, personas)
    invitation = OrganisationInvitation.objects.get()
    with pytest.raises(services.EnrolmentError, match="Only the person invited"):
        services.accept_organisation_invitation(invitation=invitation, by=personas["admin"])
    assert not OrganisationMembership.objects.filter(organisation=epao, user=personas["admin"])


def test_declining_changes_nothing_and_is_recorded(personas, epao):
    invite_tutor_to(epao, personas)
    invitation = OrganisationInvitation.objects.get()
    services.decline_organisation_invitation(invitation=invitation, by=personas["tutor"])
    assert not OrganisationMembership.objects.filter(user=personas["tutor"], organisation=epao)
    assert AuditEvent.objects.filter(action="organisation.invitation_declined").exists()
    # Declined, they may be invited again.
    invite_tutor_to(epao, personas)
    assert access.pending_invitations(personas["tutor"]).count() == 1


def test_a_second_invitation_while_one_waits_is_refused(personas, epao):
    invite_tutor_to(epao, personas)
    with pytest.raises(services.EnrolmentError, match="already been invited"):
        invite_tutor_to(epao, personas)


# -- through the pages ---------------------------------------------------------------------


def test_the_admin_invites_an_existing_account_through_the_page(client, personas, epao):
    client.force_login(personas["admin"])
    response = client.post(
        reverse("apprenticeship:person-invite"),
        {"email": "tutor@example.org", "full_name": "Tutor", "organisation": epao.pk},
        follow=True,
    )
    assert "they have been asked to accept" in response.content.decode()
    assert not OrganisationMembership.objects.filter(user=personas["tutor"], organisation=epao)
    # Not listed among the organisation's people until they accept.
    page = client.get(reverse("apprenticeship:organisation-detail", args=[epao.pk]))
    assert "tutor@example.org" not in page.content.decode()


def test_the_invited_person_sees_it_on_their_home_page_and_accepts(client, personas, epao):
    invite_tutor_to(epao, personas)
    invitation = OrganisationInvitation.objects.get()
    client.force_login(personas["tutor"])
    home = client.get(reverse("dashboards:home"))
    assert home.status_code == 200
    html = home.content.decode()
    assert "Fairway EPA" in html and "Accept" in html
    assert reverse("dashboards:caseload") in html  # they can carry on to their own page
    response = client.post(reverse("apprenticeship:invitation-accept", args=[invitation.pk]))
    assert response.status_code == 302
    assert OrganisationMembership.objects.filter(
        user=personas["tutor"], organisation=epao, is_active=True
    ).exists()
    # Answered: home goes straight to their page again.
    assert client.get(reverse("dashboards:home")).status_code == 302


def test_the_invited_person_declines_through_the_page(client, personas, epao):
    invite_tutor_to(epao, personas)
    invitation = OrganisationInvitation.objects.get()
    client.force_login(personas["tutor"])
    response = client.post(
        reverse("apprenticeship:invitation-decline", args=[invitation.pk]), follow=True
    )
    assert "You declined the invitation from Fairway EPA" in response.content.decode()
    assert "No invitations are waiting for you" in response.content.decode()
    assert not OrganisationMembership.objects.filter(user=personas["tutor"], organisation=epao)


@pytest.mark.parametrize("persona", ["admin", "employer", "outsider"])
def test_nobody_else_can_see_or_answer_an_invitation(client, personas, epao, persona):
    invite_tutor_to(epao, personas)
    invitation = OrganisationInvitation.objects.get()
    client.force_login(personas[persona])
    for name in ("apprenticeship:invitation-accept", "apprenticeship:invitation-decline"):
        assert client.post(reverse(name, args=[invitation.pk])).status_code == 404
    listed = client.get(reverse("apprenticeship:invitation-list")).content.decode()
    assert "Fairway EPA" not in listed
    invitation.refresh_from_db()
    assert invitation.status == "pending"


# -- a resent invitation replaces the link sent before (issue 18, item 8) ------------------


def _link_path(body: str) -> str:
    line = next(line for line in body.splitlines() if "/accounts/invitation/" in line)
    return line.strip().removeprefix("http://testserver").split("://", 1)[-1].split("/", 1)[1]


def test_a_resent_invitation_makes_the_older_link_stop_working(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_person(
            email="new.person@example.org",
            full_name="New Person",
            organisation=personas["apprenticeship"].employer,
            is_admin=False,
            by=personas["admin"],
        )
    deliver_outbox()
    first = "/" + _link_path(mailoutbox[0].body)
    person = OrganisationMembership.objects.get(user__email="new.person@example.org").user
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_invitation(person=person, by=personas["admin"])
    deliver_outbox()
    second = "/" + _link_path(mailoutbox[1].body)
    assert first != second
    # The first link now says it no longer works; the second still leads to the form.
    old = client.get(first, follow=True)
    assert "no longer works" in old.content.decode()
    assert "new_password1" not in old.content.decode()
    new = client.get(second, follow=True)
    assert "new_password1" in new.content.decode()
    assert AuditEvent.objects.filter(
        action="person.invitation_resent", object_id=str(person.pk)
    ).exists()
