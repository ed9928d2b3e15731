"""Nothing typed or chosen is lost on the evidence form: a Save that fails (signed out, a
server error, no connection) keeps the tab's copy and says what to do, and signing in
again puts it back; a chosen file is never silently dropped; on a phone the files come
before the duties and the submit buttons."""

import pytest
from playwright.sync_api import expect

from portfolio.evidence.models import Evidence
from portfolio.evidence.services import evidence as services
from tests import samples
from tests.helpers.browser import screenshot, sign_in, sign_out

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory
TEXT = "Everything I wrote on the bus home, every word: ‘quotes’ — and a dash."


@pytest.fixture
def draft(personas):
    return services.start_draft(
        apprenticeship=personas["apprenticeship"], by=personas["apprentice"]
    )


def test_a_failed_save_keeps_the_text_and_signing_in_puts_it_back(page, draft):
    sign_in(page, "apprentice@example.org", PASSWORD)
    url = f"/evidence/{draft.pk}/edit/"
    page.goto(url)
    status = page.locator("#autosave-status")

    # A server error, then no connection: the page stays, the status says what to do.
    page.route("**/autosave/", lambda route: route.fulfill(status=500, body="broken"))
    page.get_by_label("Your account").fill("First go.")
    page.get_by_role("button", name="Save draft").click()
    expect(status).to_contain_text("something went wrong on our side")
    assert page.url.endswith(url)
    page.unroute("**/autosave/")
    page.route("**/autosave/", lambda route: route.abort())
    page.get_by_role("button", name="Save and check before submitting").click()
    expect(status).to_contain_text("no connection")
    assert page.url.endswith(url)
    page.unroute("**/autosave/")

    # Signed out while typing: each button keeps the text, nothing reaches the server.
    sign_out(page)
    page.get_by_label("Your account").fill(TEXT)
    for button in ("Save draft", "Save and check before submitting"):
        page.get_by_role("button", name=button).click()
        expect(status).to_contain_text("You have been signed out")
        assert page.url.endswith(url)
    draft.refresh_from_db()
    assert draft.account != TEXT
    screenshot(page, "evidence-signed-out-save")

    sign_in(page, "apprentice@example.org", PASSWORD)
    page.goto(url)
    expect(page.get_by_label("Your account")).to_have_value(TEXT)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.", exact=True)).to_be_visible()
    draft.refresh_from_db()
    assert draft.account == TEXT


def test_a_chosen_file_is_never_silently_dropped(page, draft, personas, tmp_path):
    sign_in(page, "apprentice@example.org", PASSWORD)
    page.goto(f"/evidence/{draft.pk}/edit/")
    files = page.locator("#upload")
    # On a phone the files come before the duties and the submit buttons.
    duty = personas["apprenticeship"].standard_version.duties.order_by("number").first()
    files_top = files.bounding_box()["y"]
    assert files_top < page.get_by_label(f"D1: {duty.text}").bounding_box()["y"]
    assert files_top < page.get_by_role("button", name="Save draft").bounding_box()["y"]

    page.get_by_label("Title").fill("Notes from supervision")
    notes = tmp_path / "session-notes.pdf"
    notes.write_bytes(samples.pdf("Notes from the session"))
    page.get_by_label("Add files").set_input_files(str(notes))
    page.get_by_role("button", name="Save and check before submitting").click()
    expect(page.locator("#autosave-status")).to_contain_text("not uploaded yet")
    assert page.url.endswith(f"/evidence/{draft.pk}/edit/")
    screenshot(page, "evidence-file-not-uploaded")

    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Added session-notes.pdf.")).to_be_visible()
    page.get_by_role("button", name="Save and check before submitting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and submit")
    expect(page.get_by_role("link", name="session-notes.pdf")).to_be_visible()
    evidence = Evidence.objects.get(pk=draft.pk)
    assert evidence.title == "Notes from supervision"
    assert [f.original_name for f in evidence.files.all()] == ["session-notes.pdf"]
