"""Keeping `ReviewStanding` up to date: every service that plans, records, signs or calls
off a review, or agrees or ends an interval, calls `refresh_standing` in its transaction.

It works the standing out again from the reviews and intervals themselves (never adds to
or takes from what was stored), so calling it twice, or for an apprenticeship that did not
change, changes nothing. Set-based: three queries for any number of apprenticeships."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Max, Min, Q

from config.db import keep_standing
from portfolio.reviews.models import AgreedReviewInterval, Review, ReviewStanding
from portfolio.reviews.schedule import signed_late_condition

FIELDS = [
    "last_held_on",
    "agreed_months",
    "agreed_weeks",
    "next_planned",
    "awaiting_signatures",
    "signed_late",
]


def refresh_standing(*, apprenticeship_ids: Iterable[int]) -> None:
    """Work out and store the review standing of each of these apprenticeships."""
    keep_standing(ReviewStanding, apprenticeship_ids, _work_out, FIELDS)


def _work_out(ids: list[int], standing: dict[int, ReviewStanding]) -> None:
    reviews = (
        Review.objects.filter(apprenticeship_id__in=ids)
        .order_by()
        .values("apprenticeship_id")
        .annotate(
            last_held_on=Max("current_version__held_on", filter=Q(status__in=Review.HELD)),
            next_planned=Min("scheduled_for", filter=Q(status=Review.Status.SCHEDULED)),
            awaiting=Count("pk", filter=Q(status=Review.Status.AWAITING_SIGNATURES)),
            late=Count("pk", filter=signed_late_condition()),
        )
    )
    for row in reviews:
        row_standing = standing[row["apprenticeship_id"]]
        row_standing.last_held_on = row["last_held_on"]
        row_standing.next_planned = row["next_planned"]
        row_standing.awaiting_signatures = row["awaiting"]
        row_standing.signed_late = row["late"] > 0
    # At most one agreed interval is in force (a unique constraint says so).
    for pk, unit, every in AgreedReviewInterval.objects.filter(
        apprenticeship_id__in=ids, ended_at__isnull=True
    ).values_list("apprenticeship_id", "unit", "every"):
        months = unit == AgreedReviewInterval.Unit.MONTHS
        standing[pk].agreed_months = every if months else 0
        standing[pk].agreed_weeks = 0 if months else every
