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

from django.db.models import Max, QuerySet

from portfolio.training.models import OtjEntry, OtjStanding
from portfolio.training.selectors import COUNTED, LOGGED_AND_VERIFIED

# Enough ids per round to keep every query well inside SQLite's limit on parameters.
CHUNK = 500

FIELDS = ["logged", "verified", "last_training"]


def entry_totals(ids: list[int]) -> QuerySet[Any, Any]:
    """Minutes logged and verified and the last day of training, one row for each of the
    apprenticeships `ids` that has entries, summed from an index alone on PostgreSQL
    (`otj_entry_current_totals`)."""
    return (
        OtjEntry.objects.current()
        .filter(apprenticeship_id__in=ids)
        .order_by()
        .values("apprenticeship_id")
        .annotate(**LOGGED_AND_VERIFIED, last_training=Max("date", filter=COUNTED))
    )


def refresh_otj_standing(*, apprenticeship_ids: Iterable[int]) -> None:
    """Work out and store the off-the-job standing of each of these apprenticeships."""
    ids = sorted(set(apprenticeship_ids))
    for start in range(0, len(ids), CHUNK):
        _refresh(ids[start : start + CHUNK])


def _refresh(ids: list[int]) -> None:
    standing = {pk: OtjStanding(apprenticeship_id=pk) for pk in ids}
    for row in entry_totals(ids):
        one = standing[row["apprenticeship_id"]]
        one.logged = row["logged"] or 0
        one.verified = row["verified"] or 0
        one.last_training = row["last_training"]
    OtjStanding.objects.bulk_create(
        standing.values(),
        update_conflicts=True,
        unique_fields=["apprenticeship"],
        update_fields=FIELDS,
    )
