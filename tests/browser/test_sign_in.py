import pytest
from django.core.management import call_command

from tests.helpers.browser import screenshot, sign_in, sign_out

PASSWORD = "peer-worker-demo"

HOMES = [
    ("admin@example.org", "Provider overview"),
    ("tutor@example.org", "Your caseload"),
    ("employer@example.org", "Your apprentices"),
    ("assessor@example.org", "Apprentices assigned to you"),
    ("epao.admin@example.org", "Apprentices for end-point assessment"),
    ("apprentice@example.org", "Jamie Reid"),
]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", password=PASSWORD, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_each_demo_role_signs_in_and_sees_its_home_page(page, demo):
    # One test for every role: the demo data takes a while to build.
    for email, heading in HOMES:
        sign_in(page, email, PASSWORD)
        assert page.get_by_role("heading", level=1).inner_text() == heading, email
        screenshot(page, f"home-{email.split('@')[0]}")
        sign_out(page)
