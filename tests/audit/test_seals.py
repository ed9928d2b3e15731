"""The canonical JSON and SHA-256 seal used for signatures."""

import datetime as dt
import hashlib
import math
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from audit import seals


def test_canonical_json_sorts_keys_and_has_no_insignificant_whitespace():
    assert seals.canonical_json({"b": 1, "a": [1, 2, {"d": None, "c": True}]}) == (
        '{"a":[1,2,{"c":true,"d":null}],"b":1}'
    )


def test_dates_datetimes_and_decimals_become_strings():
    london = ZoneInfo("Europe/London")
    value = {
        "day": dt.date(2026, 5, 3),
        "at": dt.datetime(2026, 5, 3, 10, 30, tzinfo=london),
        "hours": Decimal("7.50"),
    }
    assert seals.canonical_json(value) == (
        '{"at":"2026-05-03T09:30:00+00:00","day":"2026-05-03","hours":"7.50"}'
    )


def test_text_is_written_as_itself_in_utf8():
    assert seals.canonical_json({"name": "Siân Ó Dálaigh"}) == '{"name":"Siân Ó Dálaigh"}'


def test_digest_is_the_sha256_of_the_canonical_utf8_bytes():
    value = {"z": "é", "a": dt.date(2026, 1, 2)}
    expected = hashlib.sha256('{"a":"2026-01-02","z":"é"}'.encode()).hexdigest()
    assert seals.digest(value) == expected
    assert len(expected) == 64


def test_the_same_content_in_any_key_order_gives_the_same_seal():
    assert seals.digest({"a": 1, "b": [1, 2]}) == seals.digest({"b": [1, 2], "a": 1})


@pytest.mark.parametrize(
    "changed",
    [
        {"text": "Agreed targets.", "targets": [{"due": "2026-06-01"}], "hours": "7.50 "},
        {"text": "Agreed targets!", "targets": [{"due": "2026-06-01"}], "hours": "7.50"},
        {"text": "Agreed targets.", "targets": [{"due": "2026-06-02"}], "hours": "7.50"},
        {"text": "Agreed targets.", "targets": [], "hours": "7.50"},
        {"text": "Agreed targets.", "targets": [{"due": "2026-06-01"}], "hours": "7.5"},
    ],
)
def test_any_change_gives_a_different_seal(changed):
    original = {"text": "Agreed targets.", "targets": [{"due": "2026-06-01"}], "hours": "7.50"}
    assert seals.matches(original, seals.digest(original))
    assert not seals.matches(changed, seals.digest(original))


@pytest.mark.parametrize(
    "unstable",
    [
        dt.datetime(2026, 5, 3, 10, 30),  # noqa: DTZ001 - the point: naive is refused
        {1: "not a string key"},
        {"a set"},
        b"bytes",
        Decimal("NaN"),
        object(),
    ],
)
def test_values_without_a_stable_form_are_refused(unstable):
    with pytest.raises(TypeError):
        seals.canonical_json(unstable)


def test_not_a_number_floats_are_refused():
    with pytest.raises(ValueError):
        seals.canonical_json({"x": math.inf})
