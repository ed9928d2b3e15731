"""A scoped, time-limited auditor: giving access, the single-use link, the scope, the
read-only pages with their banner, the log of every page opened, revoking, and the end
date checked on each request (no job)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from audit.actions import AuditAction
from audit.models import AuditEvent
from outbox.models import OutboxMessage
from portfolio.evidence.models import Evidence
from quality import auditors as access
from quality.errors import QualityError
from quality.models import AuditorGrant
from quality.services import auditors as services
from tests import factories
from tests.helpers.auditor import ALL_AREAS, end_grant, give_access, make_auditor
from tests.helpers.evidence import make_evidence
from tests.query_counts import assert_flat_queries


@pytest.fixture
def auditor(db):
    return make_auditor()


@pytest.fixture
def grant(personas, auditor):
    return give_access(
        auditor=auditor, by=personas["admin"], apprenticeships=[personas["apprenticeship"]]
    )


def _page(name, grant, apprenticeship=None):
    args = [grant.pk] if apprenticeship is None else [grant.pk, apprenticeship.pk]
    return reverse(f"quality:{name}", args=args)


AREA_PAGES = (
    "auditor-portfolio",
    "auditor-otj",
    "auditor-reviews",
    "auditor-gateway",
    "auditor-results",
)


# -- giving access -----------------------------------------------------------------------


def _form(personas, **changes):
    apprenticeship = personas["apprenticeship"]
    return {
        "organisation": apprenticeship.provider_id,
        "full_name": "Ivy Inspector",
        "email": "Ivy.Inspector@example.org",
        "purpose": "Ofsted inspection",
        "scope": AuditorGrant.Scope.APPRENTICESHIPS,
        "apprentices": apprenticeship.apprentice.email.upper(),
        "areas": ["portfolio", "otj"],
        "last_day": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **changes,
    }


def test_a_provider_admin_gives_access_and_the_link_is_emailed(client, personas):
    client.force_login(personas["admin"])
    response = client.post(reverse("quality:auditor-grant-add"), _form(personas))
    assert response.status_code == 302
    grant = AuditorGrant.objects.get()
    assert grant.email == "ivy.inspector@example.org"
    assert list(grant.apprenticeships.all()) == [personas["apprenticeship"]]
    assert grant.areas == ["portfolio", "otj"]
    assert not grant.user.has_usable_password()
    message = OutboxMessage.objects.get(task="quality.tasks.send_auditor_invitation")
    assert "token" not in str(message.payload)
    email = services.invitation_email(**message.payload)
    assert email.to == ["ivy.inspector@example.org"]
    url = email.body.split(f"/auditor/invitation/{grant.pk}/")[1].split()[0]
    assert services.open_invitation(grant_id=grant.pk, token=url.rstrip("/")) == grant
    assert AuditEvent.objects.filter(
        action=AuditAction.AUDITOR_ACCESS_GRANTED, object_id=str(grant.pk)
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"last_day": (timezone.localdate() + dt.timedelta(days=31)).isoformat()},
            "last_day",
            "at most 30 days",
        ),
        ({"areas": []}, "areas", "This field is required"),
        ({"apprentices": "nobody@example.org"}, "apprentices", "nobody@example.org"),
        ({"scope": "cohort", "cohort_month": ""}, "cohort_month", "month"),
    ],
)
def test_a_bad_grant_says_why_and_changes_nothing(client, personas, changes, field, message):
    client.force_login(personas["admin"])
    response = client.post(reverse("quality:auditor-grant-add"), _form(personas, **changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not AuditorGrant.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_cancelling_a_new_grant_goes_back_to_the_list(client, personas):
    client.force_login(personas["admin"])
    page = client.get(reverse("quality:auditor-grant-add")).content.decode()
    assert (
        f'<a class="btn btn-link" href="{reverse("quality:auditor-grant-list")}">Cancel</a>' in page
    )


def test_an_assessment_organisation_opens_only_its_own_records_after_gateway(personas):
    epao = personas["apprenticeship"].epao
    admin = factories.UserFactory()
    factories.OrganisationMembershipFactory(user=admin, organisation=epao, is_admin=True)
    auditor = make_auditor()
    with pytest.raises(ValidationError, match="only the gateway and results"):
        give_access(
            auditor=auditor, by=admin, apprenticeships=[], organisation=epao, areas=["portfolio"]
        )
    # Before gateway the apprenticeship is not the organisation's to open.
    with pytest.raises(ValidationError, match="your organisation's apprenticeships"):
        give_access(
            auditor=auditor,
            by=admin,
            apprenticeships=[personas["apprenticeship"]],
            organisation=epao,
            areas=["results"],
        )


# -- taking it up ------------------------------------------------------------------------


def test_a_new_auditor_chooses_a_password_and_the_link_works_once(client, personas):
    auditor = make_auditor("new@example.org")
    auditor.set_unusable_password()
    auditor.save()
    grant = give_access(
        auditor=auditor,
        by=personas["admin"],
        apprenticeships=[personas["apprenticeship"]],
        accept=False,
    )
    url = reverse("quality:auditor-invitation", args=[grant.pk, grant.token])
    # Not yet taken up: the access does not work.
    client.force_login(auditor)
    assert client.get(_page("auditor-scope", grant)).status_code == 404
    client.logout()
    page = client.get(url)
    assert page.status_code == 200
    assert b"Choose a password" in page.content
    password = "a long and private phrase 42"
    response = client.post(url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    assert response["Location"] == _page("auditor-scope", grant)
    auditor.refresh_from_db()
    assert auditor.check_password(password)
    assert client.get(_page("auditor-scope", grant)).status_code == 200
    client.logout()
    again = client.get(url)
    assert again.status_code == 410
    assert b"already been used" in again.content


def test_only_the_account_the_link_is_for_can_take_it_up(client, personas, auditor):
    grant = give_access(
        auditor=auditor,
        by=personas["admin"],
        apprenticeships=[personas["apprenticeship"]],
        accept=False,
    )
    url = reverse("quality:auditor-invitation", args=[grant.pk, grant.token])
    client.force_login(personas["tutor"])
    assert client.post(url).status_code == 403
    # Another account is told nothing of the grant: not whose, not for whom.
    page = client.get(url)
    assert page.status_code == 403
    assert grant.organisation.name.encode() not in page.content
    assert grant.email.encode() not in page.content
    client.logout()
    # An account with a password signs in first.
    assert b"Sign in with" in client.get(url).content
    assert client.post(url).status_code == 403
    grant.refresh_from_db()
    assert grant.accepted_at is None
    client.force_login(auditor)
    assert client.post(url).status_code == 302
    with pytest.raises(QualityError, match="already been used"):
        services.open_invitation(grant_id=grant.pk, token=grant.token)
    assert (
        client.get(reverse("quality:auditor-invitation", args=[grant.pk, "x"])).status_code == 410
    )


# -- what the auditor sees ---------------------------------------------------------------


def test_every_page_has_the_banner_and_is_recorded(client, personas, grant, auditor):
    apprenticeship = personas["apprenticeship"]
    client.force_login(auditor)
    urls = [_page("auditor-scope", grant), _page("auditor-apprenticeship", grant, apprenticeship)]
    urls += [_page(name, grant, apprenticeship) for name in AREA_PAGES]
    last_day = f"{timezone.localdate() + dt.timedelta(days=14):%-d %B %Y}"
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert "Read-only auditor access" in text
        assert f"These are {apprenticeship.provider.name}’s records" in text
        assert f"ends at the end of {last_day}" in text
    reads = AuditEvent.objects.filter(action=AuditAction.AUDITOR_READ, actor=auditor)
    assert reads.count() == len(urls)
    assert reads.filter(apprenticeship_id=apprenticeship.pk).count() == len(urls) - 1
    # The grantor sees the log.
    client.force_login(personas["admin"])
    detail = client.get(reverse("quality:auditor-grant", args=[grant.pk]))
    assert b"opened the off-the-job log" in detail.content
    assert f"{len(urls)} pages and files opened".encode() in detail.content


def test_the_auditor_never_sees_wellbeing_drafts_or_what_the_apprentice_kept_private(
    client, personas, grant, auditor
):
    apprenticeship = personas["apprenticeship"]
    tutor = personas["tutor"]
    make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED, tutor=tutor, title="Shared")
    make_evidence(
        apprenticeship,
        status=Evidence.Status.SUBMITTED,
        tutor=tutor,
        title="Kept from employer",
        visible_to_employer=False,
    )
    make_evidence(apprenticeship, title="Still a draft")
    version = factories.ReviewVersionFactory(
        review__apprenticeship=apprenticeship,
        wellbeing="Struggling with sleep since the move.",
    )
    version.review.current_version = version
    version.review.save(update_fields=["current_version"])
    client.force_login(auditor)
    portfolio = client.get(_page("auditor-portfolio", grant, apprenticeship)).content.decode()
    assert "Shared" in portfolio
    assert "Kept from employer" not in portfolio
    assert "Still a draft" not in portfolio
    reviews = client.get(_page("auditor-reviews", grant, apprenticeship)).content.decode()
    assert version.discussion in reviews
    assert "Struggling with sleep" not in reviews
    # The apprenticeship's own pages (wellbeing plan included) stay closed to the auditor.
    for name in ("portfolio:wellbeing-plan", "dashboards:apprenticeship-detail"):
        assert client.get(reverse(name, args=[apprenticeship.pk])).status_code == 404


def test_an_auditor_writes_nothing(client, personas, grant, auditor):
    apprenticeship = personas["apprenticeship"]
    client.force_login(auditor)
    for name in ("auditor-apprenticeship", *AREA_PAGES):
        assert client.post(_page(name, grant, apprenticeship)).status_code == 405
    before = (Evidence.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("portfolio:evidence-start", args=[apprenticeship.pk]),
        {"title": "Written by an auditor", "kind": "other", "account": "x"},
    )
    assert response.status_code == 404
    assert (Evidence.objects.count(), AuditEvent.objects.count()) == before


def test_the_scope_is_the_same_for_the_list_its_count_and_each_page(client, personas, auditor):
    first = personas["apprenticeship"]
    same_month = factories.ApprenticeshipFactory(
        provider=first.provider,
        employer=first.employer,
        standard_version=first.standard_version,
        start_date=first.start_date.replace(day=1),
    )
    other_month = factories.ApprenticeshipFactory(
        provider=first.provider,
        employer=first.employer,
        standard_version=first.standard_version,
        start_date=first.start_date.replace(day=1) - dt.timedelta(days=40),
    )
    elsewhere = personas["other_apprenticeship"]
    grant = services.grant_access(
        organisation=first.provider,
        by=personas["admin"],
        full_name="Ada Auditor",
        email=auditor.email,
        purpose="Funding audit",
        scope=AuditorGrant.Scope.COHORT,
        apprenticeships=[],
        cohort_month=first.start_date,
        standard_reference="",
        areas=["otj"],
        last_day=timezone.localdate(),
    )
    services.accept_invitation(grant_id=grant.pk, token=grant.token, by=auditor)
    in_scope = set(access.apprenticeships_in_scope(grant).values_list("pk", flat=True))
    assert in_scope == {first.pk, same_month.pk}
    client.force_login(auditor)
    page = client.get(_page("auditor-scope", grant))
    assert b"2 apprenticeships in this access" in page.content
    assert client.get(_page("auditor-otj", grant, same_month)).status_code == 200
    assert client.get(_page("auditor-otj", grant, other_month)).status_code == 404
    assert client.get(_page("auditor-otj", grant, elsewhere)).status_code == 404
    assert client.get(_page("auditor-portfolio", grant, first)).status_code == 403


def test_a_standard_scope_covers_every_version_of_it(personas, auditor):
    first = personas["apprenticeship"]
    grant = services.grant_access(
        organisation=first.provider,
        by=personas["admin"],
        full_name="Ada Auditor",
        email=auditor.email,
        purpose="External quality assurance",
        scope=AuditorGrant.Scope.STANDARD,
        apprenticeships=[],
        cohort_month=None,
        standard_reference=first.standard_version.reference,
        areas=ALL_AREAS,
        last_day=timezone.localdate(),
    )
    scope = access.apprenticeships_in_scope(grant)
    assert list(scope) == list(Apprenticeship.objects.filter(provider=first.provider))
    with pytest.raises(ValidationError, match="standard your apprentices follow"):
        services.grant_access(
            organisation=first.provider,
            by=personas["admin"],
            full_name="Ada Auditor",
            email=auditor.email,
            purpose="External quality assurance",
            scope=AuditorGrant.Scope.STANDARD,
            apprenticeships=[],
            cohort_month=None,
            standard_reference="ST9999",
            areas=ALL_AREAS,
            last_day=timezone.localdate(),
        )


# -- the end -----------------------------------------------------------------------------


def test_access_ends_by_itself_at_the_end_of_its_last_day(client, personas, auditor):
    grant = give_access(
        auditor=auditor,
        by=personas["admin"],
        apprenticeships=[personas["apprenticeship"]],
        days=2,
    )
    url = _page("auditor-otj", grant, personas["apprenticeship"])
    last_minute = grant.ends_at - dt.timedelta(minutes=1)
    with time_machine.travel(last_minute, tick=False):
        client.force_login(auditor)
        assert client.get(url).status_code == 200
        assert access.open_grants(auditor).count() == 1
    with time_machine.travel(grant.ends_at, tick=False):
        client.force_login(auditor)
        ended = client.get(url)
        assert ended.status_code == 403
        assert b"Your access has ended" in ended.content
        assert access.open_grants(auditor).count() == 0
        # No page opened after the end is recorded as read.
        assert client.get(_page("auditor-scope", grant)).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.AUDITOR_READ).count() == 1


def test_revoking_stops_the_access_at_once(client, personas, grant, auditor):
    url = _page("auditor-portfolio", grant, personas["apprenticeship"])
    client.force_login(auditor)
    assert client.get(url).status_code == 200
    client.force_login(personas["admin"])
    response = client.post(reverse("quality:auditor-revoke", args=[grant.pk]))
    assert response.status_code == 302
    client.force_login(auditor)
    ended = client.get(url)
    assert ended.status_code == 403
    assert b"stopped your access" in ended.content
    with pytest.raises(QualityError, match="already been revoked"):
        services.revoke_access(grant=AuditorGrant.objects.get(), by=personas["admin"])
    assert AuditEvent.objects.filter(action=AuditAction.AUDITOR_ACCESS_REVOKED).count() == 1


def test_an_ended_grant_is_neither_listed_nor_opened(client, personas, grant, auditor):
    end_grant(grant)
    client.force_login(auditor)
    assert b"You have no open auditor access" in client.get(reverse("quality:auditor-home")).content
    # Signed in with nothing else, the auditor's home is no longer the auditor page.
    assert client.get(reverse("dashboards:home")).status_code == 200


# -- query counts ------------------------------------------------------------------------

# The session, the user, the grant, the count of apprenticeships, the read recorded (its
# actor checked, then inserted), the navigation's roles and the page of apprenticeships.
SCOPE_QUERIES = 8
# The session, the user, the grant, the apprenticeship, the count of evidence, the read
# recorded (two), the navigation's roles, then the page of evidence, its duties and files.
PORTFOLIO_QUERIES = 11
# The grantor's list: the session, the user, whether they grant, the count and page of
# grants, and the navigation's roles.
GRANT_LIST_QUERIES = 6


def test_the_auditor_pages_queries_stay_flat(client, personas, grant, auditor):
    first = personas["apprenticeship"]
    client.force_login(auditor)

    def more_apprenticeships():
        for _ in range(3):
            grant.apprenticeships.add(
                factories.ApprenticeshipFactory(
                    provider=first.provider,
                    employer=first.employer,
                    standard_version=first.standard_version,
                )
            )

    assert_flat_queries(client, _page("auditor-scope", grant), more_apprenticeships, SCOPE_QUERIES)

    def more_evidence():
        for n in range(3):
            make_evidence(
                first, status=Evidence.Status.SUBMITTED, tutor=personas["tutor"], title=f"E{n}"
            )

    make_evidence(first, status=Evidence.Status.SUBMITTED, tutor=personas["tutor"])
    assert_flat_queries(
        client, _page("auditor-portfolio", grant, first), more_evidence, PORTFOLIO_QUERIES
    )


def test_the_grant_list_queries_stay_flat(client, personas, grant):
    client.force_login(personas["admin"])

    def more():
        for n in range(3):
            give_access(
                auditor=make_auditor(f"a{n}@example.org"),
                by=personas["admin"],
                apprenticeships=[personas["apprenticeship"]],
            )

    assert_flat_queries(client, reverse("quality:auditor-grant-list"), more, GRANT_LIST_QUERIES)


# The grantor's page of one grant: the session, the user, the grant, the count of reads,
# the count of apprenticeships it covers, the count and page of the log, the names of the
# apprenticeships it lists, and the navigation's roles.
GRANT_DETAIL_QUERIES = 9


def test_the_grant_page_queries_stay_flat(client, personas, grant, auditor):
    client.force_login(personas["admin"])

    def more_reads():
        for n in range(3):
            services.record_read(
                grant=grant, by=auditor, apprenticeship=personas["apprenticeship"], what=f"p{n}"
            )

    assert_flat_queries(
        client, reverse("quality:auditor-grant", args=[grant.pk]), more_reads, GRANT_DETAIL_QUERIES
    )


def test_results_are_those_the_granting_organisation_holds(
    client, personas, at_epa, methods, assessor, epao_admin, policy
):
    from tests.quality.conftest import grade_and_confirm

    # A distinction held for moderation: the assessment organisation holds it, the
    # provider does not yet.
    grade_and_confirm(at_epa, methods, assessor)
    provider_auditor = make_auditor("provider.auditor@example.org")
    by_provider = give_access(
        auditor=provider_auditor, by=personas["admin"], apprenticeships=[at_epa]
    )
    epao_auditor = make_auditor("eqa@example.org")
    by_epao = give_access(
        auditor=epao_auditor,
        by=epao_admin,
        apprenticeships=[at_epa],
        organisation=at_epa.epao,
        areas=["gateway", "results"],
    )
    client.force_login(provider_auditor)
    page = client.get(_page("auditor-results", by_provider, at_epa))
    assert b"No result to show" in page.content
    client.force_login(epao_auditor)
    page = client.get(_page("auditor-results", by_epao, at_epa))
    assert b"Distinction" in page.content
    assert b"not released yet" in page.content
    assert client.get(_page("auditor-portfolio", by_epao, at_epa)).status_code == 403
    # The assessment organisation's admin sees its own grant, not the provider's.
    client.force_login(epao_admin)
    assert client.get(reverse("quality:auditor-grant", args=[by_epao.pk])).status_code == 200
    assert client.get(reverse("quality:auditor-grant", args=[by_provider.pk])).status_code == 404


def test_the_grant_form_offers_only_the_admins_own_months_and_standards(client, personas):
    other = personas["other_apprenticeship"]
    other.standard_version = factories.StandardVersionFactory(reference="ST0001")
    other.save(update_fields=["standard_version"])
    client.force_login(personas["admin"])
    form = client.get(reverse("quality:auditor-grant-add")).context["form"]
    first = personas["apprenticeship"]
    assert [c for c, _ in form.fields["standard_reference"].choices] == [
        "",
        first.standard_version.reference,
    ]
    months = [c for c, _ in form.fields["cohort_month"].choices]
    assert months == ["", first.start_date.replace(day=1).isoformat()]
    assert [o.pk for o in form.fields["organisation"].queryset] == [first.provider_id]
