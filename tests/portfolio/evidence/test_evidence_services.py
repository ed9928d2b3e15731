"""The evidence life cycle, versions, sign-offs and the history they leave."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from audit.models import AuditEvent
from portfolio.evidence import selectors as evidence_selectors
from portfolio.evidence.models import (
    DutySignOff,
    Evidence,
    EvidenceComment,
    EvidenceVersion,
    ProtectedName,
)
from portfolio.evidence.services import decisions, sign_offs
from portfolio.evidence.services import evidence as services
from portfolio.evidence.services import testimonies as testimonies_services
from portfolio.evidence.services.evidence import EvidenceError
from tests import factories, samples
from tests.helpers.evidence import make_evidence


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("at", "id"))


def test_reflective_accounts_start_hidden_from_the_employer_and_other_kinds_shown(apprenticeship):
    reflective = services.create_evidence(
        apprenticeship=apprenticeship, by=apprenticeship.apprentice, kind="reflective_account"
    )
    record = services.create_evidence(
        apprenticeship=apprenticeship, by=apprenticeship.apprentice, kind="work_record"
    )
    assert not reflective.visible_to_employer
    assert record.visible_to_employer


def test_starting_a_draft_reuses_an_untouched_one(apprenticeship):
    first = services.start_draft(apprenticeship=apprenticeship, by=apprenticeship.apprentice)
    again = services.start_draft(apprenticeship=apprenticeship, by=apprenticeship.apprentice)
    assert first.pk == again.pk
    services.save_draft(
        evidence=first,
        by=apprenticeship.apprentice,
        title="Group session",
        kind="work_record",
        activity_date=None,
        account="",
        duties=[],
        ksbs=[],
    )
    third = services.start_draft(apprenticeship=apprenticeship, by=apprenticeship.apprentice)
    assert third.pk != first.pk


def test_a_date_in_the_future_is_refused_and_nothing_changes(draft, apprenticeship):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(Exception, match="can't be in the future"):
        services.save_draft(
            evidence=draft,
            by=apprenticeship.apprentice,
            title="Changed",
            kind=draft.kind,
            activity_date=tomorrow,
            account="",
            duties=[],
            ksbs=[],
        )
    draft.refresh_from_db()
    assert draft.title != "Changed"


def test_duties_from_another_standard_are_refused(draft, apprenticeship):
    foreign = factories.DutyFactory()
    with pytest.raises(EvidenceError, match="your own standard"):
        services.save_draft(
            evidence=draft,
            by=apprenticeship.apprentice,
            title="x",
            kind=draft.kind,
            activity_date=None,
            account="",
            duties=[foreign],
            ksbs=[],
        )
    assert list(draft.duties.all()) != [foreign]


def test_submitting_needs_both_confirmations_and_the_essentials(apprenticeship):
    evidence = services.create_evidence(
        apprenticeship=apprenticeship, by=apprenticeship.apprentice, kind="work_record"
    )
    with pytest.raises(
        EvidenceError, match="Give it a title.*date of the activity.*at least one duty"
    ):
        services.submit_evidence(
            evidence=evidence, by=apprenticeship.apprentice, own_work=True, names_no_one=True
        )
    evidence = make_evidence(apprenticeship)
    with pytest.raises(EvidenceError, match="Confirm both statements"):
        services.submit_evidence(
            evidence=evidence, by=apprenticeship.apprentice, own_work=True, names_no_one=False
        )
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.DRAFT
    services.submit_evidence(
        evidence=evidence, by=apprenticeship.apprentice, own_work=True, names_no_one=True
    )
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.SUBMITTED
    (event,) = events("evidence.submitted")
    assert event.after["confirmed_own_work"] and event.after["confirmed_names_no_one"]


def test_identifier_findings_cover_title_account_files_and_private_names(
    draft, apprenticeship, personas
):
    testimonies_services.add_protected_name(apprenticeship=apprenticeship, name="Dee")
    draft.title = "Visit with Dee"
    draft.account = "Her NHS number is 943 476 5919."
    draft.save()
    services.add_files(
        evidence=draft,
        by=personas["apprentice"],
        files=[samples.upload("notes.pdf", samples.pdf("Call 07700 900123"))],
    )
    found = [(f.kind, f.where) for f in evidence_selectors.identifier_findings(evidence=draft)]
    assert found == [("name", "Title"), ("nhs_number", "Written account"), ("phone", "notes.pdf")]


def test_accepting_freezes_a_version_and_posts_to_the_thread(submitted, personas):
    accepted = decisions.review_evidence(
        evidence=submitted, by=personas["tutor"], decision="accept", feedback="Clear and honest."
    )
    version = accepted.accepted_version
    assert accepted.status == Evidence.Status.ACCEPTED
    assert (version.number, version.title, version.account) == (
        1,
        submitted.title,
        submitted.account,
    )
    assert list(version.duties.all()) == list(submitted.duties.all())
    (comment,) = EvidenceComment.objects.filter(evidence=submitted)
    assert (comment.kind, comment.body) == ("accepted", "Clear and honest.")
    (event,) = events("evidence.accepted")
    assert event.actor == personas["tutor"]
    assert event.before["status"] == "submitted" and event.after["status"] == "accepted"


def test_referring_back_needs_feedback(submitted, personas):
    with pytest.raises(EvidenceError, match="Say what needs to change"):
        decisions.review_evidence(
            evidence=submitted, by=personas["tutor"], decision="refer", feedback=" "
        )
    submitted.refresh_from_db()
    assert submitted.status == Evidence.Status.SUBMITTED
    decisions.review_evidence(
        evidence=submitted, by=personas["tutor"], decision="refer", feedback="Say what you learned."
    )
    submitted.refresh_from_db()
    assert submitted.status == Evidence.Status.REFERRED
    assert events("evidence.referred")[0].after["feedback"] == "Say what you learned."


def test_a_second_review_of_the_same_submission_is_refused(submitted, personas):
    decisions.review_evidence(
        evidence=submitted, by=personas["tutor"], decision="accept", feedback=""
    )
    with pytest.raises(EvidenceError, match="not waiting for review"):
        decisions.review_evidence(
            evidence=submitted, by=personas["tutor"], decision="refer", feedback="x"
        )


def test_editing_accepted_evidence_makes_a_new_version_and_keeps_the_accepted_one(
    accepted, personas
):
    original_title = accepted.title
    photo = services.add_files(
        evidence=make_evidence(accepted.apprenticeship),
        by=personas["apprentice"],
        files=[samples.upload("p.jpg", samples.jpeg())],
    )
    assert photo  # unrelated item, to show files stay per item
    edited = services.save_draft(
        evidence=accepted,
        by=personas["apprentice"],
        title="A better title",
        kind=accepted.kind,
        activity_date=accepted.activity_date,
        account="Rewritten.",
        duties=list(accepted.duties.all()),
        ksbs=[],
    )
    assert (edited.status, edited.version) == (Evidence.Status.DRAFT, 2)
    assert edited.accepted_version.number == 1
    kept = EvidenceVersion.objects.get(evidence=accepted, number=1)
    assert (kept.title, kept.account) == (original_title, accepted.account)
    assert events("evidence.new_version")[0].after == {"status": "draft", "version": 2}
    # The new version goes through review again and is frozen beside the first.
    services.submit_evidence(
        evidence=edited, by=personas["apprentice"], own_work=True, names_no_one=True
    )
    decisions.review_evidence(evidence=edited, by=personas["tutor"], decision="accept", feedback="")
    assert list(
        EvidenceVersion.objects.filter(evidence=accepted).values_list("number", "title")
    ) == [
        (2, "A better title"),
        (1, original_title),
    ]


def test_removing_a_file_keeps_it_in_the_accepted_version(apprenticeship, personas):
    evidence = make_evidence(apprenticeship)
    (file,) = services.add_files(
        evidence=evidence, by=personas["apprentice"], files=[samples.upload("n.pdf", samples.pdf())]
    )
    services.submit_evidence(
        evidence=evidence, by=personas["apprentice"], own_work=True, names_no_one=True
    )
    accepted = decisions.review_evidence(
        evidence=evidence, by=personas["tutor"], decision="accept", feedback=""
    )
    file.evidence = accepted
    services.remove_file(file=file, by=personas["apprentice"])
    accepted.refresh_from_db()
    assert accepted.version == 2
    assert list(accepted.accepted_version.files.all()) == [file]
    assert not accepted.files.current().exists()
    assert file.file.storage.exists(file.file.name)


def test_submitted_evidence_cannot_be_changed_until_taken_back(submitted, personas):
    with pytest.raises(EvidenceError, match="waiting for your tutor"):
        services.save_draft(
            evidence=submitted,
            by=personas["apprentice"],
            title="x",
            kind=submitted.kind,
            activity_date=None,
            account="",
            duties=[],
            ksbs=[],
        )
    services.take_back_evidence(evidence=submitted, by=personas["apprentice"])
    submitted.refresh_from_db()
    assert submitted.status == Evidence.Status.DRAFT


def test_signing_off_relies_on_accepted_versions_and_is_in_the_history(accepted, duty, personas):
    sign_off = sign_offs.sign_off_duty(
        apprenticeship=accepted.apprenticeship,
        duty=duty,
        by=personas["tutor"],
        evidence_versions=[accepted.accepted_version],
        comment="Shows it well.",
    )
    assert list(sign_off.evidence_versions.all()) == [accepted.accepted_version]
    (event,) = events("duty.signed_off")
    assert event.before == {"signed_off": False}
    assert event.after["evidence_versions"] == [accepted.accepted_version.pk]


def test_signing_off_needs_accepted_evidence_that_covers_the_duty(
    submitted, apprenticeship, personas
):
    duties = list(apprenticeship.standard_version.duties.order_by("number"))
    accepted_for_other_duty = make_evidence(
        apprenticeship, duties=[duties[1]], status=Evidence.Status.ACCEPTED, tutor=personas["tutor"]
    )
    with pytest.raises(EvidenceError, match="Rely only on accepted evidence that covers this duty"):
        sign_offs.sign_off_duty(
            apprenticeship=apprenticeship,
            duty=duties[0],
            by=personas["tutor"],
            evidence_versions=[accepted_for_other_duty.accepted_version],
            comment="x",
        )
    with pytest.raises(EvidenceError, match="Choose the accepted evidence"):
        sign_offs.sign_off_duty(
            apprenticeship=apprenticeship,
            duty=duties[0],
            by=personas["tutor"],
            evidence_versions=[],
            comment="x",
        )
    assert not DutySignOff.objects.exists()


def test_withdrawing_needs_a_reason_and_keeps_the_record(accepted, duty, personas):
    sign_off = sign_offs.sign_off_duty(
        apprenticeship=accepted.apprenticeship,
        duty=duty,
        by=personas["tutor"],
        evidence_versions=[accepted.accepted_version],
        comment="Good.",
    )
    with pytest.raises(EvidenceError, match="Give a reason"):
        sign_offs.withdraw_sign_off(sign_off=sign_off, by=personas["tutor"], reason="  ")
    sign_offs.withdraw_sign_off(
        sign_off=sign_off, by=personas["tutor"], reason="Signed the wrong duty."
    )
    sign_off.refresh_from_db()
    assert sign_off.withdrawn_by == personas["tutor"] and not sign_off.is_active
    assert events("duty.sign_off_withdrawn")[0].after == {
        "signed_off": False,
        "reason": "Signed the wrong duty.",
    }
    # The duty can be signed off again afterwards.
    sign_offs.sign_off_duty(
        apprenticeship=accepted.apprenticeship,
        duty=duty,
        by=personas["tutor"],
        evidence_versions=[accepted.accepted_version],
        comment="Right duty this time.",
    )
    assert DutySignOff.objects.filter(duty=duty).count() == 2


def test_the_database_refuses_two_active_sign_offs_for_one_duty(accepted, duty, personas):
    DutySignOff.objects.create(
        apprenticeship=accepted.apprenticeship, duty=duty, comment="a", signed_by=personas["tutor"]
    )
    with pytest.raises(IntegrityError):
        DutySignOff.objects.create(
            apprenticeship=accepted.apprenticeship,
            duty=duty,
            comment="b",
            signed_by=personas["tutor"],
        )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sign_offs_racing_for_the_same_duty_give_exactly_one(personas):
    apprenticeship = personas["apprenticeship"]
    accepted = make_evidence(
        apprenticeship, status=Evidence.Status.ACCEPTED, tutor=personas["tutor"]
    )
    duty = apprenticeship.standard_version.duties.order_by("number").first()
    second_tutor = factories.UserFactory()
    start = threading.Barrier(2)
    outcomes = []

    def sign(tutor):
        try:
            start.wait()
            sign_offs.sign_off_duty(
                apprenticeship=apprenticeship,
                duty=duty,
                by=tutor,
                evidence_versions=[accepted.accepted_version],
                comment=f"By {tutor.pk}",
            )
            outcomes.append("signed")
        except EvidenceError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(t,)) for t in (personas["tutor"], second_tutor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted(
        [
            "signed",
            f"Duty {duty.number} has already been signed off, perhaps by someone else just now.",
        ]
    )
    assert DutySignOff.objects.active().filter(duty=duty).count() == 1
    assert AuditEvent.objects.filter(action="duty.signed_off").count() == 1


def test_the_history_refuses_edits(accepted):
    event = AuditEvent.objects.filter(action="evidence.accepted").get()
    event.summary = "Rewritten"
    with pytest.raises(Exception, match="append-only"):
        event.save()


def test_private_names_are_unique_per_apprenticeship_ignoring_case(apprenticeship):
    testimonies_services.add_protected_name(apprenticeship=apprenticeship, name="  Dee   Smith ")
    assert ProtectedName.objects.get().name == "Dee Smith"
    with pytest.raises(EvidenceError, match="already on your list"):
        testimonies_services.add_protected_name(apprenticeship=apprenticeship, name="dee smith")
    with pytest.raises(EvidenceError, match="Type a name"):
        testimonies_services.add_protected_name(apprenticeship=apprenticeship, name="   ")


def test_testimonies_cannot_be_dated_in_the_future(apprenticeship, personas):
    with pytest.raises(Exception, match="can't be in the future"):
        testimonies_services.write_testimony(
            apprenticeship=apprenticeship,
            by=personas["employer"],
            author_role="Manager",
            witnessed_on=timezone.localdate() + dt.timedelta(days=2),
            text="Saw it.",
        )
