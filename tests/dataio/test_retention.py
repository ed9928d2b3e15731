"""Keeping and not keeping: records past their provider's period are reduced to the
minimal record, files really gone from storage; a dry run changes nothing; a legal hold
stops it until lifted; another provider's records are never touched."""

import datetime as dt
import io
import json
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship
from audit.actions import AuditAction
from audit.models import AuditEvent
from dataio import erasure, services
from dataio.models import LegalHold, RetentionErasure, RetentionPolicy
from portfolio.evidence import models as evidence_models
from portfolio.evidence.models import Evidence, EvidenceComment, EvidenceFile, WitnessTestimony
from portfolio.training.models import OtjEntry
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)
SECRET = "I told my group about the night I slept at the station"


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def _end(apprenticeship: Apprenticeship, *, on: dt.date) -> Apprenticeship:
    """Completed, with its planned end on `on`."""
    Apprenticeship.objects.filter(pk=apprenticeship.pk).update(
        status=Apprenticeship.Status.COMPLETED,
        start_date=on - dt.timedelta(days=450),
        planned_end_date=on,
    )
    apprenticeship.refresh_from_db()
    return apprenticeship


def _records(apprenticeship: Apprenticeship, author) -> dict:
    evidence = factories.EvidenceFactory(
        apprenticeship=apprenticeship, title="Group work", account=SECRET
    )
    stored = EvidenceFile(
        evidence=evidence,
        original_name="flipchart.png",
        content_type="image/png",
        category="image",
        size=4,
        sha256="0" * 64,
        uploaded_by=apprenticeship.apprentice,
    )
    stored.file.save("flipchart.png", ContentFile(b"\x89PNG"), save=False)
    stored.save()
    EvidenceComment.objects.create(evidence=evidence, author=author, version=1, body=SECRET)
    testimony = factories.WitnessTestimonyFactory(
        apprenticeship=apprenticeship, author=author, text=SECRET
    )
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship, description=SECRET)
    # A rejected entry must keep a reason: its text is replaced, never emptied.
    factories.OtjEntryFactory(
        apprenticeship=apprenticeship,
        description=SECRET,
        status="rejected",
        decided_at=timezone.now(),
        rejection_reason=SECRET,
    )
    return {"evidence": evidence, "file": stored, "testimony": testimony, "entry": entry}


@pytest.fixture
def ended(personas, storage):
    """The first provider's apprenticeship ended in June 2018 (kept until 31 July 2024) and
    the second provider's, ended the same day, each with files and texts."""
    mine = _end(personas["apprenticeship"], on=dt.date(2018, 6, 30))
    other = _end(personas["other_apprenticeship"], on=dt.date(2018, 6, 30))
    return {
        "mine": mine,
        "mine_records": _records(mine, personas["tutor"]),
        "other": other,
        "other_records": _records(other, personas["outsider"]),
    }


def test_the_period_runs_from_the_end_of_the_funding_year():
    assert funding_rules.records_kept_until(dt.date(2018, 6, 30)) == dt.date(2024, 7, 31)
    assert funding_rules.records_kept_until(dt.date(2018, 8, 1)) == dt.date(2025, 7, 31)
    assert funding_rules.records_kept_until(dt.date(2018, 8, 1), 10) == dt.date(2029, 7, 31)
    # On 7 December 2026 everything that ended by 31 July 2020 is past keeping.
    assert funding_rules.latest_end_due(TODAY) == dt.date(2020, 7, 31)
    assert funding_rules.latest_end_due(dt.date(2026, 7, 31)) == dt.date(2019, 7, 31)


def test_the_dry_run_lists_ids_and_counts_and_changes_nothing(ended, personas):
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", f"--today={TODAY}", stdout=out)
    text = out.getvalue()
    assert f"would reduce 1 apprenticeship(s) to the minimal record: {ended['mine'].pk}" in text
    assert "files: 1" in text and "Dry run: nothing was changed." in text
    assert SECRET not in text and "Group work" not in text
    records = ended["mine_records"]
    assert default_storage.exists(records["file"].file.name)
    assert Evidence.objects.get(pk=records["evidence"].pk).account == SECRET
    assert not RetentionErasure.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.RETENTION_APPLIED).exists()


def test_applying_deletes_files_and_texts_and_keeps_the_minimal_record(ended, personas):
    records = ended["mine_records"]
    name = records["file"].file.name
    result = services.apply_retention(provider=ended["mine"].provider, today=TODAY)

    assert result.apprenticeship_ids == [ended["mine"].pk]
    assert not default_storage.exists(name)
    assert not EvidenceFile.objects.filter(pk=records["file"].pk).exists()
    evidence = Evidence.objects.get(pk=records["evidence"].pk)
    assert (evidence.title, evidence.account) == (erasure.ERASED, erasure.ERASED)
    assert EvidenceComment.objects.get(evidence=evidence).body == erasure.ERASED
    assert WitnessTestimony.objects.get(pk=records["testimony"].pk).text == erasure.ERASED
    entry = OtjEntry.objects.get(pk=records["entry"].pk)
    assert entry.description == erasure.ERASED
    assert entry.minutes == records["entry"].minutes  # the figures stay
    # The minimal record: who, which standard, dates, result.
    kept = Apprenticeship.objects.get(pk=ended["mine"].pk)
    assert kept.apprentice_id == personas["apprentice"].pk
    assert kept.standard_version_id == ended["mine"].standard_version_id
    assert kept.planned_end_date == dt.date(2018, 6, 30)
    assert kept.status == Apprenticeship.Status.COMPLETED
    reduced = RetentionErasure.objects.get(apprenticeship=kept)
    assert reduced.kept_until == dt.date(2024, 7, 31) and reduced.counts["files"] == 1
    # The history has counts and ids, never content.
    events = AuditEvent.objects.filter(action=AuditAction.RETENTION_APPLIED)
    assert {e.object_type for e in events} == {
        "apprenticeship.apprenticeship",
        "apprenticeship.organisation",
    }
    run = events.get(object_type="apprenticeship.organisation")
    assert run.after["apprenticeships"] == [kept.pk]
    assert all(SECRET not in json.dumps(e.after) + e.summary for e in events)
    # Running again finds nothing more to do.
    again = services.apply_retention(provider=kept.provider, today=TODAY)
    assert again.apprenticeship_ids == []


def test_another_providers_records_are_untouched(ended, personas):
    services.apply_retention(provider=ended["mine"].provider, today=TODAY)
    other = ended["other_records"]
    assert default_storage.exists(other["file"].file.name)
    assert Evidence.objects.get(pk=other["evidence"].pk).account == SECRET
    assert not RetentionErasure.objects.filter(apprenticeship=ended["other"]).exists()


def test_each_provider_keeps_for_its_own_period(ended, personas):
    RetentionPolicy.objects.create(
        provider=ended["other"].provider, years=10, updated_by=personas["outsider"]
    )
    results = services.apply_retention_everywhere(today=TODAY)
    reduced = {i for r in results for i in r.apprenticeship_ids}
    assert reduced == {ended["mine"].pk}
    assert Evidence.objects.get(pk=ended["other_records"]["evidence"].pk).account == SECRET


def test_the_nightly_job_skips_a_provider_that_paused_deleting(ended, personas):
    RetentionPolicy.objects.create(
        provider=ended["mine"].provider,
        years=6,
        applies_automatically=False,
        updated_by=personas["admin"],
    )
    results = services.apply_retention_everywhere(today=TODAY)
    assert ended["mine"].pk not in {i for r in results for i in r.apprenticeship_ids}
    assert not RetentionErasure.objects.filter(apprenticeship=ended["mine"]).exists()


def test_records_not_yet_past_keeping_stay(personas, storage):
    recent = _end(personas["apprenticeship"], on=dt.date(2022, 6, 30))
    records = _records(recent, personas["tutor"])
    result = services.apply_retention(provider=recent.provider, today=TODAY)
    assert result.apprenticeship_ids == []
    assert default_storage.exists(records["file"].file.name)


def test_a_legal_hold_stops_retention_until_lifted(ended, personas):
    mine = ended["mine"]
    hold = services.place_legal_hold(
        apprenticeship=mine, reason="appeal", why="Appeal against the grade", by=personas["admin"]
    )
    result = services.apply_retention(provider=mine.provider, today=TODAY)
    assert result.apprenticeship_ids == [] and result.held_ids == [mine.pk]
    assert default_storage.exists(ended["mine_records"]["file"].file.name)
    with pytest.raises(services.RetentionError):
        services.place_legal_hold(
            apprenticeship=mine, reason="complaint", why="Again", by=personas["admin"]
        )
    services.lift_legal_hold(hold=hold, why="Appeal decided", by=personas["admin"])
    result = services.apply_retention(provider=mine.provider, today=TODAY)
    assert result.apprenticeship_ids == [mine.pk]
    assert set(
        AuditEvent.objects.filter(apprenticeship_id=mine.pk).values_list("action", flat=True)
    ) >= {AuditAction.LEGAL_HOLD_PLACED, AuditAction.LEGAL_HOLD_LIFTED}


def test_the_admin_holds_and_lifts_on_the_pages(client, ended, personas):
    mine = ended["mine"]
    client.force_login(personas["admin"])
    url = reverse("dataio:legal-hold", args=[mine.pk])
    response = client.post(url, {"reason": "complaint", "why": ""})
    assert response.status_code == 400 and not LegalHold.objects.exists()
    response = client.post(url, {"reason": "complaint", "why": "Complaint to the provider"})
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.placed_by, hold.reason) == (personas["admin"], "complaint")
    page = client.get(mine.get_absolute_url()).content.decode()
    assert 'id="legal-hold"' in page and "Complaint to the provider" in page
    # The tutor does not see who held the records or why.
    client.force_login(personas["tutor"])
    assert "Complaint to the provider" not in client.get(mine.get_absolute_url()).content.decode()
    client.force_login(personas["admin"])
    lift = reverse("dataio:legal-hold-lift", args=[hold.pk])
    client.post(lift, {"why": ""})
    hold.refresh_from_db()
    assert hold.is_active
    client.post(lift, {"why": "Complaint closed"})
    hold.refresh_from_db()
    assert not hold.is_active and hold.lifted_by == personas["admin"]


def test_the_policy_page_shows_the_period_its_source_and_what_is_due(client, ended, personas):
    client.force_login(personas["admin"])
    url = reverse("dataio:retention-policy", args=[ended["mine"].provider_id])
    page = client.get(url).content.decode()
    assert "Inferred, not official" in page and "SRC-ESFA-AGREEMENT-2021" in page
    assert f"#{ended['mine'].pk}" in page
    assert f"#{ended['other'].pk}" not in page
    response = client.post(url, {"years": "3", "applies_automatically": "on"})
    assert response.status_code == 400 and not RetentionPolicy.objects.exists()
    response = client.post(url, {"years": "10"})
    assert response.status_code == 302
    policy = RetentionPolicy.objects.get()
    assert (policy.years, policy.applies_automatically) == (10, False)
    page = client.get(url).content.decode()
    assert "Provider policy" in page and "Deleting is paused" in page
    assert AuditEvent.objects.filter(action=AuditAction.RETENTION_POLICY_SET).exists()


def test_the_nightly_job_is_scheduled_and_calls_the_service(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == "dataio.tasks.apply_retention"
    from dataio import tasks

    with mock.patch("dataio.services.apply_retention_everywhere") as apply:
        tasks.apply_retention()
    apply.assert_called_once_with()


def test_the_frozen_portfolio_reports_and_copies_lose_their_content(ended, personas):
    from audit import seals
    from dataio.models import SubjectAccessRequest
    from epa.models import GatewaySnapshot
    from reports.models import Report

    mine = ended["mine"]
    content = {
        "apprenticeship": {"id": mine.pk},
        "evidence": [{"id": 1, "title": SECRET, "files": []}],
        "reviews": [{"discussion": SECRET}],
        "duties": [{"code": "D1", "sign_off": {"comment": SECRET, "at": "2018-01-02"}}],
        "checklist": [{"key": "otj", "holds": True, "detail": "Done"}],
    }
    GatewaySnapshot.objects.create(
        apprenticeship=mine,
        taken_at=dt.datetime(2018, 3, 1, tzinfo=dt.UTC),
        taken_by=personas["tutor"],
        content=content,
        digest=seals.digest(content),
    )
    report = Report(
        apprenticeship=mine,
        kind="portfolio",
        audience="full",
        fingerprint="f" * 64,
        status=Report.Status.READY,
        requested_by=personas["apprentice"],
        html=f"<p>{SECRET}</p>",
    )
    report.file.save("portfolio.pdf", ContentFile(b"%PDF-1.7"), save=False)
    report.save()
    copy = SubjectAccessRequest(person=mine.apprentice, requested_by=mine.apprentice)
    copy.archive.save("copy.zip", ContentFile(b"PK"), save=False)
    copy.save()
    paths = [report.file.name, copy.archive.name]

    services.apply_retention(provider=mine.provider, today=TODAY)

    snapshot = GatewaySnapshot.objects.get(apprenticeship=mine)
    assert SECRET not in json.dumps(snapshot.content)
    assert snapshot.content["checklist"] == content["checklist"]
    assert seals.matches(snapshot.content, snapshot.digest)
    report.refresh_from_db()
    assert (report.html, report.file.name, report.status) == ("", "", Report.Status.FAILED)
    assert not SubjectAccessRequest.objects.filter(pk=copy.pk).exists()
    assert not any(default_storage.exists(p) for p in paths)


def test_the_policy_page_keeps_a_flat_query_count(client, ended, personas):
    from tests.query_counts import RETENTION_PAGE_QUERIES, assert_flat_queries

    client.force_login(personas["admin"])
    url = reverse("dataio:retention-policy", args=[ended["mine"].provider_id])

    def grow():
        for n in range(3):
            more = factories.ApprenticeshipFactory(
                provider=ended["mine"].provider, standard_version=ended["mine"].standard_version
            )
            _end(more, on=dt.date(2017, 6, 30))
            if n:
                services.place_legal_hold(
                    apprenticeship=more, reason="appeal", why="Open", by=personas["admin"]
                )

    assert_flat_queries(client, url, grow, RETENTION_PAGE_QUERIES)


def test_applying_deletes_exactly_what_the_dry_run_listed(ended, personas):
    provider = ended["mine"].provider
    listed = services.apply_retention(provider=provider, today=TODAY, dry_run=True)
    done = services.apply_retention(provider=provider, today=TODAY)
    assert done.apprenticeship_ids == listed.apprenticeship_ids == [ended["mine"].pk]
    deleted = dict(done.counts)
    assert deleted.pop("files_deleted_from_storage") == listed.counts["files"] == 1
    assert deleted == listed.counts


def test_what_was_asked_of_an_outside_witness_goes_too(ended, personas):
    asked = evidence_models.TestimonyRequest.objects.create(
        apprenticeship=ended["mine"],
        activity=SECRET,
        requested_by=personas["apprentice"],
        witness_name="Dee Outside",
        witness_email="dee@example.net",
        token_hash="0" * 64,
        expires_at=timezone.now(),
    )
    services.apply_retention(provider=ended["mine"].provider, today=TODAY)
    asked.refresh_from_db()
    assert (asked.activity, asked.witness_name, asked.witness_email) == (erasure.ERASED,) * 3
