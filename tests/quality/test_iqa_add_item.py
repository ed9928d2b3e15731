"""Adding a decision to a sample by hand: the plan's decisions not yet sampled, newest
first, a page at a time with no count (at 5,000 apprentices there are 280,000 a year, and
counting them took seconds). "Older decisions" goes on exactly where the page ended, two
decisions made at the same moment included; "Made on or before" starts the list at a day.
Bad input gets a message on the same page. Runs on both engines."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from portfolio.evidence.models import DutySignOff
from quality.iqa import selectors
from quality.iqa import services as iqa
from quality.models import IqaItem
from tests.helpers import iqa as helpers

pytestmark = pytest.mark.django_db

# 60 sign-offs a day apart at 10:00 UTC, the newest on 30 June 2025, and two more at the
# same moment as the 10th newest.
NEWEST = dt.datetime(2025, 6, 30, 10, tzinfo=dt.UTC)


@pytest.fixture
def world(personas):
    apprenticeship, tutor = personas["apprenticeship"], personas["tutor"]
    lead = helpers.make_lead(apprenticeship.provider, admin=personas["admin"])
    plan = helpers.cohort_plan(apprenticeship.provider, lead, stages=["sign_off"])
    duty = apprenticeship.standard_version.duties.first()
    moments = [NEWEST - dt.timedelta(days=n) for n in range(60)] + [
        NEWEST - dt.timedelta(days=9)
    ] * 2
    ids = [
        DutySignOff.objects.create(
            apprenticeship=apprenticeship,
            duty=duty,
            comment="Covered.",
            signed_by=tutor,
            signed_at=at,
            withdrawn_at=at,
            withdrawn_by=tutor,
            withdrawal_reason="Signed off again later.",
        ).pk
        for at in moments
    ]
    # Newest first; at the same moment, the higher id first.
    order = [pk for _, pk in sorted(zip(moments, ids, strict=True), reverse=True)]
    # One already in the sample is not offered again.
    iqa.add_item(plan=plan, by=lead, stage="sign_off", decision_id=order[3])
    order.remove(order[3])
    return {
        "plan": plan,
        "lead": lead,
        "order": order,
        "url": reverse("quality:iqa-plan-add-item", args=[plan.pk]),
    }


def _listed(response) -> list[int]:
    return [
        int(pk) for pk in re.findall(r'name="decision_id" value="(\d+)"', response.content.decode())
    ]


def _older(response) -> str | None:
    found = re.search(r'href="\?([^"]*older=[^"]*)">Older decisions', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def test_older_pages_go_on_exactly_where_each_page_ended(client, world):
    client.force_login(world["lead"])
    seen, query = [], "stage=sign_off"
    for _ in range(5):
        response = client.get(f"{world['url']}?{query}")
        assert response.status_code == 200
        seen += _listed(response)
        query = _older(response)
        if query is None:
            break
    assert seen == world["order"]  # 61 decisions, in three pages, none twice
    assert "Back to the newest" in response.content.decode()


def test_made_on_or_before_a_day_starts_the_list_there(client, world):
    client.force_login(world["lead"])
    response = client.get(world["url"], {"stage": "sign_off", "up_to": "2025-06-20"})
    listed = _listed(response)
    assert listed == world["order"][11 : 11 + 25]  # not the 11 made after that day
    assert DutySignOff.objects.get(pk=listed[0]).signed_at == NEWEST - dt.timedelta(days=10)
    # The next page keeps the day.
    assert "up_to=2025-06-20" in _older(response)


def test_bad_input_gets_a_message_and_the_newest(client, world):
    client.force_login(world["lead"])
    before = IqaItem.objects.count()
    response = client.get(world["url"], {"stage": "sign_off", "up_to": "31st of June"})
    assert response.status_code == 400
    assert "Enter a real date, or leave it empty for the newest." in response.content.decode()
    assert _listed(response) == world["order"][:25]
    response = client.get(world["url"], {"stage": "sign_off", "older": "yesterday-1"})
    assert response.status_code == 400
    assert "That link to older decisions is not right" in response.content.decode()
    assert _listed(response) == world["order"][:25]
    assert IqaItem.objects.count() == before


def test_the_place_in_a_link_is_the_decision_it_names():
    at = dt.datetime(2025, 3, 30, 1, 30, 0, 123456, tzinfo=dt.UTC)
    older = selectors.Older(at, 42)
    assert selectors.Older.from_token(older.token()) == older
    for bad in ("", "1-", "-1", "x-1", "1-x", "1.5-2", "9" * 18 + "-1"):
        assert selectors.Older.from_token(bad) is None
