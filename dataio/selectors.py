"""The rows of the caseload and provider exports: one per apprenticeship, with the figures
the caseload and the apprenticeship page show, worked out by the same code.

Off-the-job figures come from `portfolio.training.caseload.otj_totals` (the caseload's own
arithmetic), duties signed off and evidence waiting from the caseload's annotations
(`portfolio.evidence.selectors.annotate_caseload`), the review due date from
`portfolio.reviews.schedule.with_review_status` and the gateway items from
`epa.selectors.gateway.summary`, as on the apprenticeship page. Nothing here works out a
figure of its own: a second copy of a rule would drift from the pages.

Rows are built a chunk at a time, so a large provider's export streams: the off-the-job
figures cost a fixed number of queries per chunk; the gateway items a fixed number per
apprenticeship still in training (the checklist reads each one's own records).
"""

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from epa.selectors import gateway as gateway_selectors
from portfolio.evidence import selectors as evidence_coverage
from portfolio.reviews import schedule as review_schedule
from portfolio.training import caseload as otj_caseload

CHUNK = 200

CASELOAD_COLUMNS = (
    "apprenticeship_id",
    "apprentice",
    "unique_learner_number",
    "provider",
    "employer",
    "standard",
    "standard_version",
    "start_date",
    "planned_end_date",
    "status",
    "otj_required_hours",
    "otj_logged_hours",
    "otj_verified_hours",
    "otj_expected_by_today_hours",
    "otj_pace",
    "otj_weeks_without_training",
    "duties_signed_off",
    "duties_total",
    "next_review_due",
    "review_state",
    "reviews_waiting_for_signatures",
    "evidence_waiting_for_review",
    "gateway_items_holding",
    "gateway_items_total",
    "gateway_next_item",
)


def hours(minutes: int | None) -> str:
    """Minutes as hours to two decimal places ('' when there is no figure)."""
    if minutes is None:
        return ""
    return str((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def whole_hours(minutes: int | None) -> str:
    """Minutes to the nearest whole hour, halves up ('' when there is no figure)."""
    if minutes is None:
        return ""
    return str((Decimal(minutes) / 60).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


# The caseload's review column in words, for each of `review_due_state`'s states.
REVIEW_STATES = {
    "not_needed": "none due after training",
    "overdue": "overdue",
    "due_soon": "due soon",
    "not_due": "not due yet",
}


def caseload_queryset(scope: QuerySet[Apprenticeship]) -> QuerySet[Apprenticeship]:
    """`scope` with the caseload's annotations and what the rows read, in a stable order."""
    queryset = scope.select_related(
        "apprentice", "standard_version", "provider__gateway_policy", "employer"
    )
    queryset = evidence_coverage.annotate_caseload(queryset)
    queryset = review_schedule.with_review_status(queryset)
    return queryset.order_by("apprentice__full_name", "pk")


def caseload_rows(
    scope: QuerySet[Apprenticeship], *, today: dt.date | None = None
) -> Iterator[list[str]]:
    """The header, then one row per apprenticeship in `scope` (already limited to what the
    reader may see), as of `today`."""
    today = today or timezone.localdate()
    yield list(CASELOAD_COLUMNS)
    queryset = caseload_queryset(scope)
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = list(queryset.filter(pk__in=ids[start : start + CHUNK]))
        totals = otj_caseload.otj_totals(chunk, today=today)
        for row in chunk:
            yield _caseload_row(row, totals[row.pk], today)


def _caseload_row(row: Any, otj: otj_caseload.OtjRow, today: dt.date) -> list[str]:
    figures = otj.total
    gateway = (
        None
        if row.is_post_gateway
        else gateway_selectors.summary(
            row, today=today, policy=gateway_selectors.gateway_policy(row)
        )
    )
    return [
        str(row.pk),
        row.apprentice.full_name,
        row.uln,
        row.provider.name,
        row.employer.name,
        row.standard_version.reference,
        str(row.standard_version.version),
        row.start_date.isoformat(),
        row.planned_end_date.isoformat(),
        row.get_status_display(),
        hours(figures.required),
        hours(figures.logged),
        hours(figures.verified),
        hours(figures.expected),
        str(figures.state.label),
        str(otj.gap.weeks) if otj.gap else "",
        str(row.duties_signed_off),
        str(row.duties_total),
        row.next_review_due.isoformat() if row.next_review_due else "",
        REVIEW_STATES[review_schedule.review_due_state(row.next_review_due, today=today)],
        str(row.reviews_waiting),
        str(row.evidence_waiting),
        str(gateway["done"]) if gateway else "",
        str(gateway["total"]) if gateway else "",
        gateway["next"] if gateway else "",
    ]
