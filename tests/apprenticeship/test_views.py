import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Membership, Organisation, Role
from audit.models import AuditEvent
from tests import factories
from tests.helpers.outbox import deliver_outbox
from tests.query_counts import MEMBER_ADD_QUERIES, assert_flat_queries


def enrol_form(personas, **overrides) -> dict:
    a = personas["apprenticeship"]
    start = timezone.localdate() - dt.timedelta(days=10)
    data = {
        "apprentice": personas["apprentice"].email,
        "standard_version": a.standard_version_id,
        "provider": a.provider_id,
        "employer": a.employer_id,
        "epao": a.epao_id,
        "start_date": start.isoformat(),
        "planned_end_date": (start + dt.timedelta(days=460)).isoformat(),
        "contracted_weekly_hours": "37.5",
        "date_of_birth": "1988-04-02",
        "uln": "",
    }
    data.update(overrides)
    return data


def test_admin_enrols_an_apprentice(client, personas):
    client.force_login(personas["admin"])
    response = client.post(reverse("apprenticeship:apprenticeship-create"), enrol_form(personas))
    new = Apprenticeship.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert new.apprentice == personas["apprentice"]


def test_enrol_form_refuses_bad_input_with_a_clear_message(client, personas):
    client.force_login(personas["admin"])
    before = Apprenticeship.objects.count()
    response = client.post(
        reverse("apprenticeship:apprenticeship-create"),
        enrol_form(personas, contracted_weekly_hours="-3", uln="12ab"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A unique learner number is 10 digits." in page
    assert Apprenticeship.objects.count() == before


def test_enrol_form_only_offers_what_the_admin_looks_after(client, personas):
    outsider_org = Organisation.objects.get(name="Eastgate Learning")
    client.force_login(personas["admin"])
    page = client.get(reverse("apprenticeship:apprenticeship-create")).content.decode()
    assert "Northfield Peer Training" in page
    assert "Eastgate Learning" not in page
    response = client.post(
        reverse("apprenticeship:apprenticeship-create"),
        enrol_form(personas, provider=outsider_org.pk),
    )
    assert "Select a valid choice" in response.content.decode()


def test_the_enrol_form_finds_the_apprentice_by_email_and_lists_no_one(client, personas):
    employer = personas["apprenticeship"].employer
    workers = [
        factories.OrganisationMembershipFactory(
            organisation=employer, user=factories.UserFactory(full_name=f"Worker Number {i}")
        ).user
        for i in range(30)
    ]
    client.force_login(personas["admin"])
    url = reverse("apprenticeship:apprenticeship-create")
    page = client.get(url).content.decode()
    # However many people work for the employers, none is listed.
    assert 'type="email" name="apprentice"' in page
    assert "Worker Number" not in page and '<select name="apprentice"' not in page
    response = client.post(url, enrol_form(personas, apprentice=workers[7].email.upper()))
    assert response.status_code == 302
    assert Apprenticeship.objects.latest("pk").apprentice == workers[7]


@pytest.mark.parametrize("who", ["nobody", "elsewhere"])
def test_an_email_of_no_one_at_your_employers_is_refused(client, personas, who):
    email = "nobody@example.org"
    if who == "elsewhere":
        email = factories.OrganisationMembershipFactory().user.email  # another employer
    client.force_login(personas["admin"])
    before = Apprenticeship.objects.count()
    response = client.post(
        reverse("apprenticeship:apprenticeship-create"), enrol_form(personas, apprentice=email)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "No one with this email address works for one of your employers." in page
    assert f'value="{email}"' in page  # what was typed is kept
    assert Apprenticeship.objects.count() == before


def test_the_change_form_keeps_the_apprentice_and_lists_no_one(client, personas):
    a = personas["apprenticeship"]
    client.force_login(personas["admin"])
    page = client.get(reverse("apprenticeship:apprenticeship-edit", args=[a.pk])).content.decode()
    assert 'name="apprentice"' not in page
    assert a.apprentice.full_name in page


def test_admin_changes_enrolment_details(client, personas):
    a = personas["apprenticeship"]
    client.force_login(personas["admin"])
    data = enrol_form(
        personas,
        start_date=a.start_date.isoformat(),
        planned_end_date=(a.planned_end_date + dt.timedelta(days=30)).isoformat(),
        date_of_birth=a.date_of_birth.isoformat(),
    )
    response = client.post(reverse("apprenticeship:apprenticeship-edit", args=[a.pk]), data)
    assert response.status_code == 302
    a.refresh_from_db()
    assert AuditEvent.objects.filter(action="apprenticeship.updated").exists()


def test_admin_assigns_a_tutor_and_takes_them_off(client, personas):
    a = personas["apprenticeship"]
    second_tutor = factories.UserFactory(full_name="Second Tutor")
    factories.OrganisationMembershipFactory(user=second_tutor, organisation=a.provider)
    client.force_login(personas["admin"])
    url = reverse("apprenticeship:member-add", args=[a.pk, "tutor"])
    client.post(url, {"user": second_tutor.email})
    membership = Membership.objects.get(user=second_tutor, role=Role.TUTOR)
    response = client.post(
        reverse("apprenticeship:member-end", args=[membership.pk]), {"reason": "Moved team"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active


def test_only_tutor_and_employer_roles_can_be_added_here(client, personas):
    client.force_login(personas["admin"])
    a = personas["apprenticeship"]
    response = client.get(reverse("apprenticeship:member-add", args=[a.pk, "assessor"]))
    assert response.status_code == 404


def _member_add(client, personas, role: str, email: str):
    client.force_login(personas["admin"])
    url = reverse("apprenticeship:member-add", args=[personas["apprenticeship"].pk, role])
    return client.post(url, {"user": email})


def _field_errors(response) -> str:
    """The text of the email field's error messages."""
    page = response.content.decode()
    found = re.findall(r'id="error_\d+_id_user"[^>]*>(.*?)</strong>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", text).strip() for text in found)


@pytest.mark.parametrize(
    ("role", "organisation"), [("tutor", "provider"), ("employer", "employer")]
)
def test_a_person_is_added_by_their_email_in_any_letter_case(client, personas, role, organisation):
    a = personas["apprenticeship"]
    person = factories.UserFactory(email="sam.okafor@example.org", full_name="Sam Okafor")
    factories.OrganisationMembershipFactory(user=person, organisation=getattr(a, organisation))
    response = _member_add(client, personas, role, "  Sam.OKAFOR@Example.org ")
    assert response.status_code == 302 and response["Location"] == a.get_absolute_url()
    assert Membership.objects.filter(
        apprenticeship=a, user=person, role=role, is_active=True
    ).exists()


@pytest.mark.parametrize(
    ("role", "who", "named"),
    [
        ("tutor", "nobody", "Northfield Peer Training"),
        ("tutor", "at the employer", "Northfield Peer Training"),
        ("tutor", "at another provider", "Northfield Peer Training"),
        ("tutor", "no longer at the provider", "Northfield Peer Training"),
        ("employer", "nobody", "Riverside Service"),
        ("employer", "at the provider", "Riverside Service"),
        ("employer", "at another employer", "Riverside Service"),
        ("employer", "no longer at the employer", "Riverside Service"),
    ],
)
def test_someone_who_does_not_work_there_is_refused_and_nothing_is_saved(
    client, personas, role, who, named
):
    a = personas["apprenticeship"]
    emails = {
        "nobody": "nobody@example.org",
        "at the employer": personas["employer"].email,
        "at the provider": personas["tutor"].email,
        "at another provider": personas["outsider"].email,
    }
    if who == "at another employer":
        emails[who] = factories.OrganisationMembershipFactory().user.email
    if who.startswith("no longer"):
        # They left; they work somewhere else now, which must not count for this place.
        left = factories.OrganisationMembershipFactory(
            organisation=a.provider if role == "tutor" else a.employer, is_active=False
        ).user
        factories.OrganisationMembershipFactory(user=left)
        emails[who] = left.email
    before = (Membership.objects.count(), AuditEvent.objects.count())
    response = _member_add(client, personas, role, emails[who])
    assert response.status_code == 200
    assert _field_errors(response) == (
        f"No one with this email address works for {named}. Invite them first, then add them."
    )
    assert f'value="{emails[who]}"' in response.content.decode()  # what was typed is kept
    assert (Membership.objects.count(), AuditEvent.objects.count()) == before


def test_the_apprentice_is_never_added_as_their_own_employer_contact(client, personas):
    apprentice = personas["apprentice"]  # a member of their employer, like its staff
    response = _member_add(client, personas, "employer", apprentice.email)
    assert response.status_code == 200
    assert _field_errors(response) == (
        "The apprentice cannot also be their own tutor or employer contact."
    )
    assert not Membership.objects.filter(user=apprentice).exists()


def test_the_services_own_checks_still_show_on_the_field(client, personas):
    response = _member_add(client, personas, "tutor", personas["tutor"].email)
    assert response.status_code == 200
    assert _field_errors(response) == "Tutor is already tutor here."
    assert Membership.objects.filter(user=personas["tutor"], role=Role.TUTOR).count() == 1


@pytest.mark.parametrize(
    ("role", "label", "organisation"),
    [
        ("tutor", "The tutor's email address", "Northfield Peer Training"),
        ("employer", "The employer contact's email address", "Riverside Service"),
    ],
)
def test_the_add_person_page_asks_for_an_email_and_lists_no_one(
    client, personas, role, label, organisation
):
    a = personas["apprenticeship"]
    client.force_login(personas["admin"])
    url = reverse("apprenticeship:member-add", args=[a.pk, role])

    def hire_more():
        for place in (a.provider, a.employer):
            for _ in range(10):
                factories.OrganisationMembershipFactory(
                    organisation=place, user=factories.UserFactory(full_name="Worker Person")
                )

    assert_flat_queries(client, url, hire_more, MEMBER_ADD_QUERIES)
    page = html.unescape(client.get(url).content.decode())
    assert 'type="email" name="user"' in page
    assert label in page and f"Someone who works for {organisation}." in page
    assert "Worker Person" not in page and "<select" not in page and "<option" not in page


def test_details_show_date_of_birth_only_to_those_who_need_it(client, personas):
    url = reverse("dashboards:apprenticeship-detail", args=[personas["apprenticeship"].pk])
    for persona, shown in (("apprentice", True), ("tutor", True), ("employer", False)):
        client.force_login(personas[persona])
        assert ("17 May 1990" in client.get(url).content.decode()) is shown


def test_admin_adds_an_organisation_they_then_look_after(client, personas):
    client.force_login(personas["admin"])
    response = client.post(
        reverse("apprenticeship:organisation-create"),
        {"name": "  Hillside Recovery College ", "kind": "employer"},
    )
    organisation = Organisation.objects.get(name="Hillside Recovery College")
    assert response["Location"] == organisation.get_absolute_url()
    assert organisation.managed_by == personas["apprenticeship"].provider


def test_invitation_link_lets_a_person_choose_a_password_once(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(personas["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("apprenticeship:person-invite"),
            {
                "full_name": "Robin Lee",
                "email": "robin@example.org",
                "organisation": personas["apprenticeship"].employer_id,
            },
        )
    assert response.status_code == 302
    deliver_outbox()
    link = re.search(r"https?://[^/]+(/accounts/invitation/\S+)", mailoutbox[0].body).group(1)
    client.logout()
    page = client.get(link, follow=True)
    assert "Choose your password" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a-long-new-pass-9", "new_password2": "a-long-new-pass-9"}
    )
    assert response.status_code == 302
    assert (
        int(client.session["_auth_user_id"])
        == personas["admin"].__class__.objects.get(email="robin@example.org").pk
    )
    client.logout()
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_resending_an_invitation_sends_a_new_link(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    person = factories.UserFactory(email="waiting@example.org")
    person.set_unusable_password()
    person.save()
    factories.OrganisationMembershipFactory(
        user=person, organisation=personas["apprenticeship"].employer
    )
    client.force_login(personas["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("apprenticeship:person-resend-invitation", args=[person.pk]),
            {"next": "https://evil.example.com/"},
        )
    deliver_outbox()
    assert mailoutbox[0].to == ["waiting@example.org"]


def test_history_lists_changes_with_who_made_them(client, personas):
    from apprenticeship import services

    a = personas["apprenticeship"]
    services.end_membership(
        membership=a.memberships.get(role=Role.EMPLOYER), by=personas["admin"], reason="Left"
    )
    client.force_login(personas["tutor"])
    page = client.get(reverse("apprenticeship:apprenticeship-history", args=[a.pk]))
    assert "Employer is no longer employer contact" in page.content.decode()
    assert "Admin" in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "destination"),
    [
        ("admin", "dashboards:overview"),
        ("tutor", "dashboards:caseload"),
        ("employer", "dashboards:employer-home"),
        ("assessor", "dashboards:assessor-home"),
    ],
)
def test_home_sends_each_role_to_its_page(client, personas, persona, destination):
    client.force_login(personas[persona])
    assert client.get(reverse("dashboards:home"))["Location"] == reverse(destination)


def test_home_sends_an_apprentice_to_their_apprenticeship(client, personas):
    client.force_login(personas["apprentice"])
    response = client.get(reverse("dashboards:home"))
    assert response["Location"] == personas["apprenticeship"].get_absolute_url()


def test_someone_with_no_role_gets_a_plain_welcome(client, db):
    client.force_login(factories.UserFactory())
    response = client.get(reverse("dashboards:home"))
    assert "You are not on any apprenticeship yet" in response.content.decode()


def test_assessor_sees_an_assigned_apprentice_only_after_gateway(client, personas):
    client.force_login(personas["assessor"])
    url = reverse("dashboards:assessor-home")
    assert (
        "Apprentice"
        not in client.get(url)
        .content.decode()
        .split("<main")[1]
        .split("Apprentices assigned to you")[1]
    )
    a = personas["apprenticeship"]
    a.status = Apprenticeship.Status.GATEWAY
    a.save()
    assert a.get_absolute_url() in client.get(url).content.decode()
