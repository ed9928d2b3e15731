"""The reports box on the apprenticeship page."""

from apprenticeship.models import Apprenticeship
from outbox import services as outbox
from reports import access
from reports.models import Report

RECENT = 5


def apprenticeship_reports(user, apprenticeship: Apprenticeship) -> dict:
    kinds = [
        {"slug": kind.replace("_", "-"), "label": kind.label}
        for kind in Report.Kind
        if access.audience_for(apprenticeship.viewer_roles, kind) is not None
        and (kind != Report.Kind.GATEWAY_PACK or apprenticeship.is_post_gateway)
    ]
    recent = access.visible_reports(user, apprenticeship).order_by("-requested_at", "-pk")
    return {
        "report_kinds": kinds,
        "reports_build_at_once": outbox.runs_in_process(),
        "recent_reports": list(recent.defer("html", "files")[:RECENT]),
    }
