"""Off-the-job training: the summary, the log, entries, the plan, breaks, downloads, and
the provider's entry of a standard's minimum hours.

Everyone on the apprenticeship reads, but the assessor: after gateway they read the
off-the-job summary in the frozen portfolio only.
The apprentice logs; the tutor and the employer contact verify; the tutor and the
provider admin plan and record breaks.
"""

from tests import factories
from tests.access_matrix.base import (
    FORBIDDEN,
    NOT_FOUND,
    OK,
    REDIRECT,
    VIEWERS,
    Entry,
    only,
)

# Everyone on the apprenticeship after gateway; the assessor reads the frozen portfolio.
VIEWERS_AFTER_GATEWAY = only(
    {"apprentice": OK, "employer": OK, "tutor": OK, "assessor": FORBIDDEN, "admin": OK}, NOT_FOUND
)


def _apprenticeship(ctx):
    return [ctx["apprenticeship"].pk]


def _entry(ctx):
    return [factories.OtjEntryFactory(apprenticeship=ctx["apprenticeship"]).pk]


def _break(ctx):
    brk = factories.BreakInLearningFactory(
        apprenticeship=ctx["apprenticeship"], created_by=ctx["tutor"]
    )
    return [brk.pk]


def _apprentice_only(ok: int = OK, assessor: int = NOT_FOUND) -> dict[str, int]:
    return only(
        {
            "apprentice": ok,
            "employer": FORBIDDEN,
            "tutor": FORBIDDEN,
            "admin": FORBIDDEN,
            "assessor": assessor,
        },
        NOT_FOUND,
    )


def _verifiers(ok: int, assessor: int = NOT_FOUND) -> dict[str, int]:
    return only(
        {
            "apprentice": FORBIDDEN,
            "employer": ok,
            "tutor": ok,
            "admin": FORBIDDEN,
            "assessor": assessor,
        },
        NOT_FOUND,
    )


def _planners(assessor: int = NOT_FOUND) -> dict[str, int]:
    return only(
        {
            "apprentice": FORBIDDEN,
            "employer": FORBIDDEN,
            "tutor": OK,
            "admin": OK,
            "assessor": assessor,
        },
        NOT_FOUND,
    )


def _after_gateway(url_name: str, expected: dict[str, int], **kwargs) -> Entry:
    return Entry(
        url_name, expected, state="post_gateway", label=f"{url_name} after gateway", **kwargs
    )


ENTRIES: list[Entry] = [
    # Reading: everyone on the apprenticeship but the assessor.
    Entry("portfolio:otj-summary", VIEWERS, args=_apprenticeship),
    _after_gateway("portfolio:otj-summary", VIEWERS_AFTER_GATEWAY, args=_apprenticeship),
    Entry("portfolio:otj-log", VIEWERS, args=_apprenticeship),
    _after_gateway("portfolio:otj-log", VIEWERS_AFTER_GATEWAY, args=_apprenticeship),
    Entry("portfolio:otj-entry-detail", VIEWERS, args=_entry),
    _after_gateway("portfolio:otj-entry-detail", VIEWERS_AFTER_GATEWAY, args=_entry),
    Entry("portfolio:otj-log-csv", VIEWERS, args=_apprenticeship),
    _after_gateway("portfolio:otj-log-csv", VIEWERS_AFTER_GATEWAY, args=_apprenticeship),
    Entry("portfolio:otj-summary-csv", VIEWERS, args=_apprenticeship),
    _after_gateway("portfolio:otj-summary-csv", VIEWERS_AFTER_GATEWAY, args=_apprenticeship),
    # Logging and changing entries: the apprentice.
    Entry("portfolio:otj-entry-add", _apprentice_only(), args=_apprenticeship),
    _after_gateway(
        "portfolio:otj-entry-add", _apprentice_only(assessor=FORBIDDEN), args=_apprenticeship
    ),
    Entry("portfolio:otj-entry-edit", _apprentice_only(), args=_entry),
    _after_gateway("portfolio:otj-entry-edit", _apprentice_only(assessor=FORBIDDEN), args=_entry),
    # Verifying and rejecting: the tutor and the employer contact.
    Entry(
        "portfolio:otj-entry-verify",
        _verifiers(REDIRECT),
        args=_entry,
        method="post",
        data=lambda ctx: {"revision": 1},
    ),
    _after_gateway(
        "portfolio:otj-entry-verify",
        _verifiers(REDIRECT, assessor=FORBIDDEN),
        args=_entry,
        method="post",
        data=lambda ctx: {"revision": 1},
    ),
    Entry("portfolio:otj-entry-reject", _verifiers(OK), args=_entry),
    Entry(
        "portfolio:otj-verify-many",
        _verifiers(REDIRECT),
        args=_apprenticeship,
        method="post",
    ),
    # The plan and breaks in learning: the tutor and the provider admin.
    Entry("portfolio:otj-plan", _planners(), args=_apprenticeship),
    _after_gateway("portfolio:otj-plan", _planners(assessor=FORBIDDEN), args=_apprenticeship),
    Entry("portfolio:otj-schedule", _planners(), args=_apprenticeship),
    _after_gateway("portfolio:otj-schedule", _planners(assessor=FORBIDDEN), args=_apprenticeship),
    Entry("portfolio:otj-break-add", _planners(), args=_apprenticeship),
    Entry("portfolio:otj-break-edit", _planners(), args=_break),
    _after_gateway("portfolio:otj-break-edit", _planners(assessor=FORBIDDEN), args=_break),
    Entry("portfolio:otj-break-cancel", _planners(), args=_break),
]
