"""The identifier check: true positives it must find, false positives it must not."""

import datetime as dt

import pytest

from portfolio.evidence.identifiers import find_identifiers, nhs_number_is_valid

TODAY = dt.date(2026, 12, 1)


def kinds(text, names=()):
    return [
        (f.kind, f.text) for f in find_identifiers(text, where="Account", names=names, today=TODAY)
    ]


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9876543210"])
def test_valid_nhs_numbers_pass_the_modulus_11_check(number):
    assert nhs_number_is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # wrong check digit
        "1234567890",  # check digit would be 10: no such number
        "0000000000",  # all one digit
        "123456789",  # too short
    ],
)
def test_invalid_nhs_numbers_fail_the_check(number):
    assert not nhs_number_is_valid(number)


@pytest.mark.parametrize("written", ["943 476 5919", "943-476-5919", "9434765919"])
def test_nhs_numbers_are_found_however_they_are_spaced(written):
    assert kinds(f"Her number is {written} on the letter.") == [("nhs_number", written)]


def test_ten_digits_that_fail_the_check_are_not_an_nhs_number():
    assert kinds("Booking reference 943 476 5918.") == []


@pytest.mark.parametrize("postcode", ["LS6 2AB", "SW1A 1AA", "m1 1ae", "EC1A1BB", "B33 8TH"])
def test_uk_postcodes_are_found(postcode):
    assert kinds(f"She lives near {postcode} now.") == [("postcode", postcode)]


@pytest.mark.parametrize(
    "phone",
    ["07700 900123", "07700900123", "+44 7700 900123", "0113 496 0000", "(0161) 496 0000"],
)
def test_uk_phone_numbers_are_found(phone):
    found = kinds(f"Call {phone} after six.")
    assert [kind for kind, _ in found] == ["phone"]
    assert found[0][1].strip("()") in phone


def test_international_numbers_are_found():
    assert kinds("Her sister is on +353 85 123 4567.") == [("phone", "+353 85 123 4567")]


def test_email_addresses_are_found_once_even_when_they_contain_a_private_name():
    assert kinds("Wrote to sarah.jones@example.com", names=["Sarah"]) == [
        ("email", "sarah.jones@example.com")
    ]


@pytest.mark.parametrize(
    "text",
    ["DOB: 12/03/1985", "date of birth 4 July 2001", "born on 3rd March 2010", "D.O.B. 01.02.12"],
)
def test_dates_of_birth_are_found_after_birth_words(text):
    assert [kind for kind, _ in kinds(text)] == ["date_of_birth"]


def test_a_full_date_long_ago_is_treated_as_a_date_of_birth():
    assert [kind for kind, _ in kinds("He mentioned 14/02/1962 twice.")] == ["date_of_birth"]


def test_recent_activity_dates_are_not_dates_of_birth():
    assert kinds("On 3 November 2026 we met for 45 minutes, and again on 10/11/2026.") == []


def test_names_on_the_private_list_are_found_whole_word_and_ignoring_case():
    found = kinds(
        "Met JOHN at the cafe. Johnson was there. Mary-Ann Lee too.", names=["john", "Mary-Ann Lee"]
    )
    assert found == [("name", "JOHN"), ("name", "Mary-Ann Lee")]


def test_ordinary_numbers_and_words_are_not_flagged():
    text = (
        "We had 2 sessions of 90 minutes in room 12. I scored 7 out of 10. "
        "The group runs 10:00 to 12:30 on Tuesdays; 15 people came. Version 1.2.3 of the plan."
    )
    assert kinds(text) == []


def test_each_finding_says_where_it_is():
    text = "First line.\nSecond line with 07700 900123 in it."
    (finding,) = find_identifiers(text, where="Written account", today=TODAY)
    assert finding.place == "Written account, line 2"
    assert finding.before.endswith("Second line with")
    assert finding.after.startswith("in it")


def test_findings_in_a_pdf_say_which_page():
    text = "Page one.\fPage two\nhas LS6 2AB here."
    (finding,) = find_identifiers(text, where="notes.pdf", today=TODAY)
    assert finding.place == "notes.pdf, page 2, line 2"
