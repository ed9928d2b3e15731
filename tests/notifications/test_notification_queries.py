"""The notifications list runs the same queries for two notifications as for twenty."""

from django.urls import reverse

from notifications.models import Notification
from tests.query_counts import assert_flat_queries

# The session, its user, the person's roles for the menu, the count and the page.
NOTIFICATION_LIST_QUERIES = 5


def test_the_notification_list_is_flat(client, personas):
    tutor = personas["tutor"]
    apprenticeship = personas["apprenticeship"]

    def add(count: int, start: int) -> None:
        Notification.objects.bulk_create(
            Notification(
                recipient=tutor,
                key=f"evidence_submitted:{n}",
                event="evidence_submitted",
                apprenticeship=apprenticeship,
                url=reverse("dashboards:home"),
            )
            for n in range(start, start + count)
        )

    add(2, 0)
    client.force_login(tutor)
    assert_flat_queries(
        client, reverse("notifications:list"), lambda: add(18, 2), NOTIFICATION_LIST_QUERIES
    )
