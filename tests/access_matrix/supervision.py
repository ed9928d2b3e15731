"""The supervision log: the apprentice's own. The tutor and the employer contact see only
the records the apprentice shares with them (anything else is a 404); the provider admin is
not among the people a record is shared with (403), and the assessor reads none of the live
log (404 before gateway, 403 after)."""

from tests import factories
from tests.access_matrix.base import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Entry, only


def _apprenticeship(ctx):
    return [ctx["apprenticeship"].pk]


def _record(**sharing):
    def build(ctx):
        return [
            factories.SupervisionRecordFactory(apprenticeship=ctx["apprenticeship"], **sharing).pk
        ]

    return build


TUTOR_ONLY = _record(shared_with_tutor=True, shared_with_employer=False)
EMPLOYER_ONLY = _record(shared_with_tutor=False, shared_with_employer=True)
PRIVATE = _record(shared_with_tutor=False, shared_with_employer=False)


def _seen_by(*, tutor: int, employer: int, apprentice: int = OK, assessor: int = NOT_FOUND):
    return only(
        {
            "apprentice": apprentice,
            "tutor": tutor,
            "employer": employer,
            "admin": FORBIDDEN,
            "assessor": assessor,
        },
        NOT_FOUND,
    )


def _apprentice_writes(ok: int, *, tutor: int, employer: int) -> dict[str, int]:
    return _seen_by(apprentice=ok, tutor=tutor, employer=employer)


ENTRIES = [
    Entry("portfolio:supervision-list", _seen_by(tutor=OK, employer=OK), args=_apprenticeship),
    Entry(
        "portfolio:supervision-list",
        _seen_by(tutor=OK, employer=OK, assessor=FORBIDDEN),
        args=_apprenticeship,
        state="post_gateway",
        label="supervision-list-after-gateway",
    ),
    Entry(
        "portfolio:supervision-add",
        _seen_by(tutor=FORBIDDEN, employer=FORBIDDEN),
        args=_apprenticeship,
    ),
    Entry(
        "portfolio:supervision-detail",
        _seen_by(tutor=OK, employer=NOT_FOUND),
        args=TUTOR_ONLY,
        label="supervision-detail-shared-with-tutor",
    ),
    Entry(
        "portfolio:supervision-detail",
        _seen_by(tutor=NOT_FOUND, employer=OK),
        args=EMPLOYER_ONLY,
        label="supervision-detail-shared-with-employer",
    ),
    Entry(
        "portfolio:supervision-detail",
        _seen_by(tutor=NOT_FOUND, employer=NOT_FOUND),
        args=PRIVATE,
        label="supervision-detail-private",
    ),
    Entry(
        "portfolio:supervision-sharing",
        _apprentice_writes(REDIRECT, tutor=FORBIDDEN, employer=NOT_FOUND),
        args=TUTOR_ONLY,
        method="post",
        data=lambda ctx: {"shared_with_tutor": "on"},
    ),
    Entry(
        "portfolio:supervision-use-as-evidence",
        _apprentice_writes(REDIRECT, tutor=FORBIDDEN, employer=FORBIDDEN),
        args=_record(shared_with_tutor=True, shared_with_employer=True),
        method="post",
    ),
    Entry(
        "portfolio:supervision-log-otj",
        _apprentice_writes(OK, tutor=NOT_FOUND, employer=FORBIDDEN),
        args=EMPLOYER_ONLY,
    ),
]
