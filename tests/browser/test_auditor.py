"""An auditor takes up their access through the emailed link, reads a portfolio under the
banner, and their access ends while they are signed in: the next page says so. The
provider's admin then sees every page they opened."""

from axe_playwright_python.sync_playwright import Axe

from portfolio.evidence.models import Evidence
from tests.helpers.auditor import end_grant, give_access, make_auditor
from tests.helpers.browser import screenshot, sign_in, sign_out
from tests.helpers.evidence import make_evidence

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory


def _axe_violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{page.url}: {v['id']} {[n['target'] for n in v['nodes']][:3]}" for v in found]


def test_an_auditors_access_ends_mid_session(page, personas):
    violations = []
    apprenticeship = personas["apprenticeship"]
    make_evidence(
        apprenticeship,
        status=Evidence.Status.SUBMITTED,
        tutor=personas["tutor"],
        title="Co-running the Tuesday peer group",
    )
    auditor = make_auditor("inspector@example.org")
    auditor.set_unusable_password()
    auditor.save()
    grant = give_access(
        auditor=auditor, by=personas["admin"], apprenticeships=[apprenticeship], accept=False
    )

    page.goto(f"/auditor/invitation/{grant.pk}/{grant.token}/")
    violations += _axe_violations(page)
    page.locator("#id_new_password1").fill("a long private phrase 42")
    page.locator("#id_new_password2").fill("a long private phrase 42")
    page.get_by_role("button", name="Take up the access").click()
    banner = page.get_by_role("note", name="Auditor access")
    assert "Read-only auditor access" in banner.inner_text()
    page.get_by_role("link", name=apprenticeship.apprentice.full_name).click()
    page.get_by_role("link", name="Portfolio", exact=True).click()
    assert page.get_by_text("Co-running the Tuesday peer group").is_visible()
    screenshot(page, "auditor-portfolio")
    violations += _axe_violations(page)

    end_grant(grant)  # its last day goes by while the auditor is signed in
    page.get_by_role("link", name="Off-the-job log").click()
    assert page.get_by_role("heading", name="Your access has ended").is_visible()
    screenshot(page, "auditor-access-ended")
    violations += _axe_violations(page)

    sign_out(page)
    sign_in(page, "admin@example.org", PASSWORD)
    page.goto(f"/auditor/grants/{grant.pk}/")
    assert page.get_by_text("opened the portfolio of evidence (page 1)").is_visible()
    assert page.get_by_text("3 pages and files opened").is_visible()
    violations += _axe_violations(page)
    assert not violations, "\n".join(violations)
