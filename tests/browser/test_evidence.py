"""Evidence in a real browser: the apprentice writes, maps, uploads and submits (the draft
saves itself as they type); the tutor refers back, accepts and signs off. That the
employer never sees a hidden reflection is a page test, in tests/portfolio."""

import re

import pytest
from playwright.sync_api import expect

from portfolio.evidence.models import DutySignOff, Evidence
from portfolio.evidence.services import evidence as services
from tests import samples
from tests.helpers.browser import screenshot, sign_in, sign_out
from tests.helpers.evidence import make_evidence

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory


@pytest.fixture
def people(personas):
    return personas


def test_apprentice_creates_maps_and_submits_evidence_with_a_file(page, people, tmp_path):
    apprenticeship = people["apprenticeship"]
    sign_in(page, "apprentice@example.org", PASSWORD)
    page.get_by_role("button", name="Add evidence").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New evidence")

    page.get_by_label("Title").fill("Supporting someone to their first group")
    page.get_by_label("What kind of evidence is it?").select_option(label="Product or work record")
    page.get_by_label("Date of the activity").fill("2026-11-20")
    page.get_by_label("Your account").fill(
        "I met them at the door and stayed with them for the first half hour. "
        "Call me on 07700 900123 if you need to."
    )
    duty = apprenticeship.standard_version.duties.order_by("number").first()
    page.get_by_label(f"D1: {duty.text}").check()
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at", timeout=10_000)
    evidence = Evidence.objects.get(apprenticeship=apprenticeship)
    assert evidence.title == "Supporting someone to their first group"

    notes = tmp_path / "session-notes.pdf"
    notes.write_bytes(samples.pdf("Notes from the session"))
    page.get_by_label("Add files").set_input_files(str(notes))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Added session-notes.pdf.")).to_be_visible()

    page.get_by_role("button", name="Save and check before submitting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and submit")
    expect(page.get_by_text("We found 1 thing that could identify someone")).to_be_visible()
    expect(page.locator("mark")).to_have_text("07700 900123")
    screenshot(page, "evidence-check")
    page.get_by_label("This is my own work, in my own words.").check()
    page.get_by_label("It does not name or identify anyone I support").check()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted. Your tutor will review it.")).to_be_visible()
    expect(page.get_by_text("Waiting for review").first).to_be_visible()
    screenshot(page, "evidence-submitted")
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.SUBMITTED
    assert [f.original_name for f in evidence.files.all()] == ["session-notes.pdf"]
    assert list(evidence.duties.all()) == [duty]


def test_what_the_apprentice_typed_survives_being_signed_out(page, people):
    apprenticeship = people["apprenticeship"]
    draft = services.start_draft(apprenticeship=apprenticeship, by=people["apprentice"])
    sign_in(page, "apprentice@example.org", PASSWORD)
    page.goto(f"/evidence/{draft.pk}/edit/")
    sign_out(page)  # the session has timed out while they type
    page.get_by_label("Your account").fill("Everything I wrote on the bus home.")
    expect(page.locator("#autosave-status")).to_contain_text("signed out", timeout=10_000)
    draft.refresh_from_db()
    assert draft.account == ""

    sign_in(page, "apprentice@example.org", PASSWORD)
    page.goto(f"/evidence/{draft.pk}/edit/")
    expect(page.get_by_label("Your account")).to_have_value("Everything I wrote on the bus home.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at", timeout=10_000)
    draft.refresh_from_db()
    assert draft.account == "Everything I wrote on the bus home."


def test_tutor_refers_back_then_accepts_and_signs_off_a_duty(page, people):
    apprenticeship = people["apprenticeship"]
    evidence = make_evidence(
        apprenticeship, status=Evidence.Status.SUBMITTED, title="Peer group on Tuesday"
    )
    sign_in(page, "tutor@example.org", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    page.get_by_role("link", name="1 waiting").click()
    page.get_by_role("link", name="Peer group on Tuesday").click()
    page.get_by_role("link", name="Review").click()
    page.get_by_label("Refer it back with feedback").check()
    page.get_by_role("textbox", name="Feedback").fill(
        "Say what you would do differently next time."
    )
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Referred back with your feedback.")).to_be_visible()
    expect(page.get_by_text("Say what you would do differently next time.")).to_be_visible()

    # The apprentice changes it and submits it again.
    evidence.refresh_from_db()
    evidence.apprenticeship = apprenticeship
    services.save_draft(
        evidence=evidence,
        by=people["apprentice"],
        title=evidence.title,
        kind=evidence.kind,
        activity_date=evidence.activity_date,
        account=evidence.account + " Next time I would check in sooner.",
        duties=list(evidence.duties.all()),
        ksbs=[],
    )
    services.submit_evidence(
        evidence=evidence, by=people["apprentice"], own_work=True, names_no_one=True
    )

    page.reload()
    page.get_by_role("link", name="Review").click()
    page.get_by_label("Accept it").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Accepted.", exact=True)).to_be_visible()

    page.goto(f"/apprenticeships/{apprenticeship.pk}/coverage/")
    page.get_by_role("link", name="D1", exact=True).first.click()
    page.get_by_role("link", name="Sign off this duty").click()
    page.get_by_label(re.compile("Peer group on Tuesday \\(version 1")).check()
    page.get_by_role("textbox", name="Comment").fill("Shows a safe and respectful relationship.")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Duty 1 is signed off.")).to_be_visible()
    screenshot(page, "duty-signed-off")
    assert DutySignOff.objects.active().filter(apprenticeship=apprenticeship).count() == 1
