"""axe-core's rules over the main pages of each role, on a desktop and a 390 px phone:
zero violations. One browser context per size, reused across pages, to stay quick."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from portfolio.evidence.models import Evidence
from portfolio.training.models import OtjEntry
from tests import factories
from tests.browser.conftest import PHONE
from tests.helpers.browser import sign_in
from tests.helpers.evidence import make_evidence

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory
DESKTOP = {"width": 1280, "height": 900}


def pages_by_role(apprenticeship, evidence, duty) -> dict[str, list[str]]:
    a = apprenticeship.pk

    def url(name, *args):
        return reverse(name, args=args)

    shared = [
        url("dashboards:apprenticeship-detail", a),
        url("portfolio:evidence-list", a),
        url("portfolio:coverage", a),
        url("portfolio:otj-log", a),
        url("portfolio:otj-summary", a),
        url("portfolio:review-list", a),
        url("epa:gateway", a),
    ]
    return {
        "apprentice": [url("dashboards:my-apprenticeships"), *shared],
        "tutor": [
            url("dashboards:caseload"),
            *shared,
            url("portfolio:duty-detail", a, duty.pk),
            url("portfolio:evidence-review", evidence.pk),
        ],
        "employer": [url("dashboards:employer-home"), *shared],
    }


@pytest.fixture
def axe():
    return Axe()


def test_the_main_pages_of_each_role_have_no_axe_violations(
    browser, live_server, transactional_db, personas, axe
):
    apprenticeship = personas["apprenticeship"]
    duty = apprenticeship.standard_version.duties.order_by("number").first()
    evidence = make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED)
    factories.OtjEntryFactory.create_batch(2, apprenticeship=apprenticeship)
    assert OtjEntry.objects.filter(apprenticeship=apprenticeship).exists()
    found = []
    for size_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for role, urls in pages_by_role(apprenticeship, evidence, duty).items():
            context = browser.new_context(base_url=live_server.url, viewport=viewport)
            page = context.new_page()
            sign_in(page, f"{role}@example.org", PASSWORD)
            for path in urls:
                page.goto(path)
                results = axe.run(page)
                for violation in results.response["violations"]:
                    targets = [n["target"] for n in violation["nodes"]][:3]
                    found.append(f"{size_name} {role} {path}: {violation['id']} {targets}")
            if size_name == "phone" and role == "tutor":
                found += phone_checks(page, apprenticeship)
            context.close()
    assert not found, "\n".join(found)


def phone_checks(page, apprenticeship) -> list[str]:
    """At 390 px: only the coverage matrix scrolls sideways, in its own focusable box, and
    bulk-verify ticks are at least 24 px."""
    problems = []
    page.goto(reverse("portfolio:coverage", args=[apprenticeship.pk]))
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if widths[0] > widths[1]:
        problems.append(f"the coverage page scrolls sideways: {widths}")
    if page.locator(".coverage-wrap").get_attribute("tabindex") != "0":
        problems.append("the coverage matrix can't be reached by keyboard")
    page.goto(reverse("portfolio:otj-log", args=[apprenticeship.pk]) + "?status=waiting")
    box = page.locator(".otj-tick input").first.bounding_box()
    if box is None or box["width"] < 24 or box["height"] < 24:
        problems.append(f"a bulk-verify tick is smaller than 24 px: {box}")
    return problems
