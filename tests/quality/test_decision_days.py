"""The days the decision services keep for the IQA report (`DecisionDay`): each of the four
kinds of decision counted once, at its stage, on its day in the service's time zone, and
nothing else; what the services keep equals what the decisions add up to, on both
engines; the migration that fills the days for decisions made before works out the same;
and two decisions counted at once both count (PostgreSQL)."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from apprenticeship.models import DecisionDay, DecisionStage
from apprenticeship.services import count_decision
from epa.models import GatewayDeclaration
from epa.services import gateway
from portfolio.evidence.models import DutySignOff, Evidence
from portfolio.evidence.services import decisions
from quality.iqa import selectors
from tests import factories
from tests.helpers import concurrency
from tests.helpers.epa import make_ready
from tests.helpers.evidence import make_evidence
from tests.helpers.iqa import days_from_decisions, kept_days

fill = importlib.import_module("quality.migrations.0006_fill_decision_days").fill


def _every_kind_of_decision(personas):
    """Through the services: evidence accepted for each duty and one referred back, each
    duty signed off, a review signed by all three, both gateway confirmations; and a
    comment on a thread, which is not a decision."""
    apprenticeship, tutor = personas["apprenticeship"], personas["tutor"]
    ready = make_ready(apprenticeship, tutor)
    submitted = make_evidence(ready, status=Evidence.Status.SUBMITTED, title="Group notes")
    referred = decisions.review_evidence(
        evidence=submitted, by=tutor, decision="refer", feedback="Add the date, please."
    )
    decisions.add_comment(evidence=referred, by=tutor, body="Thanks for sending this.")
    for party, person in (
        (GatewayDeclaration.Party.EMPLOYER, personas["employer"]),
        (GatewayDeclaration.Party.PROVIDER, tutor),
    ):
        gateway.declare(apprenticeship=ready, party=party, by=person, confirmed=True)
    return ready


@pytest.mark.django_db
def test_each_decision_counts_once_at_its_stage_on_its_day(personas):
    ready = _every_kind_of_decision(personas)
    provider, tutor = ready.provider, personas["tutor"]
    duties = ready.standard_version.duties.count()
    today = timezone.localdate()
    assert kept_days(provider) == {
        (tutor.pk, DecisionStage.EVIDENCE, today): duties + 1,
        (tutor.pk, DecisionStage.SIGN_OFF, today): duties,
        (tutor.pk, DecisionStage.REVIEW, today): 1,
        (tutor.pk, DecisionStage.GATEWAY, today): 1,
    }
    assert kept_days(provider) == days_from_decisions(provider)
    report = selectors.report(provider.pk, start=today - dt.timedelta(days=7), end=today)
    assert {row.stage: row.decisions for row in report.rows} == {
        "evidence": duties + 1,
        "sign_off": duties,
        "review": 1,
        "gateway": 1,
    }
    # Another provider's report counts none of them.
    other = factories.ProviderFactory()
    assert selectors.report(other.pk, start=today, end=today).decisions == 0


@pytest.mark.django_db
def test_the_migration_fills_the_same_days_for_decisions_made_before(personas):
    ready = _every_kind_of_decision(personas)
    # Decisions of another tutor on other days, as rows (as if made before the days were
    # kept), one of them late in the evening of a summer day.
    other = factories.UserFactory()
    for at in (
        dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2025, 6, 30, 12, tzinfo=dt.UTC),
        dt.datetime(2025, 1, 10, 9, tzinfo=dt.UTC),
    ):
        DutySignOff.objects.create(
            apprenticeship=ready,
            duty=ready.standard_version.duties.first(),
            comment="Covered.",
            signed_by=other,
            signed_at=at,
            withdrawn_at=at,
            withdrawn_by=other,
            withdrawal_reason="Signed off twice.",
        )
    expected = days_from_decisions(ready.provider)
    assert expected[(other.pk, "sign_off", dt.date(2025, 7, 1))] == 1
    assert expected[(other.pk, "sign_off", dt.date(2025, 6, 30))] == 1
    DecisionDay.objects.all().delete()
    fill(apps, None)
    assert kept_days(ready.provider) == expected


@pytest.mark.django_db
def test_a_decision_late_in_the_evening_counts_on_that_day_in_england(personas):
    """Days are the service's (Europe/London), as the report's period is: 23:30 UTC on
    30 June is half past midnight on 1 July in summer, and 23:30 on 31 December is that
    evening in winter."""
    apprenticeship, tutor = personas["apprenticeship"], personas["tutor"]
    for at in (
        dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC),
    ):
        count_decision(
            apprenticeship=apprenticeship, made_by=tutor, stage=DecisionStage.SIGN_OFF, at=at
        )
    assert kept_days(apprenticeship.provider) == {
        (tutor.pk, "sign_off", dt.date(2025, 7, 1)): 1,
        (tutor.pk, "sign_off", dt.date(2025, 12, 31)): 1,
    }
    provider_id = apprenticeship.provider_id
    june = selectors.report(provider_id, start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 30))
    july = selectors.report(provider_id, start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 31))
    december = selectors.report(provider_id, start=dt.date(2025, 12, 31), end=dt.date(2025, 12, 31))
    assert (june.decisions, july.decisions, december.decisions) == (0, 1, 1)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_decisions_counted_at_once_both_count(personas):
    """The second waits for the first's row, then adds one to what the first committed:
    the count is added in the database, never worked out from what a request read."""
    apprenticeship, tutor = personas["apprenticeship"], personas["tutor"]
    at = timezone.now()

    def count():
        count_decision(
            apprenticeship=apprenticeship, made_by=tutor, stage=DecisionStage.EVIDENCE, at=at
        )

    concurrency.second_while_first_uncommitted(count, count)
    concurrency.run_at_once(count, count, count)
    assert DecisionDay.objects.get().decisions == 5
