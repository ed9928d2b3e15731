"""The off-the-job figures of the funding return, in the shape of the individualised
learner record (ILR).

Field names, formats and meanings are those of the ILR specification, Learning Delivery
entity (programme aim, AimType 1, apprenticeships FundModel 36). Read for this file: the
field pages for 2021 to 2022 (PHours, OTJActHours), the Learning Delivery entity listing for
2022 to 2023 (which orders them PHours, OTJActHours), and the summaries of changes for 2025
to 2026 (17 April 2025) and 2026 to 2027 (30 January 2026), which as far as we read them
list no change to either field. The file names the teaching year it was made in
(`ilr_year`); check the fields against that year's specification before a return.

- PHours, "Planned hours": the planned off-the-job training hours over the full
  apprenticeship, excluding the end-point assessment period; whole hours, 0 to 9999.
- OTJActHours, "Actual Hours for Off the Job Training": the off-the-job training delivered
  over the practical period (before gateway), entered at the end of the practical period
  or when the apprentice leaves early (funding rule P49); nearest whole hour, 0 to 9999.
- LearnStartDate, LearnPlanEndDate: dates as YYYY-MM-DD (xs:date).
- ULN (Learner entity): the 10-digit unique learner number.
- StdCode: the standard's LARS code.

Source: Specification of the Individualised Learner Record,
https://guidance.submit-learner-data.service.gov.uk/ (LearningDelivery/PHours,
LearningDelivery/OTJActHours).

The figures are the apprenticeship page's: planned hours are the required total after
recognised prior learning (portfolio.training.caseload.otj_totals, the same arithmetic as
the page), actual hours the verified, counted training logged, filled in only once the log
has closed (gateway passed or withdrawn). LearnRefNumber is the provider's own learner
reference, which we do not hold: the file gives our apprenticeship number for matching.
"""

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from dataio.selectors import CHUNK, whole_hours
from portfolio.training import caseload as otj_caseload
from portfolio.training.selectors import log_is_closed


def ilr_year(today: dt.date) -> str:
    """The ILR teaching year `today` falls in: 1 August to 31 July, "2026 to 2027"."""
    first = today.year if today.month >= 8 else today.year - 1
    return f"{first} to {first + 1}"


# Both are xs:int in the range 0 to 9999 in the specification.
ILR_HOURS_MAX = 9999

COLUMNS = (
    "OurApprenticeshipNumber",
    "ULN",
    "FamilyAndGivenNames",
    "StdCode",
    "AimType",
    "FundModel",
    "LearnStartDate",
    "LearnPlanEndDate",
    "PHours",
    "OTJActHours",
    "Note",
)


def _capped(value: str) -> tuple[str, str]:
    if value and int(value) > ILR_HOURS_MAX:
        return str(ILR_HOURS_MAX), f"more than {ILR_HOURS_MAX} hours: check before returning"
    return value, ""


def funding_return_rows(
    scope: QuerySet[Apprenticeship], *, today: dt.date | None = None
) -> Iterator[list[str]]:
    """A comment line naming the ILR year, the header, then one row per apprenticeship in
    `scope` (already limited to what the reader may see)."""
    today = today or timezone.localdate()
    # One cell with no comma or quote, so the line starts with "#" as written.
    yield [
        f"# Off-the-job figures for the funding return as of {today.isoformat()}:"
        f" field names of the ILR specification {ilr_year(today)} Learning Delivery"
        " (programme aim). PHours is the planned hours; OTJActHours the actual hours"
        " (filled in once training has ended at gateway or withdrawal)."
    ]
    yield list(COLUMNS)
    queryset = scope.select_related("apprentice", "standard_version").order_by(
        "apprentice__full_name", "pk"
    )
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = list(queryset.filter(pk__in=ids[start : start + CHUNK]))
        totals = otj_caseload.otj_totals(chunk, today=today)
        for row in chunk:
            yield funding_return_row(row, totals[row.pk].total)


def funding_return_row(row: Apprenticeship, figures) -> list[str]:
    notes = []
    planned, note = _capped(whole_hours(figures.required))
    if note:
        notes.append(f"PHours {note}")
    if figures.required is None:
        notes.append("PHours: the standard's off-the-job minimum is not loaded yet")
    actual = ""
    if log_is_closed(row):
        actual, note = _capped(whole_hours(figures.verified))
        if note:
            notes.append(f"OTJActHours {note}")
        if figures.logged != figures.verified:
            notes.append("OTJActHours counts verified training only: some is not verified")
    return [
        str(row.pk),
        row.uln,
        row.apprentice.full_name,
        row.standard_version.lars_code,
        "1",
        "36",
        row.start_date.isoformat(),
        row.planned_end_date.isoformat(),
        planned,
        actual,
        "; ".join(notes),
    ]
