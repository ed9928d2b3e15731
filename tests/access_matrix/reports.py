"""Reports: each person asks for and opens only the copy their role gets."""

from reports import services
from reports.models import Report
from tests.access_matrix.base import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Entry, only

FULL_COPY = only({"apprentice": OK, "tutor": OK, "admin": OK}, NOT_FOUND)


def _report(audience=Report.Audience.FULL, build=False):
    def make(ctx):
        report = services.request_report(
            apprenticeship=ctx["apprenticeship"],
            kind=Report.Kind.PORTFOLIO,
            audience=audience,
            by=ctx["tutor"],
        )
        if build:
            services.build_report(report_id=report.pk)
        return [report.pk]

    return make


ENTRIES: list[Entry] = [
    Entry(
        "reports:report-request",
        only(
            {"apprentice": REDIRECT, "tutor": REDIRECT, "admin": REDIRECT, "employer": REDIRECT},
            NOT_FOUND,
        ),
        args=lambda ctx: [ctx["apprenticeship"].pk, "portfolio"],
        method="post",
    ),
    Entry(
        "reports:report-request",
        only(
            {"apprentice": REDIRECT, "tutor": REDIRECT, "admin": REDIRECT, "employer": FORBIDDEN},
            NOT_FOUND,
        ),
        args=lambda ctx: [ctx["apprenticeship"].pk, "gateway-pack"],
        method="post",
        label="reports:report-request gateway pack",
    ),
    Entry(
        "reports:report-request",
        only(
            {
                "apprentice": REDIRECT,
                "tutor": REDIRECT,
                "admin": REDIRECT,
                "employer": FORBIDDEN,
                "assessor": REDIRECT,
            },
            NOT_FOUND,
        ),
        args=lambda ctx: [ctx["apprenticeship"].pk, "gateway-pack"],
        method="post",
        state="post_gateway",
        label="reports:report-request gateway pack after gateway",
    ),
    Entry("reports:report-detail", FULL_COPY, args=_report()),
    Entry(
        "reports:report-detail",
        only({"employer": OK}, NOT_FOUND),
        args=_report(Report.Audience.EMPLOYER),
        label="reports:report-detail employer's copy",
    ),
    Entry("reports:report-status", FULL_COPY, args=_report()),
    Entry("reports:report-download", FULL_COPY, args=_report(build=True)),
]
