"""Browser tests: Playwright drives Debian's Chromium against a live server on localhost.

Playwright's own browser download does not work here, so we launch /usr/bin/chromium
(installed by bin/test). Signing in and out and screenshots (saved in test-artifacts/) are
in tests/helpers/browser.py.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls our tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Page, sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _staff_sign_in_with_a_password(settings):
    """These tests drive the pages after signing in through the form; two-factor sign-in
    has its own tests (tests/accounts/test_two_factor.py)."""
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = False


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db) -> Page:
    """A fresh phone-sized browser tab pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
