"""seed_scale: a provider of N apprenticeships, built set-based, only in a scratch database."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from apprenticeship.models import (
    Apprenticeship,
    DecisionStage,
    Membership,
    Organisation,
    Role,
)
from demo import scale
from epa.models import GatewaySnapshot
from epa.selectors.frozen import seal_holds
from portfolio.evidence.models import Evidence, EvidenceComment, EvidenceFile
from portfolio.reviews.models import Review
from portfolio.training.models import OtjEntry
from quality.models import IqaDraw
from reports import content
from reports.models import Report
from tests.helpers.iqa import days_from_decisions, kept_days


@pytest.mark.django_db
def test_seed_builds_a_provider_with_every_state_and_a_big_portfolio():
    seeded = scale.seed(3, items=8, entries=4, big_items=12, big_entries=9, signed_reviews_for=1)
    assert seeded.apprenticeships == Apprenticeship.objects.count() == 3
    big = Apprenticeship.objects.get(pk=seeded.big_portfolio)
    assert big.evidence.count() == 12 and big.otj_entries.count() == 9
    assert seeded.evidence == Evidence.objects.count()
    assert seeded.entries == OtjEntry.objects.count()
    # Every item is mapped; accepted items carry the version the tutor accepted.
    assert not Evidence.objects.filter(duties__isnull=True).exists()
    accepted = Evidence.objects.filter(status=Evidence.Status.ACCEPTED)
    assert accepted.exists() and not accepted.filter(accepted_version__isnull=True).exists()
    assert {e.status for e in Evidence.objects.all()} >= {"accepted", "draft"}
    # The big portfolio's items each have a photo of their own, and some NCCMH units.
    photos = EvidenceFile.objects.filter(evidence__apprenticeship=big)
    assert photos.count() == 12 and len(set(photos.values_list("sha256", flat=True))) == 12
    assert big.competence_frameworks.exists()
    assert Evidence.framework_units.through.objects.filter(evidence__apprenticeship=big).exists()
    assert Review.objects.filter(apprenticeship=big, status=Review.Status.SIGNED).count() == 2
    assert Membership.objects.filter(role=Role.TUTOR).count() == 3
    # The provider's admin looks after its employers.
    assert not Organisation.objects.filter(kind="employer", managed_by__isnull=True).exists()
    # Each reviewed item has the tutor's decision on its thread, as the service posts it.
    reviewed = Evidence.objects.filter(status__in=["accepted", "referred"])
    decisions = EvidenceComment.objects.filter(kind__in=["accepted", "referred"])
    assert decisions.count() == reviewed.count() > 0
    assert set(decisions.values_list("evidence_id", flat=True)) == set(
        reviewed.values_list("pk", flat=True)
    )
    # The days of every decision, at every stage, as the services keep them.
    provider = big.provider
    assert kept_days(provider) == days_from_decisions(provider)
    assert {stage for _, stage, _ in kept_days(provider)} == set(DecisionStage.values)
    # The IQA lead's plan drew its sample over the last year from all of them. Each
    # tutor has been on their apprenticeships since they began, so none counts as new.
    draw = IqaDraw.objects.get(plan_id=seeded.iqa_plan)
    assert draw.raised_tutors == []
    year = timezone.localdate() - dt.timedelta(days=365)
    assert draw.considered == sum(
        n for (_, _, day), n in kept_days(provider).items() if day >= year
    )
    # The second apprenticeship is as big, and passed gateway through the real services:
    # every duty signed off, and its portfolio frozen, sealed, with every submitted item.
    frozen = Apprenticeship.objects.get(pk=seeded.frozen_portfolio)
    assert frozen.is_post_gateway and frozen.evidence.count() == 12
    snapshot = GatewaySnapshot.objects.get(apprenticeship=frozen)
    assert seal_holds(snapshot)
    assert len(snapshot.content["evidence"]) == frozen.evidence.exclude(status="draft").count()
    assert all(duty["sign_off"] for duty in snapshot.content["duties"])
    # The report of the big portfolio can be made from it (its HTML; no PDF here).
    document = content.build_document(
        apprenticeship=big, kind=Report.Kind.PORTFOLIO, audience=Report.Audience.FULL
    )
    assert any(s.key.startswith("framework-") for s in document.sections)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's table layout")
def test_the_big_tables_lie_in_the_order_their_rows_were_written():
    """Inserted one apprenticeship at a time, each one's rows would share a few pages of
    the table, and reading them would be timed cheaper than on a real site, where rows are
    written over months by everyone at once."""
    scale.seed(4, items=10, entries=30, big_items=12, big_entries=40, signed_reviews_for=1)
    for model, written_on in scale.WRITTEN_ON:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {written_on}, apprenticeship_id FROM {table} ORDER BY ctid"  # noqa: S608
            )
            rows = cursor.fetchall()
        days = [day for day, _ in rows]
        assert days == sorted(days), table
        # Apprenticeships take turns, rather than lying in 4 runs of their own.
        runs = 1 + sum(1 for a, b in zip(rows, rows[1:], strict=False) if a[1] != b[1])
        assert runs > len(rows) / 4, (table, runs, len(rows))


@pytest.mark.django_db
def test_the_command_writes_only_to_a_scratch_database():
    with pytest.raises(CommandError, match="scratch database|PostgreSQL"):
        call_command("seed_scale", apprentices=1)
    assert not Apprenticeship.objects.exists()
