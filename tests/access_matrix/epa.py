"""End-point assessment: the assessor's record, assigning assessors, and the assessment
organisation's pages. Only the assigned assessor records; an assessor who is not assigned,
or before gateway, gets a 404. The assessment organisation's admin (EPAO_ADMIN below, for
every entry) sees and arranges the assessment after gateway, assigns the assessors (the
provider no longer does) and never records it."""

from dataclasses import replace

from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from epa.models import AssessmentRound, ConflictDeclaration
from epa.services import assessment as services
from epa.services import results
from standards.models import AssessmentPlan
from tests import factories
from tests.access_matrix.base import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Entry, everyone, only
from tests.helpers.epa import add_plan, confirm, pass_gateway, record_method, st0896_plan_data

# Visible to everyone on the apprenticeship, recorded only by the assessor.
ASSESSOR_ONLY = only(
    {
        "assessor": OK,
        "apprentice": FORBIDDEN,
        "employer": FORBIDDEN,
        "tutor": FORBIDDEN,
        "admin": FORBIDDEN,
    },
    NOT_FOUND,
)
ASSESSOR_ACTS = {**ASSESSOR_ONLY, "assessor": REDIRECT}
# Before gateway the assessor does not see the apprenticeship at all.
BEFORE_GATEWAY = only(
    {"apprentice": FORBIDDEN, "employer": FORBIDDEN, "tutor": FORBIDDEN, "admin": FORBIDDEN},
    NOT_FOUND,
)
# The assessment organisation's admin only (tested in tests/epa/test_access.py).
EPAO_ADMIN_ONLY = only(
    {
        "assessor": FORBIDDEN,
        "apprentice": FORBIDDEN,
        "employer": FORBIDDEN,
        "tutor": FORBIDDEN,
        "admin": FORBIDDEN,
    },
    NOT_FOUND,
)
ASSIGNERS = only(
    {
        "admin": FORBIDDEN,
        "assessor": FORBIDDEN,
        "apprentice": FORBIDDEN,
        "employer": FORBIDDEN,
        "tutor": FORBIDDEN,
    },
    NOT_FOUND,
)

# What the assessment organisation's admin gets, by entry.
EPAO_ADMIN = {
    "epa:assessment": NOT_FOUND,  # before gateway
    "epa:assessment after gateway": OK,
    "epa:assessment of an apprentice the assessor is not assigned to": OK,
    "epa:assessor-assign before gateway": NOT_FOUND,
    "epa:assessor-assign": OK,
    "epa:assessor-remove": OK,
    "epa:declaration": FORBIDDEN,
    "epa:declaration before gateway": NOT_FOUND,
    "epa:session-record": FORBIDDEN,
    "epa:session-record POST": FORBIDDEN,
    "epa:session-detail": OK,
    "epa:question-add": FORBIDDEN,
    "epa:question-edit": FORBIDDEN,
    "epa:ksb-notes": FORBIDDEN,
    "epa:method-grade": FORBIDDEN,
    "epa:method-grade POST (only the assigned assessor grades)": FORBIDDEN,
    "epa:result-confirm": FORBIDDEN,
    "epa:round-start": FORBIDDEN,
    "epa:exceptional-circumstances": OK,
    "epa:appeal-record": OK,
    "epa:appeal-decide": OK,
    "epa:epao-home": OK,
    "epa:resit-policies": OK,
    "epa:resit-policy-record": OK,
    "epa:resit-policy-record POST": REDIRECT,
}


# Where the organisation's moderator differs from its admin: the admin's own work (assigning
# assessors, exceptional circumstances, appeals, policies) is not the moderator's.
MODERATOR = {
    "epa:assessor-assign": FORBIDDEN,
    "epa:assessor-remove": FORBIDDEN,
    "epa:exceptional-circumstances": FORBIDDEN,
    "epa:appeal-record": FORBIDDEN,
    "epa:appeal-decide": FORBIDDEN,
    "epa:resit-policies": NOT_FOUND,
    "epa:resit-policy-record": NOT_FOUND,
    "epa:resit-policy-record POST": NOT_FOUND,
}


def _plan(ctx):
    standard = ctx["apprenticeship"].standard_version
    plan = AssessmentPlan.objects.filter(standard_version=standard).first()
    return plan or add_plan(standard, st0896_plan_data())


def _methods(ctx):
    return {m.code: m for m in _plan(ctx).methods.all()}


def _ready(ctx, *, declared: bool = True) -> Apprenticeship:
    """The personas' apprenticeship past gateway with the ST0896 plan data, its assessor
    declared independent."""
    _plan(ctx)
    apprenticeship = pass_gateway(ctx["apprenticeship"])
    if declared and not ConflictDeclaration.objects.filter(assessor=ctx["assessor"]).exists():
        services.declare_no_conflict(apprenticeship=apprenticeship, assessor=ctx["assessor"])
    return apprenticeship


def _apprenticeship(ctx):
    _plan(ctx)
    return [ctx["apprenticeship"].pk]


def _ready_apprenticeship(ctx):
    return [_ready(ctx).pk]


def _undeclared(ctx):
    return [_ready(ctx, declared=False).pk]


def _not_assigned(ctx):
    """Someone else's apprentice with the same assessment organisation, past gateway."""
    _plan(ctx)
    other = factories.ApprenticeshipFactory(
        standard_version=ctx["apprenticeship"].standard_version,
        epao=ctx["apprenticeship"].epao,
    )
    return [pass_gateway(other).pk]


def _session_record(ctx):
    a = _ready(ctx)
    return [a.pk, _methods(ctx)["AM1"].pk, 1]


def _session(ctx):
    a = _ready(ctx)
    session = services.record_session(
        apprenticeship=a,
        method=_methods(ctx)["AM1"],
        number=1,
        by=ctx["assessor"],
        held_on=timezone.localdate(),
        duration_minutes=60,
        mode="in_person",
    )
    return session


def _question(ctx):
    session = _session(ctx)
    return services.add_question(
        session=session, by=ctx["assessor"], question="Why peer work?", answer_notes="Hope."
    )


def _observation(ctx):
    return record_method(_ready(ctx), _methods(ctx)["AM1"], ctx["assessor"])


def _round(ctx):
    _observation(ctx)
    return AssessmentRound.objects.get(apprenticeship=ctx["apprenticeship"])


def _failed(ctx):
    """A confirmed first attempt with the discussion failed."""
    a = _ready(ctx)
    methods = _methods(ctx)
    record_method(a, methods["AM1"], ctx["assessor"], grade="pass")
    record_method(a, methods["AM2"], ctx["assessor"], grade="fail")
    return confirm(a, ctx["assessor"])


def _resit(ctx):
    _failed(ctx)
    return results.start_round(
        apprenticeship=ctx["apprenticeship"], by=ctx["assessor"], kind="resit"
    )


def _appeal(ctx):
    round_ = _failed(ctx)
    epao = ctx["apprenticeship"].epao
    admin = factories.UserFactory()
    factories.OrganisationMembershipFactory(user=admin, organisation=epao, is_admin=True)
    return results.record_appeal(round_=round_, by=admin, raised_by="apprentice", reason="x")


def _assessor_membership(ctx):
    _ready(ctx)
    return [ctx["apprenticeship"].memberships.get(role=Role.ASSESSOR, is_active=True).pk]


def _pk(build):
    return lambda ctx: [build(ctx).pk]


QUESTION = {"question": "How do you keep yourself safe?", "answer_notes": "Supervision."}

ENTRIES: list[Entry] = [
    Entry("epa:assessment", BEFORE_GATEWAY, args=_apprenticeship),
    Entry(
        "epa:assessment",
        ASSESSOR_ONLY,
        args=_ready_apprenticeship,
        state="post_gateway",
        label="epa:assessment after gateway",
    ),
    Entry(
        "epa:assessment",
        everyone(NOT_FOUND),
        args=_not_assigned,
        label="epa:assessment of an apprentice the assessor is not assigned to",
    ),
    Entry(
        "epa:assessor-assign",
        BEFORE_GATEWAY,
        args=_apprenticeship,
        label="epa:assessor-assign before gateway",
    ),
    Entry("epa:assessor-assign", ASSIGNERS, args=_ready_apprenticeship, state="post_gateway"),
    Entry("epa:assessor-remove", ASSIGNERS, args=_assessor_membership, state="post_gateway"),
    Entry("epa:declaration", ASSESSOR_ONLY, args=_undeclared, state="post_gateway"),
    Entry(
        "epa:declaration",
        BEFORE_GATEWAY,
        args=_apprenticeship,
        label="epa:declaration before gateway",
    ),
    Entry("epa:session-record", ASSESSOR_ONLY, args=_session_record, state="post_gateway"),
    Entry(
        "epa:session-record",
        ASSESSOR_ACTS,
        args=_session_record,
        state="post_gateway",
        method="post",
        data=lambda ctx: {
            "held_on": timezone.localdate().isoformat(),
            "duration_minutes": 60,
            "mode": "in_person",
        },
        label="epa:session-record POST",
    ),
    Entry("epa:session-detail", ASSESSOR_ONLY, args=_pk(_session), state="post_gateway"),
    Entry(
        "epa:question-add",
        ASSESSOR_ACTS,
        args=_pk(_session),
        state="post_gateway",
        method="post",
        data=lambda ctx: QUESTION,
    ),
    Entry("epa:question-edit", ASSESSOR_ONLY, args=_pk(_question), state="post_gateway"),
    Entry("epa:ksb-notes", ASSESSOR_ONLY, args=_pk(_observation), state="post_gateway"),
    Entry("epa:method-grade", ASSESSOR_ONLY, args=_pk(_observation), state="post_gateway"),
    Entry(
        "epa:method-grade",
        ASSESSOR_ACTS,
        args=_pk(_observation),
        state="post_gateway",
        method="post",
        data=lambda ctx: {"grade": "pass"},
        label="epa:method-grade POST (only the assigned assessor grades)",
    ),
    Entry("epa:result-confirm", ASSESSOR_ONLY, args=_pk(_round), state="post_gateway"),
    Entry(
        "epa:round-start",
        ASSESSOR_ONLY,
        args=lambda ctx: [_failed(ctx).apprenticeship_id],
        state="post_gateway",
    ),
    Entry("epa:exceptional-circumstances", EPAO_ADMIN_ONLY, args=_pk(_resit), state="post_gateway"),
    Entry("epa:appeal-record", EPAO_ADMIN_ONLY, args=_pk(_failed), state="post_gateway"),
    Entry("epa:appeal-decide", EPAO_ADMIN_ONLY, args=_pk(_appeal), state="post_gateway"),
    Entry("epa:epao-home", everyone(OK)),
    # The assessment organisation's own resit policy: its admins only.
    Entry(
        "epa:resit-policies",
        everyone(NOT_FOUND),
        args=lambda ctx: [ctx["apprenticeship"].epao_id],
    ),
    Entry(
        "epa:resit-policy-record",
        everyone(NOT_FOUND),
        args=lambda ctx: [ctx["apprenticeship"].epao_id, _plan(ctx).standard_version_id],
    ),
    Entry(
        "epa:resit-policy-record",
        everyone(NOT_FOUND),
        args=lambda ctx: [ctx["apprenticeship"].epao_id, _plan(ctx).standard_version_id],
        method="post",
        data=lambda ctx: {"name": "Policy 2", "grade_cap": "pass", "scope": "failed"},
        label="epa:resit-policy-record POST",
    ),
]

ENTRIES = [
    replace(
        entry,
        expected={
            **entry.expected,
            "epao_admin": EPAO_ADMIN[entry.id],
            "moderator": MODERATOR.get(entry.id, EPAO_ADMIN[entry.id]),
        },
    )
    for entry in ENTRIES
]
