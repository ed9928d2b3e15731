"""The caseload, provider and funding return exports: the reader's own apprenticeships
only, and the funding return's figures.

Runs on PostgreSQL and on SQLite (`config.settings.test_sqlite`): one answer on both."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from dataio import funding_return
from portfolio.training.models import OtjEntry
from tests import factories
from tests.helpers.personas import add_more_personas

pytestmark = pytest.mark.django_db


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


# -- access -----------------------------------------------------------------------------


@pytest.fixture
def everyone(personas):
    return add_more_personas(personas)


def test_tutor_downloads_their_caseload_with_their_apprentice(client, everyone):
    client.force_login(everyone["tutor"])
    rows = _rows(client.get(reverse("dataio:caseload-export")))
    assert [int(r["apprenticeship_id"]) for r in rows] == [everyone["apprenticeship"].pk]
    assert rows[0]["apprentice"] == everyone["apprentice"].full_name


@pytest.mark.parametrize("persona", ["outsider", "p2_tutor"])
def test_another_providers_tutor_gets_none_of_the_first_providers_rows(client, everyone, persona):
    client.force_login(everyone[persona])
    rows = _rows(client.get(reverse("dataio:caseload-export")))
    ids = {int(r["apprenticeship_id"]) for r in rows}
    assert everyone["apprenticeship"].pk not in ids
    assert everyone["other_apprenticeship"].pk in ids


@pytest.mark.parametrize("persona", ["apprentice", "employer", "assessor", "admin"])
def test_who_tutors_nobody_is_refused_the_caseload_export(client, everyone, persona):
    client.force_login(everyone[persona])
    assert client.get(reverse("dataio:caseload-export")).status_code == 403


@pytest.mark.parametrize("url_name", ["dataio:provider-export", "dataio:funding-return-export"])
def test_provider_admin_exports_their_provider_only(client, everyone, url_name):
    client.force_login(everyone["admin"])
    ids = {int(r[next(iter(r))]) for r in _rows(client.get(reverse(url_name)))}
    assert ids == {everyone["apprenticeship"].pk}
    client.force_login(everyone["p2_admin"])
    ids = {int(r[next(iter(r))]) for r in _rows(client.get(reverse(url_name)))}
    assert ids == {everyone["other_apprenticeship"].pk}


# -- the funding return's figures -------------------------------------------------------


def test_actual_hours_are_the_verified_hours_to_the_nearest_hour_once_training_has_ended(
    apprenticeship, personas
):
    apprenticeship.start_date = dt.date(2023, 9, 4)
    apprenticeship.planned_end_date = dt.date(2024, 12, 2)
    apprenticeship.contracted_weekly_hours = 30
    apprenticeship.save()
    for minutes, status in ((90, OtjEntry.Status.VERIFIED), (60, OtjEntry.Status.PENDING)):
        factories.OtjEntryFactory(
            apprenticeship=apprenticeship,
            date=dt.date(2023, 10, 2),
            minutes=minutes,
            status=status,
            decided_at=timezone.now() if status == OtjEntry.Status.VERIFIED else None,
        )
    scope = Apprenticeship.objects.filter(pk=apprenticeship.pk)
    today = dt.date(2024, 3, 4)
    on_programme = list(funding_return.funding_return_rows(scope, today=today))
    assert "ILR specification 2023 to 2024" in on_programme[0][0]
    planned, actual = on_programme[2][8], on_programme[2][9]
    assert planned == "348"  # worked out in tests/test_figures_agree.py
    assert actual == ""
    apprenticeship.status = Apprenticeship.Status.WITHDRAWN
    apprenticeship.save()
    row = list(funding_return.funding_return_rows(scope, today=today))[2]
    assert row[9] == "2"  # 1 h 30 min verified rounds half up; the unverified hour is left out
    assert "some is not verified" in row[10]


def test_ilr_year_runs_from_august():
    assert funding_return.ilr_year(dt.date(2026, 7, 31)) == "2025 to 2026"
    assert funding_return.ilr_year(dt.date(2026, 8, 1)) == "2026 to 2027"
