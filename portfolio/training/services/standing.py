"""Keeping `OtjStanding` up to date: every service that logs, changes, verifies or rejects
an off-the-job entry calls `refresh_otj_standing` in its transaction, after taking the
apprenticeship's lock (`lock_apprenticeship`), as every change to the log does. Two changes
to one log are then worked out one after the other, each from what the other committed.

It works the standing out again from the entries themselves (never adds to or takes from
what was stored), so calling it twice, or for an apprenticeship that did not change,
changes nothing. Set-based: two queries for any number of apprenticeships."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from config.db import keep_standing
from portfolio.training.models import OtjEntry, OtjStanding
from portfolio.training.selectors import COUNTED, LOGGED_AND_VERIFIED

FIELDS = ["logged", "verified", "last_training", "pending"]


def entry_totals(ids: list[int]) -> QuerySet[Any, Any]:
    """Minutes logged and verified, the last day of training and the entries waiting to be
    verified, one row for each of the apprenticeships `ids` that has entries, summed from
    an index alone on PostgreSQL (`otj_entry_current_totals`)."""
    return (
        OtjEntry.objects.current()
        .filter(apprenticeship_id__in=ids)
        .order_by()
        .values("apprenticeship_id")
        .annotate(
            **LOGGED_AND_VERIFIED,
            last_training=Max("date", filter=COUNTED),
            pending=Count("status", filter=Q(status=OtjEntry.Status.PENDING)),
        )
    )


def refresh_otj_standing(*, apprenticeship_ids: Iterable[int]) -> None:
    """Work out and store the off-the-job standing of each of these apprenticeships."""
    keep_standing(OtjStanding, apprenticeship_ids, _work_out, FIELDS)


def _work_out(ids: list[int], rows: dict[int, OtjStanding]) -> None:
    for row in entry_totals(ids):
        one = rows[row["apprenticeship_id"]]
        one.logged = row["logged"] or 0
        one.verified = row["verified"] or 0
        one.last_training = row["last_training"]
        one.pending = row["pending"]
