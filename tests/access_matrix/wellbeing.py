"""The wellbeing plan: the apprentice's own. The tutor and the employer contact read only
the sections shared with them (the page itself opens for them, showing nothing else); the
provider admin is not someone the plan is shared with (403); the assessor never reads it
(404 before gateway, 403 after)."""

from portfolio.wellbeing import services
from portfolio.wellbeing.models import ReasonableAdjustment
from tests.access_matrix.base import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Entry, only
from tests.helpers.wellbeing import write_plan


def _apprenticeship(ctx):
    return [ctx["apprenticeship"].pk]


def _with_plan(ctx):
    write_plan(ctx, share=False)
    return [ctx["apprenticeship"].pk]


def _rule(*, apprentice: int, tutor: int, employer: int, assessor: int = NOT_FOUND):
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


ENTRIES = [
    Entry("portfolio:wellbeing-plan", _rule(apprentice=OK, tutor=OK, employer=OK), args=_with_plan),
    Entry(
        "portfolio:wellbeing-plan",
        _rule(apprentice=OK, tutor=OK, employer=OK, assessor=FORBIDDEN),
        args=_with_plan,
        state="post_gateway",
        label="wellbeing-plan-after-gateway",
    ),
    Entry(
        "portfolio:wellbeing-plan-edit",
        _rule(apprentice=OK, tutor=FORBIDDEN, employer=FORBIDDEN),
        args=_apprenticeship,
    ),
    Entry(
        "portfolio:wellbeing-sharing",
        _rule(apprentice=REDIRECT, tutor=FORBIDDEN, employer=FORBIDDEN),
        args=_with_plan,
        method="post",
        data=lambda ctx: {"section": "what_helps", "audience": "tutor", "shared": "yes"},
    ),
]


def _adjustment(area: str, *, passed: bool = False):
    def build(ctx):
        adjustment = ReasonableAdjustment.objects.create(
            apprenticeship=ctx["apprenticeship"], area=area, description="Breaks every hour."
        )
        if passed:
            services.pass_with_gateway(apprenticeship=ctx["apprenticeship"], by=ctx["tutor"])
        return [adjustment.pk]

    return build


def _decision(ctx):
    return {"agreed": "yes"}


ADJUSTMENT_ENTRIES = [
    Entry(
        "portfolio:adjustment-list",
        _rule(apprentice=OK, tutor=OK, employer=OK) | {"admin": OK},
        args=_apprenticeship,
    ),
    Entry(
        "portfolio:adjustment-list",
        _rule(apprentice=OK, tutor=OK, employer=OK, assessor=FORBIDDEN)
        # The organisation's admin decides assessment adjustments; its moderators don't.
        | {"admin": OK, "epao_admin": OK, "moderator": FORBIDDEN},
        args=_apprenticeship,
        state="post_gateway",
        label="adjustment-list-after-gateway",
    ),
    Entry(
        "portfolio:adjustment-agree",
        _rule(apprentice=FORBIDDEN, tutor=NOT_FOUND, employer=REDIRECT) | {"admin": NOT_FOUND},
        args=_adjustment("work"),
        method="post",
        data=_decision,
        label="adjustment-agree-work",
    ),
    Entry(
        "portfolio:adjustment-agree",
        _rule(apprentice=FORBIDDEN, tutor=REDIRECT, employer=NOT_FOUND) | {"admin": REDIRECT},
        args=_adjustment("learning"),
        method="post",
        data=_decision,
        label="adjustment-agree-learning",
    ),
    Entry(
        "portfolio:adjustment-decide",
        _rule(apprentice=FORBIDDEN, tutor=FORBIDDEN, employer=NOT_FOUND, assessor=FORBIDDEN)
        | {"epao_admin": REDIRECT, "moderator": FORBIDDEN},
        args=_adjustment("assessment", passed=True),
        method="post",
        data=_decision,
        state="post_gateway",
    ),
]
ENTRIES += ADJUSTMENT_ENTRIES
