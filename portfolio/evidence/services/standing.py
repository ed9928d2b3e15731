"""Keeping `EvidenceStanding` up to date: every service that sends evidence to the tutor,
takes it back or decides on it (and writing a requested testimony, which sends one) calls
`refresh_evidence_standing` in its transaction, after taking the apprenticeship's lock
(`lock_apprenticeship`) and only then the item's. Two changes to one apprenticeship's
evidence are then worked out one after the other, each from what the other committed.

It works the standing out again from the items themselves (never adds to or takes from
what was stored), so calling it twice, or for an apprenticeship that did not change,
changes nothing. Set-based: two queries for any number of apprenticeships, the count read
from the index `evidence_by_status` alone on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Min

from config.db import keep_standing
from portfolio.evidence.models import Evidence, EvidenceStanding


def refresh_evidence_standing(*, apprenticeship_ids: Iterable[int]) -> None:
    """Work out and store the evidence standing of each of these apprenticeships."""
    keep_standing(EvidenceStanding, apprenticeship_ids, _work_out, ["waiting", "oldest_waiting"])


def _work_out(ids: list[int], rows: dict[int, EvidenceStanding]) -> None:
    for pk, waiting, oldest in (
        Evidence.objects.filter(apprenticeship_id__in=ids, status=Evidence.Status.SUBMITTED)
        .order_by()
        .values("apprenticeship_id")
        .annotate(waiting=Count("status"), oldest=Min("submitted_at"))
        .values_list("apprenticeship_id", "waiting", "oldest")
    ):
        rows[pk].waiting = waiting
        rows[pk].oldest_waiting = oldest
