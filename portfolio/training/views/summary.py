"""The off-the-job summary page, its chart and its CSV."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from apprenticeship import access
from apprenticeship.access import Action
from portfolio.training import export as otj_export
from portfolio.training import plan as otj_plan
from portfolio.training import selectors as services
from portfolio.training.views.common import csv_response, page_context

CHART_WIDTH = 360


CHART_LABEL = 40


CHART_BAR = CHART_WIDTH - CHART_LABEL - 4


CHART_ROW = 34


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: int
    required: int | None
    logged: int
    verified: int
    expected_x: int | None
    minutes: object  # the Figures, for data attributes and titles

    @property
    def bar_y(self) -> int:
        return self.y + 6

    @property
    def text_y(self) -> int:
        return self.y + 20


def _chart(summary: services.OtjSummary) -> dict:
    """Bar lengths in SVG units: one row for the total, then one per duty. Each duty is on
    its own scale against the largest duty, so small duties stay visible."""
    duty_top = max(
        [max(line.figures.required or 0, line.figures.logged, 1) for line in summary.duties] or [1]
    )
    total_top = max(summary.total.required or 0, summary.total.logged, 1)

    def row(label: str, index: int, f: otj_plan.Figures, top: int) -> ChartRow:
        def x(minutes: int) -> int:
            return round(CHART_BAR * min(minutes, top) / top)

        return ChartRow(
            label=label,
            y=index * CHART_ROW,
            required=None if f.required is None else x(f.required),
            logged=x(f.logged),
            verified=x(f.verified),
            expected_x=None if f.expected is None else CHART_LABEL + x(f.expected),
            minutes=f,
        )

    rows = [row("Total", 0, summary.total, total_top)]
    rows += [
        row(line.code, index + 1, line.figures, duty_top)
        for index, line in enumerate(summary.duties)
    ]
    return {
        "rows": rows,
        "width": CHART_WIDTH,
        "height": len(rows) * CHART_ROW + 4,
        "label_width": CHART_LABEL,
    }


@login_required
def otj_summary(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_OTJ)
    summary = services.otj_summary(apprenticeship)
    return render(
        request,
        "portfolio/training/otj_summary.html",
        page_context(apprenticeship, summary=summary, chart=_chart(summary)),
    )


@login_required
def otj_summary_csv(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_OTJ)
    summary = services.otj_summary(apprenticeship)
    return csv_response(
        otj_export.otj_summary_rows(summary),
        f"off-the-job-summary-{apprenticeship.pk}-{summary.today.isoformat()}.csv",
    )
