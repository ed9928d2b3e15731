"""Evidence pages run the same number of queries however much evidence there is."""

import pytest
from django.urls import reverse

from portfolio.evidence.models import Evidence
from portfolio.evidence.services import decisions, sign_offs, testimony_requests
from portfolio.evidence.services import evidence as services
from tests import factories, samples
from tests.helpers.evidence import make_evidence
from tests.query_counts import APPRENTICESHIP_PAGE_QUERIES, CASELOAD_QUERIES, assert_flat_queries


def more_evidence(apprenticeship, tutor, n=4):
    def grow():
        duties = list(apprenticeship.standard_version.duties.all())
        ksbs = list(apprenticeship.standard_version.ksbs.all())
        for status in (Evidence.Status.DRAFT, Evidence.Status.SUBMITTED, Evidence.Status.ACCEPTED):
            for _ in range(n):
                evidence = make_evidence(
                    apprenticeship, duties=duties, status=Evidence.Status.DRAFT
                )
                evidence.ksbs.set(ksbs)
                services.add_files(
                    evidence=evidence,
                    by=apprenticeship.apprentice,
                    files=[samples.upload("p.png", samples.png())],
                )
                if status != Evidence.Status.DRAFT:
                    services.submit_evidence(
                        evidence=evidence,
                        by=apprenticeship.apprentice,
                        own_work=True,
                        names_no_one=True,
                    )
                if status == Evidence.Status.ACCEPTED:
                    accepted = decisions.review_evidence(
                        evidence=evidence, by=tutor, decision="accept", feedback=""
                    )
                    decisions.add_comment(evidence=accepted, by=tutor, body="Well done.")
        factories.WitnessTestimonyFactory(apprenticeship=apprenticeship)
        testimony_requests.request_testimony(
            apprenticeship=apprenticeship,
            by=tutor,
            activity="Peer group",
            witness_name="Sam Outside",
            witness_email="sam@partner.example",
        )
        version = (
            Evidence.objects.filter(apprenticeship=apprenticeship, status="accepted")
            .first()
            .accepted_version
        )
        duty = version.duties.first()
        if not apprenticeship.sign_offs.filter(duty=duty).exists():
            sign_offs.sign_off_duty(
                apprenticeship=apprenticeship,
                duty=duty,
                by=tutor,
                evidence_versions=[version],
                comment="ok",
            )

    return grow


@pytest.mark.parametrize(
    ("persona", "url_name", "queries"),
    [
        ("apprentice", "portfolio:evidence-list", 9),
        ("tutor", "portfolio:evidence-list", 9),
        ("employer", "portfolio:evidence-list", 9),
        ("apprentice", "portfolio:coverage", 13),
        ("tutor", "portfolio:coverage", 13),
        # Testimonies, their count, and the requests not yet written.
        ("tutor", "portfolio:testimony-list", 7),
        ("tutor", "dashboards:apprenticeship-detail", APPRENTICESHIP_PAGE_QUERIES),
    ],
)
def test_apprenticeship_pages_keep_a_flat_query_count(client, personas, persona, url_name, queries):
    apprenticeship = personas["apprenticeship"]
    more_evidence(apprenticeship, personas["tutor"], n=1)()
    client.force_login(personas[persona])
    assert_flat_queries(
        client,
        reverse(url_name, args=[apprenticeship.pk]),
        more_evidence(apprenticeship, personas["tutor"]),
        queries,
    )


def test_duty_page_keeps_a_flat_query_count(client, personas):
    apprenticeship = personas["apprenticeship"]
    more_evidence(apprenticeship, personas["tutor"], n=1)()
    duty = apprenticeship.sign_offs.get().duty
    client.force_login(personas["tutor"])
    url = reverse("portfolio:duty-detail", args=[apprenticeship.pk, duty.pk])
    # One more than before paging: the count of the duty's evidence for the pages; and one
    # asking whether accepted evidence would let the tutor sign it off.
    assert_flat_queries(client, url, more_evidence(apprenticeship, personas["tutor"]), 13)


def test_the_duty_page_shows_its_evidence_a_page_at_a_time(client, personas):
    apprenticeship = personas["apprenticeship"]
    duty = apprenticeship.standard_version.duties.order_by("number").first()
    made = [make_evidence(apprenticeship, duties=[duty]) for _ in range(27)]
    client.force_login(personas["apprentice"])
    url = reverse("portfolio:duty-detail", args=[apprenticeship.pk, duty.pk])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    linked = [e for e in made if e.get_absolute_url() in first]
    assert len(linked) == 25 and "Page 1 of 2" in first and "27 items" in first
    assert sum(e.get_absolute_url() in second for e in made) == 2


def test_evidence_page_keeps_a_flat_query_count(client, personas):
    apprenticeship = personas["apprenticeship"]
    evidence = make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED)
    client.force_login(personas["tutor"])

    def grow():
        for _ in range(5):
            decisions.add_comment(evidence=evidence, by=personas["tutor"], body="More")

    # One of them looks for a supervision record the evidence relies on (shown from the
    # record itself, never copied).
    assert_flat_queries(client, reverse("portfolio:evidence-detail", args=[evidence.pk]), grow, 14)


def test_caseload_keeps_a_flat_query_count(client, personas):
    from apprenticeship.models import Role

    a = personas["apprenticeship"]
    tutor = personas["tutor"]

    def grow():
        for _ in range(4):
            other = factories.ApprenticeshipFactory(
                provider=a.provider, employer=a.employer, standard_version=a.standard_version
            )
            factories.MembershipFactory(apprenticeship=other, user=tutor, role=Role.TUTOR)
            make_evidence(other, status=Evidence.Status.SUBMITTED)
            make_evidence(other, status=Evidence.Status.ACCEPTED, tutor=tutor)

    grow()
    client.force_login(tutor)
    assert_flat_queries(client, reverse("dashboards:caseload"), grow, CASELOAD_QUERIES)
