"""The "Rules in force" panel on the apprenticeship page and in the PDF: the funding year
that applies, each rule with its figure, its source and its label, so an auditor's "why 8
months?" is answered from the panel alone. Each case names the reference source it shows.
"""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from apprenticeship.models import Apprenticeship
from epa.models import GatewaySnapshot
from epa.selectors.rules import rules_in_force
from epa.services import gateway as gateway_services
from epa.services import policies
from portfolio.reviews.services import scheduling
from reports import content
from tests import factories
from tests.helpers.epa import add_plan, make_ready, st0896_plan_data


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def _start(apprenticeship, start: dt.date, hours: str = "37.5") -> Apprenticeship:
    Apprenticeship.objects.filter(pk=apprenticeship.pk).update(
        start_date=start,
        planned_end_date=start + dt.timedelta(days=460),
        contracted_weekly_hours=Decimal(hours),
    )
    apprenticeship.refresh_from_db()
    return apprenticeship


@pytest.mark.parametrize(
    ("start", "hours", "shown", "not_shown"),
    [
        # Before 1 August 2022: 20% of contracted hours (SRC-HASO-OTJ, SRC-FEWEEK-2017).
        (
            dt.date(2022, 7, 25),
            "37.5",
            [
                "The 2021-22 funding rules apply",
                "<strong>Off-the-job training required:</strong> 20% of contracted hours (37.5 "
                "a week)",
                "SRC-FEWEEK-2017",
                "<strong>Minimum time on programme:</strong> 12 months",
            ],
            ["Active learning", "Funding floor"],
        ),
        # 2022-25, part time: 12 x 30 / 24 = 15 months; 4.8 hours a week; every 4 weeks
        # (SRC-DFE-FORUM-PT, SRC-TRIBAL; P36.2).
        (
            dt.date(2024, 4, 8),
            "24",
            [
                "The 2023-24 funding rules apply",
                "<strong>Minimum time on programme:</strong> 15 months: 12 months extended for "
                "24 hours a week",
                "4.8 hours a week on average (20% of 24 contracted hours)",
                "<strong>Active learning:</strong> Evidence of learning at least every 4 weeks",
                "SRC-DFE-FORUM-PT",
            ],
            ["Funding floor"],
        ),
        # 2025-26: 8 months, the floor of 187 hours, uneven delivery (SRC-CITYGUILDS-2025,
        # SRC-APTEM-2025), and ST0896's published minimum not loaded.
        (
            dt.date(2025, 9, 1),
            "37.5",
            [
                "The 2025-26 funding rules apply",
                "<strong>Minimum time on programme:</strong> 8 months",
                "Source: SRC-CITYGUILDS-2025; SRC-APTEM-2025",
                "<strong>SRC-CITYGUILDS-2025</strong>: City & Guilds - What you need to know "
                "about the 2025-26 Apprenticeship funding rules",
                "<strong>Funding floor:</strong> 187 hours of off-the-job training and 8 months",
                "May be uneven: judged against the tutor's month-by-month schedule",
                "The standard's published minimum: not loaded yet",
            ],
            ["Active learning"],
        ),
        # From 1 August 2026: the 2026-27 rules are not loaded (SRC-SKILLSRADAR, not_found).
        (
            dt.date(2026, 9, 1),
            "37.5",
            [
                "This apprenticeship started in the 2026-27 funding year, whose rules are not "
                "loaded here yet. The 2025-26 rules are applied until they are.",
                "The 2026-27 funding rules are not loaded: this is the 2025-26 rule",
                # Every funding rule is the last year's held, so none is labelled as current.
                "applied until they are. Only training in the training plan",
            ],
            [],
        ),
    ],
)
def test_the_panel_shows_the_rules_of_the_start_date_with_their_sources(
    client, personas, start, hours, shown, not_shown
):
    apprenticeship = _start(personas["apprenticeship"], start, hours)
    client.force_login(personas["tutor"])
    with time_machine.travel(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC), tick=False):
        page = _text(
            client.get(reverse("dashboards:apprenticeship-detail", args=[apprenticeship.pk]))
        )
    assert "Rules in force" in page
    for words in shown:
        assert words in page
    for words in not_shown:
        assert words not in page
    # Rules no stored source states are labelled so, never as official.
    assert "<strong>Progress reviews:</strong> At least every" in page
    assert "No source held" in page


def test_the_panel_labels_the_providers_policy_and_the_epaos_resit_policy(client, personas):
    apprenticeship = personas["apprenticeship"]
    epao_admin = factories.UserFactory()
    factories.OrganisationMembershipFactory(
        user=epao_admin, organisation=apprenticeship.epao, is_admin=True
    )
    add_plan(apprenticeship.standard_version, st0896_plan_data())
    policies.set_gateway_policy(
        provider=apprenticeship.provider,
        by=personas["admin"],
        values={"require_recent_review": False},
    )
    client.force_login(personas["tutor"])
    url = reverse("dashboards:apprenticeship-detail", args=[apprenticeship.pk])
    page = _text(client.get(url))
    assert "<strong>A recent progress review, signed by everyone:</strong> Not required" in page
    assert "<strong>Every duty signed off by the tutor:</strong> Required before gateway" in page
    assert "Provider policy" in page
    # SRC-PIER: "typically" 3 months; no maximum published.
    assert "Typically within 3 months after gateway: guidance, not a deadline" in page
    assert "<strong>Cap on a resit or retake:</strong> No cap" in page
    assert "the assessment organisation has not recorded a policy of its own" in page
    policies.record_resit_policy(
        epao=apprenticeship.epao,
        standard_version=apprenticeship.standard_version,
        by=epao_admin,
        name="Resit and retake policy v2",
        grade_cap="pass",
        scope="failed",
    )
    page = _text(client.get(url))
    assert "<strong>Cap on a resit or retake:</strong> Capped at pass" in page
    assert "Assessment organisation policy" in page
    assert "Fairway EPA: Resit and retake policy v2" in page


def test_the_panel_says_who_agreed_a_longer_review_interval(client, personas):
    apprenticeship = personas["apprenticeship"]
    agreed_on = dt.date(2026, 3, 2)
    with time_machine.travel(dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC), tick=False):
        scheduling.agree_review_interval(
            apprenticeship=apprenticeship,
            by=personas["tutor"],
            every=4,
            unit="months",
            reason="Part-time hours",
            employer_contact=personas["employer"],
            employer_agreed_on=agreed_on,
        )
    rules = {rule.key: rule for rule in rules_in_force(apprenticeship).rules}
    assert rules["reviews"].figure == (
        "At least every 3 months; agreed for this apprentice: every 4 months, recorded by "
        "Tutor on 3 March 2026; the employer agreed (Employer, 2 March 2026)"
    )


def test_the_assessor_sees_the_panel_after_gateway(client, personas, post_gateway):
    client.force_login(personas["assessor"])
    page = _text(client.get(reverse("dashboards:apprenticeship-detail", args=[post_gateway.pk])))
    assert "Rules in force" in page and "Funding rules applied" in page


def test_the_pdf_shows_the_rules_in_force_with_their_sources(personas):
    apprenticeship = _start(personas["apprenticeship"], dt.date(2025, 9, 1))
    document = content.build_document(
        apprenticeship=apprenticeship, kind="portfolio", audience="full"
    )
    pdf = html.unescape(re.sub(r"\s+", " ", document.html))
    assert "<h2>Rules in force</h2>" in pdf
    assert "The 2025-26 funding rules apply" in pdf
    assert "<td>Minimum time on programme</td><td>8 months" in pdf
    assert "Secondary sources agree" in pdf and "SRC-APTEM-2025" in pdf
    assert "<td>Progress reviews</td>" in pdf and "No source held" in pdf


def test_the_frozen_portfolio_keeps_the_rules_in_force_at_gateway(personas):
    ready = make_ready(personas["apprenticeship"], personas["tutor"])
    for party, person in (("employer", personas["employer"]), ("provider", personas["tutor"])):
        gateway_services.declare(apprenticeship=ready, party=party, by=person, confirmed=True)
    frozen = GatewaySnapshot.objects.get(apprenticeship=ready).content["rules"]
    assert frozen["funding_year"]["applied"] == "2025-26"
    funding = frozen["sections"][0]
    assert funding["title"] == "Funding rules"
    minimum = next(r for r in funding["rules"] if r["key"] == "minimum_duration")
    assert minimum["figure"] == "8 months"
    assert {
        "id": "SRC-APTEM-2025",
        "title": "Aptem - Off-the-job hours: what changed in August 2025",
    } in minimum["sources"]
    document = content.build_document(apprenticeship=ready, kind="gateway_pack", audience="full")
    assert "As they stood when the portfolio was frozen at gateway." in document.html


def test_a_portfolio_frozen_before_the_rules_were_kept_shows_todays_and_says_so(personas):
    ready = make_ready(personas["apprenticeship"], personas["tutor"])
    for party, person in (("employer", personas["employer"]), ("provider", personas["tutor"])):
        gateway_services.declare(apprenticeship=ready, party=party, by=person, confirmed=True)
    snapshot = GatewaySnapshot.objects.get(apprenticeship=ready)
    older = {key: value for key, value in snapshot.content.items() if key != "rules"}
    GatewaySnapshot.objects.filter(pk=snapshot.pk).update(content=older)
    document = content.build_document(apprenticeship=ready, kind="gateway_pack", audience="full")
    page = re.sub(r"\s+", " ", document.html)
    assert "frozen before the rules were kept with it" in page
    assert "<td>Minimum time on programme</td><td>8 months" in page
