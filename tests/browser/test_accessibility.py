"""axe-core's rules over every page a signed-in person can open, on a desktop and a 390 px
phone: zero violations. The main pages of each role with rich rows (the first two tests),
then every other page of the access matrix (the third). One browser session per person,
each page visited at both sizes, to stay quick."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from epa.models import AssessmentSession
from portfolio.evidence.models import Evidence
from portfolio.evidence.services import testimony_requests
from portfolio.training.models import OtjEntry
from tests import factories
from tests.browser.conftest import PHONE
from tests.helpers.browser import sign_in
from tests.helpers.evidence import make_evidence
from tests.helpers.personas import add_more_personas

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory
DESKTOP = {"width": 1280, "height": 900}


def pages_by_role(apprenticeship, evidence, duty, asked=None) -> dict[str, list[str]]:
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
    asked_pages = []
    if asked is not None:
        # A testimony asked of the employer contact, and one asked through an emailed link.
        of_employer, by_link = asked
        asked_pages = [
            url("portfolio:testimony-request-write", of_employer.pk),
            url("portfolio:testimony-by-link", by_link.pk, by_link.token),
        ]
    return {
        "apprentice": [
            url("dashboards:my-apprenticeships"),
            *shared,
            url("portfolio:testimony-list", a),
            url("portfolio:testimony-request-create", a),
        ],
        "tutor": [
            url("dashboards:caseload"),
            *shared,
            url("portfolio:duty-detail", a, duty.pk),
            url("portfolio:evidence-review", evidence.pk),
        ],
        "employer": [url("dashboards:employer-home"), *shared, *asked_pages],
    }


@pytest.fixture
def axe():
    return Axe()


def check_pages(browser, live_server, axe, role_pages, extra=None) -> list[str]:
    """Sign in once per role and run axe on each page at both sizes; a page that does not
    open (not 200) is a finding too. `extra(page, role)` adds checks of its own."""
    found = []
    for role, urls in role_pages.items():
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
        page = context.new_page()
        sign_in(page, role, PASSWORD)
        for size_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            for path in urls:
                response = page.goto(path)
                if response is None or response.status != 200:
                    found.append(
                        f"{size_name} {role} {path}: status {response and response.status}"
                    )
                    continue
                for violation in axe.run(page).response["violations"]:
                    targets = [n["target"] for n in violation["nodes"]][:3]
                    found.append(f"{size_name} {role} {path}: {violation['id']} {targets}")
        if extra is not None:
            page.set_viewport_size(PHONE)
            found += extra(page, role)
        context.close()
    return found


def test_the_main_pages_of_each_role_have_no_axe_violations(
    browser, live_server, transactional_db, personas, axe
):
    apprenticeship = personas["apprenticeship"]
    duty = apprenticeship.standard_version.duties.order_by("number").first()
    evidence = make_evidence(apprenticeship, status=Evidence.Status.SUBMITTED)
    factories.OtjEntryFactory.create_batch(2, apprenticeship=apprenticeship)
    assert OtjEntry.objects.filter(apprenticeship=apprenticeship).exists()
    asked = [
        testimony_requests.request_testimony(
            apprenticeship=apprenticeship, by=personas["apprentice"], activity=activity, **witness
        )
        for activity, witness in (
            ("Running the peer group", {"witness": personas["employer"]}),
            ("The hostel visit", {"witness_name": "Sam", "witness_email": "sam@example.net"}),
        )
    ]
    pages = {
        f"{role}@example.org": urls
        for role, urls in pages_by_role(apprenticeship, evidence, duty, asked).items()
    }

    def tutor_on_a_phone(page, email):
        return phone_checks(page, apprenticeship) if email == "tutor@example.org" else []

    found = check_pages(browser, live_server, axe, pages, tutor_on_a_phone)
    assert not found, "\n".join(found)


def test_the_assessment_and_admin_pages_have_no_axe_violations(
    browser, live_server, transactional_db, personas, axe
):
    """The assessor, the assessment organisation's admin and moderator, and the provider
    admin, on an apprenticeship past gateway with a result held for moderation."""
    from tests.access_matrix.quality import _held_case

    people = add_more_personas(personas)
    (case_id,) = _held_case(people)
    a = people["apprenticeship"]
    epao = a.epao_id

    def url(name, *args):
        return reverse(name, args=args)

    case = url("quality:moderation-case", case_id)
    session = AssessmentSession.objects.filter(method_assessment__round__apprenticeship=a).first()
    observation = session.method_assessment
    pages = {
        "assessor@example.org": [
            url("dashboards:assessor-home"),
            url("epa:assessment", a.pk),
            url("quality:booking-list", a.pk),
            url("epa:session-detail", session.pk),
            url("epa:ksb-notes", observation.pk),
            case,
        ],
        "epao.admin@example.org": [
            url("epa:epao-home"),
            url("quality:moderation-list"),
            url("quality:moderation-settings", epao),
            url("epa:resit-policies", epao),
            url("epa:assessment", a.pk),
            url("quality:booking-list", a.pk),
            case,
        ],
        "moderator@example.org": [url("quality:moderation-list"), case],
        "admin@example.org": [
            url("dashboards:overview"),
            url("dashboards:apprenticeship-detail", a.pk),
            url("apprenticeship:apprenticeship-edit", a.pk),
            url("apprenticeship:apprenticeship-history", a.pk),
            url("apprenticeship:apprenticeship-create"),
            url("apprenticeship:organisation-list"),
            url("apprenticeship:person-invite"),
            url("apprenticeship:interim-minimums"),
            url("dataio:enrolment-import"),
            url("notifications:profile"),
        ],
    }
    found = check_pages(browser, live_server, axe, pages)
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


# Pages that are not HTML (files, CSV and PDF downloads, JSON, health checks).
NOT_PAGES = {
    "healthz",
    "favicon",
    "notifications:unread-count",
    "portfolio:file-download",
    "portfolio:otj-log-csv",
    "portfolio:otj-summary-csv",
    "epa:snapshot-file",
    "reports:report-download",
    "dataio:caseload-export",
    "dataio:provider-export",
    "dataio:funding-return-export",
    "dataio:export-download",
    "dataio:enrolment-import-template",
    "dataio:subject-access-download",
    "quality:iqa-report-csv",
    "quality:iqa-report-pdf",
    "quality:iqa-item-file",
    "quality:auditor-file",
    # Progress polled by the report and import pages (JSON).
    "reports:report-status",
    "dataio:enrolment-import-status",
}
# Pages the two tests above check already, with richer rows.
CHECKED_ABOVE = {
    "dashboards:my-apprenticeships",
    "dashboards:caseload",
    "dashboards:employer-home",
    "dashboards:assessor-home",
    "dashboards:overview",
    "dashboards:apprenticeship-detail",
    "portfolio:evidence-list",
    "portfolio:coverage",
    "portfolio:otj-log",
    "portfolio:otj-summary",
    "portfolio:review-list",
    "portfolio:testimony-list",
    "portfolio:testimony-request-create",
    "portfolio:testimony-request-write",
    "portfolio:testimony-by-link",
    "portfolio:duty-detail",
    "portfolio:evidence-review",
    "epa:gateway",
    "epa:assessment",
    "epa:session-detail",
    "epa:ksb-notes",
    "epa:epao-home",
    "epa:resit-policies",
    "quality:booking-list",
    "quality:moderation-list",
    "quality:moderation-settings",
    "quality:moderation-case",
    "apprenticeship:apprenticeship-edit",
    "apprenticeship:apprenticeship-history",
    "apprenticeship:apprenticeship-create",
    "apprenticeship:organisation-list",
    "apprenticeship:person-invite",
    "apprenticeship:interim-minimums",
    "dataio:enrolment-import",
    "notifications:profile",
}
# Who opens a page that several people may open: the first of these it lets in.
OPENERS = (
    "apprentice",
    "tutor",
    "employer",
    "admin",
    "assessor",
    "epao_admin",
    "moderator",
    "operator",
    "auditor",
    "outsider",
)


def every_page_entry():
    """From the access matrix, each page (a GET answered 200 for someone) not checked by
    the tests above, once, with the person who opens it."""
    from tests.access_matrix import ENTRIES

    seen, chosen = set(), []
    for entry in ENTRIES:
        key = entry.url_name
        openers = [p for p in OPENERS if entry.expected.get(p) == 200]
        if entry.method != "get" or not openers or key in NOT_PAGES | CHECKED_ABOVE | seen:
            continue
        seen.add(key)
        chosen.append((entry, openers[0]))
    # Pages that need the apprenticeship before gateway first.
    return sorted(chosen, key=lambda pair: pair[0].state is not None)


def test_every_page_anyone_can_open_has_no_axe_violations(
    browser, live_server, transactional_db, axe
):
    """Every page of the access matrix, each opened by one person it lets in, at both
    sizes: the rows each page needs are built just before it opens, as the matrix builds
    them. One browser session per person. Where a page's rows clash with those built for
    an earlier page (a duty already signed off, a session already recorded), they are
    built on another apprenticeship of the same people."""
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    from tests.access_matrix import STATES
    from tests.access_matrix.base import matrix_personas

    ctx, sessions, found, state = matrix_personas(), {}, [], None

    def build(entry, ctx):
        with transaction.atomic():
            return entry.args(ctx)

    for entry, persona in every_page_entry():
        if entry.state != state:
            STATES[entry.state](ctx)
            state = entry.state
        try:
            args = build(entry, ctx)
        except Exception:  # noqa: BLE001 - built again on another apprenticeship
            try:
                args = build(entry, another_apprenticeship(ctx, state))
            except Exception as error:  # noqa: BLE001 - reported
                found.append(f"{entry.id}: could not build its rows: {error!r}")
                continue
        if persona not in sessions:
            client = Client()
            client.force_login(ctx[persona])
            context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
            sessions[persona] = context.new_page()
        path = reverse(entry.url_name, args=args) + entry.query
        found += axe_findings(axe, sessions[persona], persona, path)
    for page in sessions.values():
        page.context.close()
    assert not found, "\n".join(found)


def another_apprenticeship(ctx: dict, state: str | None) -> dict:
    """The personas with a second apprenticeship of the same apprentice, tutor, employer
    contact and assessor in place of the first, in the same state."""
    from apprenticeship.models import Role
    from tests.access_matrix import STATES

    first = ctx["apprenticeship"]
    second = factories.ApprenticeshipFactory(
        apprentice=first.apprentice,
        standard_version=first.standard_version,
        provider=first.provider,
        employer=first.employer,
        epao=first.epao,
    )
    for role, person in (
        (Role.TUTOR, "tutor"),
        (Role.EMPLOYER, "employer"),
        (Role.ASSESSOR, "assessor"),
    ):
        factories.MembershipFactory(apprenticeship=second, user=ctx[person], role=role)
    # The IQA builders' cached plan and items belong to the first; the lead is a person.
    fresh = {
        name: value
        for name, value in ctx.items()
        if not name.startswith("iqa_") or name == "iqa_lead"
    }
    fresh["apprenticeship"] = second
    if state:
        # Past gateway, its assessor already declared independent (as _ready expects).
        from epa.services import assessment
        from tests.helpers.epa import pass_gateway

        STATES[state](fresh)
        pass_gateway(second)
        assessment.declare_no_conflict(apprenticeship=second, assessor=ctx["assessor"])
    return fresh


def axe_findings(axe, page, persona, path) -> list[str]:
    """Open the page at desktop size and run axe on it there and at 390 px."""
    page.set_viewport_size(DESKTOP)
    response = page.goto(path)
    if response is None or response.status != 200:
        return [f"{persona} {path}: status {response and response.status}"]
    found = []
    for size_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for violation in axe.run(page).response["violations"]:
            targets = [n["target"] for n in violation["nodes"]][:3]
            found.append(f"{size_name} {persona} {path}: {violation['id']} {targets}")
    return found


def test_every_page_a_signed_out_person_can_open_has_no_axe_violations(
    browser, live_server, transactional_db, axe
):
    """Sign-in, password reset, and the emailed links (an invitation, a review to sign, a
    testimony to write, an auditor's access), opened signed out, at both sizes."""
    from tests.access_matrix import ENTRIES, PUBLIC
    from tests.access_matrix.base import matrix_personas

    ctx, found, seen = matrix_personas(), [], set()
    page = browser.new_context(base_url=live_server.url, viewport=DESKTOP).new_page()
    for entry in ENTRIES:
        name = entry.url_name
        if PUBLIC.get(name) != 200 or name in NOT_PAGES or name in seen or entry.method != "get":
            continue
        seen.add(name)
        path = reverse(name, args=entry.args(ctx)) + entry.query
        found += axe_findings(axe, page, "signed out", path)
    page.context.close()
    assert {"accounts:login", "portfolio:testimony-by-link", "quality:auditor-invitation"} <= seen
    assert not found, "\n".join(found)
