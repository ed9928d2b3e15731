"""From 1 August 2025 off-the-job training may be delivered unevenly: "behind" compares the
log with the tutor's own schedule (per duty, per month), and with no schedule the pace is
shown for information only (2025-26 funding rules; see shared/reference/st0896-facts.json,
otj.rules_by_start_date)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apprenticeship.models import Apprenticeship
from audit.models import AuditEvent
from portfolio.training.caseload import otj_totals
from portfolio.training.errors import OtjError
from portfolio.training.models import OtjPlannedMonth
from portfolio.training.plan import Pace, expected_from_schedule
from portfolio.training.selectors import otj_summary
from portfolio.training.services import planning

D = dt.date
TODAY = D(2026, 2, 15)


@pytest.fixture
def start_2025(personas):
    """Start 1 September 2025, planned end 1 September 2026, a published minimum of 240
    hours (3 duties), nothing logged yet."""
    a = personas["apprenticeship"]
    a.start_date, a.planned_end_date = D(2025, 9, 1), D(2026, 9, 1)
    a.save()
    a.standard_version.otj_minimum_hours = 240
    a.standard_version.save()
    return Apprenticeship.objects.select_related("standard_version").get(pk=a.pk)


def _duties(a):
    return list(a.standard_version.duties.order_by("number"))


def test_expected_by_the_schedule_counts_whole_months_and_this_months_share():
    months = [(D(2026, 1, 1), 600), (D(2026, 2, 1), 2800), (D(2026, 3, 1), 900)]
    # January in full, then 14 of February's 28 days (the 15th itself not yet over).
    assert expected_from_schedule(months, today=D(2026, 2, 15)) == 600 + 2800 * 14 // 28


def test_without_a_schedule_the_pace_is_information_only(start_2025):
    summary = otj_summary(start_2025, today=TODAY)
    assert summary.uneven and not summary.has_schedule
    assert summary.total.state == Pace.NO_SCHEDULE
    listed = otj_totals([start_2025], today=TODAY)[start_2025.pk].total
    assert listed.state == Pace.NO_SCHEDULE


def test_front_loaded_schedule_judges_behind_and_a_light_one_on_track(start_2025, personas):
    duty = _duties(start_2025)[0]
    rest = _duties(start_2025)[1:]
    # 240 hours: 200 in September to January (all of duty 1), 40 later.
    front = {(D(2025, 9, 1), duty.pk): 200 * 60, (D(2026, 6, 1), rest[0].pk): 40 * 60}
    planning.save_otj_schedule(apprenticeship=start_2025, by=personas["tutor"], minutes=front)
    summary = otj_summary(start_2025, today=TODAY)
    assert summary.has_schedule and summary.total.expected == 200 * 60
    assert summary.total.state == Pace.BEHIND
    assert summary.duties[0].figures.expected == 200 * 60
    assert otj_totals([start_2025], today=TODAY)[start_2025.pk].total.state == Pace.BEHIND
    light = {(D(2026, 6, 1), duty.pk): 200 * 60, (D(2026, 7, 1), rest[0].pk): 40 * 60}
    planning.save_otj_schedule(apprenticeship=start_2025, by=personas["tutor"], minutes=light)
    assert otj_summary(start_2025, today=TODAY).total.state == Pace.ON_TRACK
    assert OtjPlannedMonth.objects.count() == 2
    assert AuditEvent.objects.filter(action="otj.schedule_changed").count() == 2


def test_a_schedule_must_add_up_to_the_required_total(start_2025, personas):
    duty = _duties(start_2025)[0]
    with pytest.raises(ValidationError, match="add up to 239 hours.*240 hours: 1 hour too few"):
        planning.save_otj_schedule(
            apprenticeship=start_2025,
            by=personas["tutor"],
            minutes={(D(2025, 10, 1), duty.pk): 239 * 60},
        )
    with pytest.raises(OtjError, match="months from the start to the planned end"):
        planning.save_otj_schedule(
            apprenticeship=start_2025,
            by=personas["tutor"],
            minutes={(D(2027, 1, 1), duty.pk): 240 * 60},
        )
    assert not OtjPlannedMonth.objects.exists()


def test_starts_before_august_2025_have_no_schedule(personas):
    a = personas["apprenticeship"]
    a.start_date, a.planned_end_date = D(2024, 9, 2), D(2025, 12, 1)
    a.save()
    with pytest.raises(OtjError, match="spread evenly"):
        planning.save_otj_schedule(
            apprenticeship=a, by=personas["tutor"], minutes={(D(2024, 9, 1), 1): 60}
        )


def test_the_schedule_page_starts_from_an_even_spread_and_saves(client, start_2025, personas):
    client.force_login(personas["tutor"])
    url = reverse("portfolio:otj-schedule", args=[start_2025.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: field.value() or "" for name, field in ((f.html_name, f) for f in form)}
    total = sum(float(v) for v in data.values() if v)
    assert round(total) == 240
    response = client.post(url, data)
    assert response.status_code == 302
    assert sum(OtjPlannedMonth.objects.values_list("minutes", flat=True)) == 240 * 60
    bad = {**data, next(iter(data)): "500"}
    refused = client.post(url, bad)
    assert refused.status_code == 200 and "Nothing was saved" in refused.content.decode()
