"""An apprentice logs time against a duty, the employer verifies it, and the summary and
its chart move."""

import datetime as dt

from django.utils import timezone

from standards.models import Provenance
from tests.helpers.browser import screenshot, sign_in, sign_out

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory


def total_row(page):
    return page.locator('g.otj-chart-row[data-label="Total"]')


def test_apprentice_logs_time_and_the_employer_verifies_it(page, personas):
    apprenticeship = personas["apprenticeship"]
    version = apprenticeship.standard_version
    version.otj_minimum_hours = 300
    version.facts = {"otj_minimum_hours": {"provenance": Provenance.PROVIDER}}
    version.save()
    summary_url = f"/apprenticeships/{apprenticeship.pk}/off-the-job/"

    sign_in(page, "apprentice@example.org", PASSWORD)
    page.goto(summary_url)
    assert total_row(page).get_attribute("data-logged") == "0"
    page.get_by_role("link", name="Log training").first.click()
    day = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("Date of the training").fill(day.isoformat())
    page.get_by_label("Hours", exact=True).fill("2")
    page.get_by_label("Minutes", exact=True).fill("15")
    page.get_by_label("Kind of training").select_option(label="Shadowing")
    page.get_by_label("The duty it is for").select_option(index=1)
    page.get_by_label("What you did and what you learned").fill(
        "Shadowed a senior peer worker at the drop-in and talked through how they keep boundaries."
    )
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_text("Training logged. It now waits for verification.").is_visible()
    page.goto(summary_url)
    assert total_row(page).get_attribute("data-logged") == "135"
    assert total_row(page).get_attribute("data-verified") == "0"
    assert total_row(page).locator("rect.otj-bar-verified").get_attribute("width") == "0"
    screenshot(page, "otj-summary-logged")

    sign_out(page)
    sign_in(page, "employer@example.org", PASSWORD)
    page.goto(f"/apprenticeships/{apprenticeship.pk}/off-the-job/log/?status=waiting")
    page.get_by_role("link", name="2 h 15 min").click()
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_text("Verified.", exact=True).is_visible()
    screenshot(page, "otj-entry-verified")

    page.goto(summary_url)
    assert total_row(page).get_attribute("data-verified") == "135"
    assert int(total_row(page).locator("rect.otj-bar-verified").get_attribute("width")) > 0
    assert page.get_by_text("2 hours 15 minutes").first.is_visible()
    screenshot(page, "otj-summary-verified")
