"""Recording, versions, signatures and seals."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from apprenticeship.models import Role
from audit import seals
from audit.models import AuditEvent
from portfolio.reviews import selectors as review_selectors
from portfolio.reviews.models import Review, ReviewParty, ReviewSignature, ReviewVersion
from portfolio.reviews.services import reviews, scheduling
from tests import factories
from tests.helpers.reviews import WELLBEING, current, record, sign, sign_all


def test_recording_takes_the_progress_snapshot_and_waits_for_signatures(personas):
    a = personas["apprenticeship"]
    duty = a.standard_version.duties.order_by("number").first()
    factories.EvidenceFactory(apprenticeship=a, status="accepted")
    factories.EvidenceFactory(apprenticeship=a, status="submitted")
    factories.EvidenceFactory(apprenticeship=a, status="draft")
    sign_off = a.sign_offs.create(duty=duty, comment="Covered", signed_by=personas["tutor"])
    review = current(record(personas))
    version = review.current_version
    assert review.status == Review.Status.AWAITING_SIGNATURES
    assert version.number == 1
    progress = version.progress
    assert progress["duties"]["total"] == 3 and progress["duties"]["signed_off"] == 1
    assert progress["duties"]["items"][0]["signed_off_on"] == (
        timezone.localdate(sign_off.signed_at).isoformat()
    )
    by_status = {row["status"]: row["count"] for row in progress["evidence"]["by_status"]}
    assert by_status == {"submitted": 1, "accepted": 1, "referred": 0}
    assert progress["evidence"]["total"] == 2  # the draft stays the apprentice's own
    assert [t.text for t in version.targets.all()] == ["Write up one supervision session"]


def test_progress_snapshot_reads_back_from_the_database_exactly(personas):
    snapshot = reviews.progress_snapshot(personas["apprenticeship"])
    review = current(record(personas))
    assert ReviewVersion.objects.get(pk=review.current_version_id).progress == snapshot


def test_a_planned_review_is_recorded_on_the_same_row(personas):
    planned = scheduling.schedule_review(
        apprenticeship=personas["apprenticeship"],
        by=personas["tutor"],
        scheduled_for=timezone.localdate(),
    )
    review = record(personas, review=planned)
    assert review.pk == planned.pk and review.status == Review.Status.AWAITING_SIGNATURES


def test_only_a_recorded_review_has_a_recorded_version(personas):
    review = current(record(personas))
    assert review.recorded_version().pk == review.current_version_id
    with pytest.raises(ValueError, match="has not been recorded"):
        factories.ReviewFactory.build().recorded_version()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        # Callables, so dates are worked out when the test runs, not when it is collected.
        (lambda: {"held_on": timezone.localdate() + dt.timedelta(days=1)}, "held_on", "future"),
        (lambda: {"held_on": dt.date(2000, 1, 1)}, "held_on", "before the apprenticeship started"),
        (lambda: {"discussion": "   "}, "discussion", "Write what was discussed"),
        (lambda: {"targets": []}, "targets", "at least one target"),
        (
            lambda: {"targets": [("Too early", timezone.localdate() - dt.timedelta(days=5))]},
            "targets",
            "after the date of the review",
        ),
    ],
)
def test_bad_input_is_refused_with_a_plain_message_and_changes_nothing(
    personas, overrides, field, message
):
    with pytest.raises(ValidationError) as error:
        record(personas, **overrides())
    assert message in " ".join(error.value.message_dict[field])
    assert not Review.objects.exists()


def test_the_employer_signatory_must_be_an_employer_contact_here(personas):
    with pytest.raises(ValidationError) as error:
        record(personas, employer_signatory=personas["outsider"])
    assert "employer_signatory" in error.value.message_dict
    with pytest.raises(ValidationError):
        record(personas, employer_signatory=personas["tutor"])


def test_each_party_signs_and_the_review_is_signed_when_all_three_have(personas):
    review = record(personas)
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    sign(review, personas["employer"], ReviewParty.EMPLOYER)
    assert current(review).status == Review.Status.AWAITING_SIGNATURES
    sign(review, personas["tutor"], ReviewParty.TUTOR)
    review = current(review)
    assert review.status == Review.Status.SIGNED and review.signed_at is not None
    assert all(
        check.intact for check in review_selectors.seal_checks(review.current_version).values()
    )
    actions = set(
        AuditEvent.objects.filter(object_id=str(review.pk)).values_list("action", flat=True)
    )
    assert {"review.recorded", "review.signed", "review.signed_by_everyone"} <= actions


@pytest.mark.parametrize(
    ("persona", "party"),
    [
        ("employer", ReviewParty.APPRENTICE),
        ("tutor", ReviewParty.APPRENTICE),
        ("apprentice", ReviewParty.EMPLOYER),
        ("apprentice", ReviewParty.TUTOR),
        ("admin", ReviewParty.TUTOR),
        ("assessor", ReviewParty.EMPLOYER),
    ],
)
def test_nobody_signs_for_another_party(personas, persona, party):
    review = record(personas)
    with pytest.raises(reviews.ReviewError):
        sign(review, personas[persona], party)
    assert not ReviewSignature.objects.exists()


def test_only_the_named_employer_signatory_signs_for_the_employer(personas):
    other = factories.UserFactory()
    factories.OrganisationMembershipFactory(
        user=other, organisation=personas["apprenticeship"].employer
    )
    factories.MembershipFactory(
        apprenticeship=personas["apprenticeship"], user=other, role="employer"
    )
    review = record(personas)
    with pytest.raises(reviews.ReviewError):
        sign(review, other, ReviewParty.EMPLOYER)


def test_signing_twice_is_refused(personas):
    review = record(personas)
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    with pytest.raises(reviews.ReviewError, match="already signed"):
        sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    assert ReviewSignature.objects.count() == 1


def test_signing_what_was_not_shown_is_refused(personas):
    review = current(record(personas))
    shown = reviews.seal_for(review.current_version, ReviewParty.APPRENTICE)
    record(personas, review=review, discussion="Changed while the apprentice was reading.")
    with pytest.raises(reviews.ReviewError, match="changed while you were reading"):
        reviews.sign_review(
            review=review, by=personas["apprentice"], party="apprentice", seen_digest=shown
        )
    assert not ReviewSignature.objects.exists()


def test_the_database_refuses_a_second_signature_for_one_party(personas):
    review = current(record(personas))
    signature = sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewSignature.objects.create(
            version=signature.version,
            party="apprentice",
            signer=personas["apprentice"],
            signer_name="x",
            digest="0" * 64,
        )


def test_editing_before_anyone_signs_changes_the_version_in_place(personas):
    review = record(personas)
    record(
        personas,
        review=review,
        discussion="Better notes.",
        targets=[
            ("First target", timezone.localdate() + dt.timedelta(days=10)),
            ("Second target", timezone.localdate() + dt.timedelta(days=20)),
        ],
    )
    review = current(review)
    assert ReviewVersion.objects.filter(review=review).count() == 1
    assert review.current_version.discussion == "Better notes."
    assert [t.text for t in review.current_version.targets.all()] == [
        "First target",
        "Second target",
    ]
    event = AuditEvent.objects.filter(action="review.edited").get()
    assert event.before["discussion"] == "Settling in; co-running the Tuesday peer group."
    assert event.after["discussion"] == "Better notes."


def test_saving_with_nothing_changed_changes_nothing(personas):
    review = record(personas)
    events = AuditEvent.objects.count()
    record(personas, review=review)
    assert AuditEvent.objects.count() == events


def test_an_edit_after_anyone_signed_makes_a_new_version_and_keeps_the_old_one(personas):
    review = record(personas)
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    sign(review, personas["tutor"], ReviewParty.TUTOR)
    first = current(review).current_version
    record(personas, review=review, employer_view="Now running the group alone.")
    review = current(review)
    second = review.current_version
    assert second.number == 2 and second.pk != first.pk
    assert review.status == Review.Status.AWAITING_SIGNATURES
    assert not second.signatures.exists()
    assert second.progress == first.progress
    first.refresh_from_db()
    assert first.employer_view == "Reliable and kind with people in crisis."
    assert first.signatures.count() == 2
    old = review_selectors.version_with_details(review, 1)
    assert all(check.intact for check in review_selectors.seal_checks(old).values())
    assert AuditEvent.objects.filter(action="review.new_version").exists()


def test_an_edit_to_a_review_everyone_signed_needs_everyone_again(personas):
    review = sign_all(personas, record(personas))
    assert review.status == Review.Status.SIGNED
    record(
        personas,
        review=review,
        targets=[("New target", timezone.localdate() + dt.timedelta(days=9))],
    )
    review = current(review)
    assert review.status == Review.Status.AWAITING_SIGNATURES and review.signed_at is None
    assert review.current_version.number == 2


SEALED_EDITS = {
    "held_on": "UPDATE portfolio_reviewversion SET held_on = held_on - 1 WHERE id = %s",
    "format": "UPDATE portfolio_reviewversion SET format = 'phone' WHERE id = %s",
    "employer_signatory": (
        "UPDATE portfolio_reviewversion SET employer_signatory_id = created_by_id WHERE id = %s"
    ),
    "discussion": "UPDATE portfolio_reviewversion SET discussion = discussion || '.' WHERE id = %s",
    "employer_view": "UPDATE portfolio_reviewversion SET employer_view = '' WHERE id = %s",
    # Tampering with the JSON in place, in each engine's own words.
    "progress": (
        "UPDATE portfolio_reviewversion SET progress = jsonb_set(progress, '{evidence,total}', "
        "'99') WHERE id = %s"
        if connection.vendor == "postgresql"
        else "UPDATE portfolio_reviewversion SET progress = "
        "json_set(progress, '$.evidence.total', 99) WHERE id = %s"
    ),
    "target text": "UPDATE portfolio_reviewtarget SET text = 'Other' WHERE version_id = %s",
    "target date": ("UPDATE portfolio_reviewtarget SET due_on = due_on + 1 WHERE version_id = %s"),
    "target added": (
        "INSERT INTO portfolio_reviewtarget (version_id, position, text, due_on) "
        "SELECT version_id, 9, 'Added', due_on FROM portfolio_reviewtarget WHERE version_id = %s"
    ),
}


@pytest.mark.parametrize("field", SEALED_EDITS)
def test_a_change_to_any_signed_field_is_detected(personas, field):
    review = sign_all(personas, record(personas))
    version_id = review.current_version_id
    with connection.cursor() as cursor:
        cursor.execute(SEALED_EDITS[field], [version_id])
    checks = review_selectors.seal_checks(current(review).current_version)
    assert {party: check.intact for party, check in checks.items()} == dict.fromkeys(
        ReviewParty.values, False
    )


def test_a_change_to_the_wellbeing_check_in_breaks_the_apprentice_and_tutor_seals_only(personas):
    review = sign_all(personas, record(personas))
    ReviewVersion.objects.filter(pk=review.current_version_id).update(wellbeing="Changed.")
    checks = review_selectors.seal_checks(current(review).current_version)
    assert not checks["apprentice"].intact and not checks["tutor"].intact
    # The employer never saw the check-in, so their seal leaves it out.
    assert checks["employer"].intact


def test_the_employers_sealed_content_leaves_out_the_wellbeing_check_in(personas):
    version = current(record(personas)).current_version
    assert (
        review_selectors.review_content(version, include_wellbeing=True)["wellbeing"] == WELLBEING
    )
    assert "wellbeing" not in review_selectors.review_content(version, include_wellbeing=False)
    for roles in ({"employer"}, {"assessor"}, {"admin"}):
        assert "wellbeing" not in review_selectors.content_for_viewer(version, frozenset(roles))
    assert review_selectors.content_for_viewer(version, frozenset({"apprentice"}))["wellbeing"]


def test_the_wellbeing_check_in_never_reaches_the_history(personas):
    review = record(personas)
    record(personas, review=review, wellbeing="A different private note.", discussion="New.")
    sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    record(personas, review=review, wellbeing="A third private note.")
    for event in AuditEvent.objects.all():
        text = f"{event.summary} {event.before} {event.after}"
        assert "private note" not in text and WELLBEING not in text
        assert "wellbeing" not in text


def test_a_cancelled_review_takes_no_record(personas):
    planned = scheduling.schedule_review(
        apprenticeship=personas["apprenticeship"],
        by=personas["tutor"],
        scheduled_for=timezone.localdate(),
    )
    scheduling.cancel_review(review=planned, by=personas["tutor"], reason="On leave")
    with pytest.raises(reviews.ReviewError):
        record(personas, review=planned)
    planned.refresh_from_db()
    assert planned.status == Review.Status.CANCELLED and planned.cancellation_reason == "On leave"


def test_a_seal_the_employer_can_see_tells_them_nothing_about_the_wellbeing_check_in(personas):
    review = current(record(personas, wellbeing=""))
    version = review.current_version
    signature = sign(review, personas["apprentice"], ReviewParty.APPRENTICE)
    # The employer knows everything else in the record; guessing "no check-in" must fail.
    guess = {**review_selectors.review_content(version, include_wellbeing=False), "wellbeing": ""}
    assert seals.digest(guess) != signature.digest
    assert review_selectors.check_seal(signature).intact
    assert len(version.private_salt) == 64
    assert "private_salt" not in review_selectors.content_for_viewer(version, frozenset({"tutor"}))


def test_each_party_signs_as_someone_different_checked_at_signing(personas):
    """Separation of duties, checked when signing: roles can change after they were given."""
    review = record(personas)
    tutor = personas["tutor"]
    # Changed underneath: the tutor has been made the employer signatory and contact too.
    factories.OrganisationMembershipFactory(
        user=tutor, organisation=personas["apprenticeship"].employer
    )
    factories.MembershipFactory(
        apprenticeship=personas["apprenticeship"], user=tutor, role=Role.EMPLOYER
    )
    version = current(review).current_version
    ReviewVersion.objects.filter(pk=version.pk).update(employer_signatory=tutor)
    with pytest.raises(reviews.ReviewError, match="each party to an apprenticeship"):
        sign(current(review), tutor, ReviewParty.TUTOR)
    assert not ReviewSignature.objects.exists()
