"""The unique learner number's published check-digit rule (apprenticeship/uln.py)."""

import pytest
from django.urls import reverse

from apprenticeship.models import Apprenticeship
from apprenticeship.uln import uln_problem
from tests.apprenticeship.test_views import enrol_form


@pytest.mark.parametrize("uln", ["9276308686", "1234567899"])
def test_numbers_that_pass_the_check_digit_rule_are_accepted(uln):
    assert uln_problem(uln) is None


@pytest.mark.parametrize(
    ("uln", "problem"),
    [
        ("9276308687", "last digit does not match"),
        ("1234567890", "last digit does not match"),
        ("0276308686", "never starts with 0"),
        ("927630868", "10 digits"),
        ("92763086a6", "10 digits"),
    ],
)
def test_numbers_that_fail_it_are_refused_with_the_reason(uln, problem):
    assert problem in uln_problem(uln)


def test_first_nine_digits_leaving_remainder_zero_fit_no_check_digit():
    # 2x10 + 1x2 = 22, remainder 0: the check digit would have to be 10.
    assert all(uln_problem("200000001" + last) for last in "0123456789")


def test_the_enrol_form_refuses_a_wrong_check_digit_and_changes_nothing(client, personas):
    client.force_login(personas["admin"])
    before = Apprenticeship.objects.count()
    response = client.post(
        reverse("apprenticeship:apprenticeship-create"), enrol_form(personas, uln="9276308687")
    )
    assert response.status_code == 200
    assert "last digit does not match" in response.content.decode()
    assert Apprenticeship.objects.count() == before


def test_the_enrol_form_keeps_a_valid_number(client, personas):
    client.force_login(personas["admin"])
    client.post(
        reverse("apprenticeship:apprenticeship-create"), enrol_form(personas, uln="9276308686")
    )
    assert Apprenticeship.objects.latest("pk").uln == "9276308686"
