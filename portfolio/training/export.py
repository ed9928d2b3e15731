"""The off-the-job log and summary as CSV rows and as plain data (for PDFs, the gateway
snapshot and review records). CSV cells that a spreadsheet would run as a formula are
neutralised."""

import datetime as dt
from collections.abc import Iterator

from apprenticeship.models import Apprenticeship, Role
from portfolio.training.models import OtjEntry
from portfolio.training.plan import Figures
from portfolio.training.selectors import OtjSummary

CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """Text for a spreadsheet cell that a spreadsheet will never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(CSV_FORMULA_STARTS):
        return "'" + text
    return text


def _utc(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


LOG_CSV_HEADER = [
    "Record",
    "Entry",
    "Version",
    "Current version",
    "Date",
    "Minutes",
    "Hours",
    "Activity",
    "Counts towards off-the-job",
    "Duty",
    "What was done and learned",
    "Evidence id",
    "Status",
    "Logged by",
    "Logged at (UTC)",
    "Decided by",
    "Decided as",
    "Decided at (UTC)",
    "Reason for rejecting",
]


def otj_log_rows(apprenticeship: Apprenticeship) -> Iterator[list[str]]:
    """Every version of every entry, oldest first, for an audit: who logged it, who
    verified or rejected it and when (UTC). Streams in chunks: a fixed number of queries."""
    yield LOG_CSV_HEADER
    entries = (
        OtjEntry.objects.filter(apprenticeship=apprenticeship)
        .select_related("duty", "created_by", "decided_by")
        .order_by("date", "lineage", "version")
    )
    for entry in entries.iterator(chunk_size=2000):
        hours, minutes = divmod(entry.minutes, 60)
        yield [
            csv_cell(value)
            for value in (
                entry.pk,
                entry.lineage,
                entry.version,
                "yes" if entry.is_current else "no",
                entry.date.isoformat(),
                entry.minutes,
                f"{hours}:{minutes:02d}",
                entry.get_activity_type_display(),
                "yes" if entry.counts else "no",
                entry.duty.code if entry.duty else "",
                entry.description,
                entry.evidence_id or "",
                entry.get_status_display(),
                entry.created_by.full_name,
                _utc(entry.created_at),
                entry.decided_by.full_name if entry.decided_by else "",
                Role(entry.decided_as).label if entry.decided_as else "",
                _utc(entry.decided_at),
                entry.rejection_reason,
            )
        ]


def _figures_data(figures: Figures) -> dict:
    return {
        "required": figures.required,
        "logged": figures.logged,
        "verified": figures.verified,
        "expected": figures.expected,
        "state": figures.state.value,
        "state_label": figures.state.label,
        "finish": figures.projection.finish,
    }


def otj_summary_data(summary: OtjSummary) -> dict:
    """The summary as plain data (minutes, dates): what a progress review, the gateway
    snapshot and the PDF report keep of it."""
    return {
        "as_of": summary.today,
        "required_known": summary.required_known,
        "prior_learning_minutes": summary.prior_learning_minutes,
        "not_counted_minutes": summary.not_counted_minutes,
        "planned_end_with_breaks": summary.planned_end_with_breaks,
        "total": _figures_data(summary.total),
        "duties": [
            {"code": line.code, "text": line.text, **_figures_data(line.figures)}
            for line in summary.duties
        ],
    }


def otj_summary_rows(summary: OtjSummary) -> Iterator[list[str]]:
    """The per-duty summary: one row per duty, then the total. Minutes and hours."""
    yield [
        "Duty",
        "Duty text",
        "Required (minutes)",
        "Logged (minutes)",
        "Verified (minutes)",
        "Expected by today (minutes)",
        "Projected finish",
        "State",
    ]

    def row(code: str, text: str, f: Figures) -> list[str]:
        return [
            csv_cell(value)
            for value in (
                code,
                text,
                "" if f.required is None else f.required,
                f.logged,
                f.verified,
                "" if f.expected is None else f.expected,
                f.projection.finish.isoformat() if f.projection.finish else "",
                f.state.label,
            )
        ]

    for line in summary.duties:
        yield row(line.code, line.text, line.figures)
    yield row("Total", f"As of {summary.today.isoformat()}", summary.total)
