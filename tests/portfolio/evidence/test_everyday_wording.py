"""Small dead ends on the evidence pages: which try a resubmission is and what changed
since the tutor looked, the feedback above the edit form, the kinds an apprentice may
choose, and a sign-off with nothing to rely on saying what is missing."""

import pytest
from django.urls import reverse

from portfolio.evidence.models import APPRENTICE_KINDS, Evidence, EvidenceKind
from portfolio.evidence.services import decisions
from portfolio.evidence.services import evidence as services
from portfolio.evidence.services.evidence import EvidenceError
from tests.helpers.evidence import make_evidence


def get(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def resave(evidence, by, **changes):
    values = {
        "title": evidence.title,
        "kind": evidence.kind,
        "activity_date": evidence.activity_date,
        "account": evidence.account,
        "duties": list(evidence.duties.all()),
        "ksbs": list(evidence.ksbs.all()),
    }
    values.update(changes)
    return services.save_draft(evidence=evidence, by=by, **values)


def test_a_resubmission_shows_its_try_and_what_changed_since_the_referral(
    client, apprenticeship, personas
):
    evidence = make_evidence(
        apprenticeship,
        status=Evidence.Status.REFERRED,
        tutor=personas["tutor"],
        title="Group session",
        account="I ran the group.\nIt went well.",
    )
    evidence = resave(
        evidence,
        personas["apprentice"],
        account="I ran the group.\nI learned to pause before answering.",
        duties=list(apprenticeship.standard_version.duties.order_by("number")[:2]),
    )
    services.submit_evidence(
        evidence=evidence, by=personas["apprentice"], own_work=True, names_no_one=True
    )
    html = get(client, personas["tutor"], "portfolio:evidence-review", evidence.pk)
    assert "Version 1, try 2 (sent again after you referred it back)" in html
    assert "What changed since" in html and "referred it back on" in html
    assert "Duties: 1 added." in html
    assert '<ins class="d-block">I learned to pause before answering.</ins>' in html
    assert '<del class="d-block">It went well.</del>' in html
    assert "The title changed." not in html
    detail = get(client, personas["apprentice"], "portfolio:evidence-detail", evidence.pk)
    assert "Version 1, try 2" in detail


def test_a_first_submission_says_nothing_about_changes(client, apprenticeship, personas):
    evidence = make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED)
    html = get(client, personas["tutor"], "portfolio:evidence-review", evidence.pk)
    assert "try 2" not in html and "What changed since" not in html


def test_the_edit_page_shows_the_latest_feedback_above_the_form(client, apprenticeship, personas):
    evidence = make_evidence(
        apprenticeship, status=Evidence.Status.REFERRED, tutor=personas["tutor"]
    )
    html = get(client, personas["apprentice"], "portfolio:evidence-edit", evidence.pk)
    feedback = html.index("Add more about what you learned.")
    assert feedback < html.index('id="evidence-form"')
    assert f"{personas['tutor'].full_name}'s feedback" in html


def test_the_apprentice_chooses_only_kinds_they_write(client, apprenticeship, personas):
    evidence = make_evidence(apprenticeship)
    html = get(client, personas["apprentice"], "portfolio:evidence-edit", evidence.pk)
    assert "Observation by tutor" not in html and "Witness testimony</option>" not in html
    assert "Reflective account" in html
    assert EvidenceKind.TUTOR_OBSERVATION not in APPRENTICE_KINDS
    with pytest.raises(EvidenceError, match="written by the witness"):
        resave(evidence, personas["apprentice"], kind=EvidenceKind.WITNESS_TESTIMONY)
    evidence.refresh_from_db()
    assert evidence.kind != EvidenceKind.WITNESS_TESTIMONY


def test_an_older_item_keeps_its_kind_when_saved(client, apprenticeship, personas):
    evidence = make_evidence(apprenticeship, kind=EvidenceKind.TUTOR_OBSERVATION)
    html = get(client, personas["apprentice"], "portfolio:evidence-edit", evidence.pk)
    assert "Observation by tutor" in html
    resave(evidence, personas["apprentice"], title="Still an observation")
    evidence.refresh_from_db()
    assert evidence.kind == EvidenceKind.TUTOR_OBSERVATION


def test_a_duty_without_accepted_evidence_says_what_is_missing(client, apprenticeship, personas):
    duty = apprenticeship.standard_version.duties.order_by("number").first()
    waiting = make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED, title="Handover")
    html = get(client, personas["tutor"], "portfolio:duty-detail", apprenticeship.pk, duty.pk)
    assert "Sign off this duty</a>" not in html
    assert "once you have accepted evidence that shows it" in html
    assert reverse("portfolio:evidence-review", args=[waiting.pk]) in html
    sign_off = get(client, personas["tutor"], "portfolio:duty-sign-off", apprenticeship.pk, duty.pk)
    assert "Waiting for your review" in sign_off
    decisions.review_evidence(
        evidence=waiting, by=personas["tutor"], decision=decisions.Decision.ACCEPT, feedback=""
    )
    html = get(client, personas["tutor"], "portfolio:duty-detail", apprenticeship.pk, duty.pk)
    assert "Sign off this duty</a>" in html


def test_a_duty_with_no_evidence_at_all_says_so(client, apprenticeship, personas):
    duty = apprenticeship.standard_version.duties.order_by("number").first()
    html = get(client, personas["tutor"], "portfolio:duty-detail", apprenticeship.pk, duty.pk)
    assert "has not submitted any evidence for this duty yet" in html
