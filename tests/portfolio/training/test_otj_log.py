"""Logging, changing, verifying and rejecting off-the-job entries. Every refusal leaves
the data as it was."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from audit.models import AuditEvent
from portfolio.training.errors import OtjError
from portfolio.training.models import ActivityType, OtjEntry
from portfolio.training.selectors import otj_summary
from portfolio.training.services import log as otj_log
from tests import factories

TODAY = timezone.localdate


@pytest.fixture
def duty(apprenticeship):
    return apprenticeship.standard_version.duties.order_by("number").first()


def log(apprenticeship, duty, **overrides):
    values = {
        "apprenticeship": apprenticeship,
        "by": apprenticeship.apprentice,
        "date": TODAY() - dt.timedelta(days=3),
        "minutes": 120,
        "activity_type": ActivityType.TEACHING,
        "duty": duty,
        "description": "Recovery college session on boundaries in peer work.",
        "evidence": None,
    }
    values.update(overrides)
    return otj_log.log_otj_entry(**values)


def snapshot():
    return (
        list(OtjEntry.objects.order_by("pk").values()),
        AuditEvent.objects.filter(action__startswith="otj.").count(),
    )


def test_apprentice_logs_an_entry_that_waits_for_verification(apprenticeship, duty):
    entry = log(apprenticeship, duty)
    assert entry.status == OtjEntry.Status.PENDING
    assert entry.is_current and entry.version == 1
    event = AuditEvent.objects.get(action="otj.logged")
    assert event.actor_id == apprenticeship.apprentice_id
    assert event.apprenticeship_id == apprenticeship.pk
    assert event.after["minutes"] == 120


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "tomorrow"}, "date", "in the future"),
        ({"date": "before start"}, "date", "Training before the start does not count"),
        ({"minutes": 0}, "minutes", "more than 0 minutes"),
        ({"minutes": -30}, "minutes", "more than 0 minutes"),
        ({"minutes": 24 * 60 + 1}, "minutes", "longer than 24 hours"),
        ({"duty": None}, "duty", "Choose the duty"),
        ({"description": "   "}, "description", "Say what you did"),
    ],
)
def test_bad_entries_are_refused_and_change_nothing(
    apprenticeship, duty, overrides, field, message
):
    if overrides.get("date") == "tomorrow":
        overrides["date"] = TODAY() + dt.timedelta(days=1)
    if overrides.get("date") == "before start":
        overrides["date"] = apprenticeship.start_date - dt.timedelta(days=1)
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        log(apprenticeship, overrides.pop("duty", duty), **overrides)
    assert message in " ".join(caught.value.message_dict[field])
    assert snapshot() == before


def test_a_duty_from_another_standard_is_refused(apprenticeship):
    other_duty = factories.DutyFactory()
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        log(apprenticeship, other_duty)
    assert "duties of your standard" in caught.value.message_dict["duty"][0]
    assert snapshot() == before


def test_evidence_from_another_apprenticeship_is_refused(apprenticeship, duty):
    elsewhere = factories.EvidenceFactory()
    with pytest.raises(ValidationError) as caught:
        log(apprenticeship, duty, evidence=elsewhere)
    assert "evidence" in caught.value.message_dict
    assert not OtjEntry.objects.exists()


def test_an_entry_may_link_to_the_apprentices_own_evidence(apprenticeship, duty):
    evidence = factories.EvidenceFactory(apprenticeship=apprenticeship)
    assert log(apprenticeship, duty, evidence=evidence).evidence == evidence


def test_more_than_24_hours_on_one_day_across_entries_is_refused(apprenticeship, duty):
    day = TODAY() - dt.timedelta(days=5)
    log(apprenticeship, duty, date=day, minutes=20 * 60)
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        log(apprenticeship, duty, date=day, minutes=4 * 60 + 1)
    assert "more than 24 hours in one day" in caught.value.message_dict["minutes"][0]
    assert snapshot() == before
    # Exactly 24 hours is allowed, and a rejected entry does not use up the day.
    log(apprenticeship, duty, date=day, minutes=4 * 60)


def test_rejected_time_does_not_count_towards_the_days_limit(apprenticeship, duty, personas):
    day = TODAY() - dt.timedelta(days=5)
    entry = log(apprenticeship, duty, date=day, minutes=20 * 60)
    otj_log.reject_otj_entry(
        entry=entry, by=personas["tutor"], as_role=Role.TUTOR, reason="Duplicate"
    )
    log(apprenticeship, duty, date=day, minutes=20 * 60)


def test_training_during_a_break_in_learning_is_refused(apprenticeship, duty, personas):
    factories.BreakInLearningFactory(
        apprenticeship=apprenticeship,
        start_date=TODAY() - dt.timedelta(days=20),
        end_date=TODAY() - dt.timedelta(days=10),
        created_by=personas["tutor"],
    )
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        log(apprenticeship, duty, date=TODAY() - dt.timedelta(days=15))
    assert "during a break in learning" in caught.value.message_dict["date"][0]
    assert snapshot() == before
    log(apprenticeship, duty, date=TODAY() - dt.timedelta(days=9))


def test_a_cancelled_break_no_longer_blocks_entries(apprenticeship, duty, personas):
    factories.BreakInLearningFactory(
        apprenticeship=apprenticeship,
        start_date=TODAY() - dt.timedelta(days=20),
        end_date=None,
        created_by=personas["tutor"],
        cancelled_at=timezone.now(),
        cancelled_by=personas["tutor"],
        cancel_reason="Recorded on the wrong apprentice",
    )
    log(apprenticeship, duty, date=TODAY() - dt.timedelta(days=15))


def test_nothing_can_be_logged_after_gateway(apprenticeship, duty):
    apprenticeship.status = Apprenticeship.Status.GATEWAY
    apprenticeship.gateway_passed_at = timezone.now() - dt.timedelta(days=10)
    apprenticeship.save(update_fields=["status", "gateway_passed_at"])
    with pytest.raises(OtjError, match="passed gateway"):
        log(apprenticeship, duty, date=TODAY() - dt.timedelta(days=2))
    assert not OtjEntry.objects.exists()


def test_training_dated_after_gateway_is_refused(apprenticeship, duty):
    # Gateway recorded but the stage not yet moved on: the date rule still holds.
    apprenticeship.gateway_passed_at = timezone.now() - dt.timedelta(days=10)
    apprenticeship.save(update_fields=["gateway_passed_at"])
    with pytest.raises(ValidationError) as caught:
        log(apprenticeship, duty, date=TODAY() - dt.timedelta(days=2))
    assert "after gateway" in caught.value.message_dict["date"][0]


def test_only_the_apprentice_logs_their_training(apprenticeship, duty, personas):
    with pytest.raises(OtjError):
        log(apprenticeship, duty, by=personas["tutor"])
    assert not OtjEntry.objects.exists()


def test_english_and_maths_study_is_logged_without_a_duty_and_never_counts(apprenticeship, duty):
    apprenticeship.standard_version.otj_minimum_hours = 300
    apprenticeship.standard_version.save()
    log(apprenticeship, None, activity_type=ActivityType.ENGLISH_MATHS, minutes=90)
    log(apprenticeship, duty, minutes=60)
    summary = otj_summary(apprenticeship)
    assert summary.total.logged == 60
    assert summary.not_counted_minutes == 90


# -- changing --------------------------------------------------------------------------


def change(entry, **overrides):
    values = {
        "entry": entry,
        "by": entry.apprenticeship.apprentice,
        "date": entry.date,
        "minutes": entry.minutes,
        "activity_type": entry.activity_type,
        "duty": entry.duty,
        "description": entry.description,
        "evidence": entry.evidence,
    }
    values.update(overrides)
    return otj_log.change_otj_entry(**values)


def test_an_entry_waiting_for_verification_changes_in_place(apprenticeship, duty):
    entry = log(apprenticeship, duty)
    changed = change(entry, minutes=150)
    assert changed.pk == entry.pk
    assert (changed.minutes, changed.revision, changed.version) == (150, 2, 1)
    event = AuditEvent.objects.get(action="otj.changed")
    assert (event.before, event.after) == ({"minutes": 120}, {"minutes": 150})


def test_a_verified_entry_is_kept_and_a_change_makes_a_new_version(apprenticeship, duty, personas):
    entry = log(apprenticeship, duty)
    otj_log.verify_otj_entry(entry=entry, by=personas["employer"], as_role=Role.EMPLOYER)
    new = change(entry, minutes=180, description="Longer than I first wrote.")
    old = OtjEntry.objects.get(pk=entry.pk)
    assert new.pk != old.pk
    assert (old.minutes, old.status, old.is_current) == (120, OtjEntry.Status.VERIFIED, False)
    assert (new.version, new.status, new.is_current) == (2, OtjEntry.Status.PENDING, True)
    assert new.replaces == old and new.lineage == old.lineage
    assert AuditEvent.objects.filter(action="otj.new_version", object_id=str(new.pk)).exists()


def test_totals_count_only_current_versions_that_are_not_rejected(apprenticeship, duty, personas):
    apprenticeship.standard_version.otj_minimum_hours = 300
    apprenticeship.standard_version.save()
    first = log(apprenticeship, duty, minutes=60)
    otj_log.verify_otj_entry(entry=first, by=personas["tutor"], as_role=Role.TUTOR)
    change(first, minutes=90)  # version 2, waiting
    rejected = log(apprenticeship, duty, minutes=45, date=TODAY() - dt.timedelta(days=1))
    otj_log.reject_otj_entry(
        entry=rejected, by=personas["tutor"], as_role=Role.TUTOR, reason="Normal work"
    )
    summary = otj_summary(apprenticeship)
    assert (summary.total.logged, summary.total.verified) == (90, 0)
    assert summary.rejected_minutes == 45


def test_a_rejected_entry_changed_becomes_a_new_version_to_verify(apprenticeship, duty, personas):
    entry = log(apprenticeship, duty)
    otj_log.reject_otj_entry(
        entry=entry, by=personas["tutor"], as_role=Role.TUTOR, reason="Which session?"
    )
    new = change(entry, description="Recovery college session 3: boundaries.")
    assert new.version == 2 and new.is_pending
    assert OtjEntry.objects.get(pk=entry.pk).rejection_reason == "Which session?"


def test_an_unchanged_save_makes_no_new_version(apprenticeship, duty, personas):
    entry = log(apprenticeship, duty)
    otj_log.verify_otj_entry(entry=entry, by=personas["tutor"], as_role=Role.TUTOR)
    assert change(entry).pk == entry.pk
    assert OtjEntry.objects.count() == 1


def test_an_earlier_version_cannot_be_changed(apprenticeship, duty, personas):
    entry = log(apprenticeship, duty)
    otj_log.verify_otj_entry(entry=entry, by=personas["tutor"], as_role=Role.TUTOR)
    change(entry, minutes=100)
    with pytest.raises(OtjError, match="earlier version"):
        change(OtjEntry.objects.get(pk=entry.pk), minutes=200)


def test_a_change_that_breaks_a_rule_is_refused_and_changes_nothing(apprenticeship, duty, personas):
    entry = log(apprenticeship, duty)
    otj_log.verify_otj_entry(entry=entry, by=personas["tutor"], as_role=Role.TUTOR)
    before = snapshot()
    with pytest.raises(ValidationError):
        change(entry, date=TODAY() + dt.timedelta(days=2))
    assert snapshot() == before


def test_the_days_limit_leaves_out_the_version_being_replaced(apprenticeship, duty):
    entry = log(apprenticeship, duty, minutes=23 * 60)
    assert change(entry, minutes=24 * 60).minutes == 24 * 60


# -- verifying and rejecting -----------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TUTOR, Role.EMPLOYER])
def test_the_tutor_or_the_employer_verifies(apprenticeship, duty, personas, role):
    entry = log(apprenticeship, duty)
    verified = otj_log.verify_otj_entry(entry=entry, by=personas[role], as_role=role)
    assert verified.status == OtjEntry.Status.VERIFIED
    assert (verified.decided_by, verified.decided_as) == (personas[role], role.value)
    assert verified.decided_at is not None
    event = AuditEvent.objects.get(action="otj.verified")
    assert event.actor == personas[role]
    assert event.after["as"] == role.value


def test_an_entry_is_decided_only_once(apprenticeship, duty, personas):
    entry = log(apprenticeship, duty)
    otj_log.verify_otj_entry(entry=entry, by=personas["tutor"], as_role=Role.TUTOR)
    with pytest.raises(OtjError, match="already verified"):
        otj_log.reject_otj_entry(
            entry=entry, by=personas["employer"], as_role=Role.EMPLOYER, reason="No"
        )
    assert OtjEntry.objects.get(pk=entry.pk).status == OtjEntry.Status.VERIFIED


def test_rejecting_needs_a_reason(apprenticeship, duty, personas):
    entry = log(apprenticeship, duty)
    with pytest.raises(ValidationError):
        otj_log.reject_otj_entry(entry=entry, by=personas["tutor"], as_role=Role.TUTOR, reason=" ")
    assert OtjEntry.objects.get(pk=entry.pk).is_pending


def test_a_verifier_never_verifies_a_revision_they_did_not_see(apprenticeship, duty, personas):
    entry = log(apprenticeship, duty)
    seen = entry.revision
    change(entry, minutes=600)
    with pytest.raises(OtjError, match="changed this entry after you opened it"):
        otj_log.verify_otj_entry(
            entry=entry, by=personas["tutor"], as_role=Role.TUTOR, revision=seen
        )
    assert OtjEntry.objects.get(pk=entry.pk).is_pending


def test_apprentices_cannot_verify_their_own_training(apprenticeship, duty):
    entry = log(apprenticeship, duty)
    with pytest.raises(OtjError):
        otj_log.verify_otj_entry(entry=entry, by=apprenticeship.apprentice, as_role=Role.TUTOR)


def test_several_entries_verified_at_once_skip_those_that_changed(apprenticeship, duty, personas):
    a = log(apprenticeship, duty, date=TODAY() - dt.timedelta(days=1))
    b = log(apprenticeship, duty, date=TODAY() - dt.timedelta(days=2))
    c = log(apprenticeship, duty, date=TODAY() - dt.timedelta(days=3))
    seen = [(a.pk, a.revision), (b.pk, b.revision), (c.pk, c.revision)]
    change(b, minutes=30)
    elsewhere = factories.OtjEntryFactory(apprenticeship=personas["other_apprenticeship"])
    verified, skipped = otj_log.verify_otj_entries(
        apprenticeship=apprenticeship,
        by=personas["employer"],
        as_role=Role.EMPLOYER,
        seen=[*seen, (elsewhere.pk, 1)],
    )
    assert (verified, skipped) == (2, 2)
    statuses = dict(OtjEntry.objects.values_list("pk", "status"))
    assert statuses[b.pk] == OtjEntry.Status.PENDING
    assert statuses[elsewhere.pk] == OtjEntry.Status.PENDING
    assert statuses[a.pk] == statuses[c.pk] == OtjEntry.Status.VERIFIED


def test_verifying_many_entries_takes_the_same_queries_for_5_as_for_50(
    apprenticeship, duty, personas
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def verify(count: int) -> int:
        entries = [
            factories.OtjEntryFactory(apprenticeship=apprenticeship, duty=duty, minutes=30)
            for _ in range(count)
        ]
        with CaptureQueriesContext(connection) as context:
            verified, skipped = otj_log.verify_otj_entries(
                apprenticeship=apprenticeship,
                by=personas["tutor"],
                as_role=Role.TUTOR,
                seen=[(entry.pk, entry.revision) for entry in entries],
            )
        assert (verified, skipped) == (count, 0)
        return len(context.captured_queries)

    # Lock the apprenticeship, lock the entries, one UPDATE, the standing worked out again
    # and stored, one INSERT into the history (inside the transaction's savepoint and its
    # release).
    assert verify(5) == verify(50) == 8
    assert OtjEntry.objects.filter(status=OtjEntry.Status.VERIFIED).count() == 55
    events = AuditEvent.objects.filter(action="otj.verified")
    assert events.count() == 55
    assert {event.actor_id for event in events} == {personas["tutor"].pk}
    assert all(event.apprenticeship_id == apprenticeship.pk for event in events)
    entry = OtjEntry.objects.filter(status=OtjEntry.Status.VERIFIED).first()
    assert entry.decided_by == personas["tutor"] and entry.decided_as == "tutor"
    assert entry.decided_at is not None
    assert events.for_object(entry).get().summary.startswith("Verified 30 minutes")


def test_verifying_many_as_the_apprentice_or_after_gateway_changes_nothing(
    apprenticeship, duty, personas
):
    entry = log(apprenticeship, duty)
    before = snapshot()
    assert otj_log.verify_otj_entries(
        apprenticeship=apprenticeship,
        by=apprenticeship.apprentice,
        as_role=Role.TUTOR,
        seen=[(entry.pk, entry.revision)],
    ) == (0, 1)
    apprenticeship.status = Apprenticeship.Status.GATEWAY
    apprenticeship.save(update_fields=["status"])
    assert otj_log.verify_otj_entries(
        apprenticeship=apprenticeship,
        by=personas["tutor"],
        as_role=Role.TUTOR,
        seen=[(entry.pk, entry.revision)],
    ) == (0, 1)
    assert snapshot() == before


def test_nothing_is_verified_after_gateway(apprenticeship, duty, personas):
    entry = log(apprenticeship, duty)
    apprenticeship.status = Apprenticeship.Status.GATEWAY
    apprenticeship.save(update_fields=["status"])
    with pytest.raises(OtjError, match="passed gateway"):
        otj_log.verify_otj_entry(entry=entry, by=personas["tutor"], as_role=Role.TUTOR)
    assert OtjEntry.objects.get(pk=entry.pk).is_pending
