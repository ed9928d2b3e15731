"""The wellbeing plan and the adjustments pages run the same queries however much they
hold: a plan saved many times and shared, and many adjustments of every kind."""

import pytest
from django.urls import reverse

from portfolio.wellbeing import services
from tests.helpers.wellbeing import write_plan
from tests.query_counts import assert_flat_queries

# The session, its user, the menu's roles, the apprenticeship (with the access check), the
# plan, its newest version and the sharing.
WELLBEING_PLAN_QUERIES = 7
# The session, its user, the menu's roles, the apprenticeship (with the access check) and
# the adjustments with the people who agreed or decided them.
ADJUSTMENT_LIST_QUERIES = 5


@pytest.mark.parametrize("persona", ["apprentice", "tutor"])
def test_the_plan_page_is_flat(client, personas, persona):
    write_plan(personas)
    client.force_login(personas[persona])
    url = reverse("portfolio:wellbeing-plan", args=[personas["apprenticeship"].pk])

    def grow() -> None:
        for _ in range(5):
            write_plan(personas)

    assert_flat_queries(client, url, grow, WELLBEING_PLAN_QUERIES)


@pytest.mark.parametrize("persona", ["apprentice", "employer", "tutor"])
def test_the_adjustments_page_is_flat(client, personas, persona):
    apprenticeship = personas["apprenticeship"]

    def ask(n: int) -> None:
        for area in ("work", "learning", "assessment"):
            for i in range(n):
                services.request_adjustment(
                    apprenticeship=apprenticeship,
                    by=personas["apprentice"],
                    area=area,
                    description=f"Adjustment {area} {i}",
                )

    ask(1)
    client.force_login(personas[persona])
    url = reverse("portfolio:adjustment-list", args=[apprenticeship.pk])
    assert_flat_queries(client, url, lambda: ask(4), ADJUSTMENT_LIST_QUERIES)
