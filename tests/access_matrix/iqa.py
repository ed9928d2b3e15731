"""Internal quality assurance at the provider. The IQA_LEAD persona is the first provider's
IQA lead (named at the start, no other role); the admin names leads and reads the plans,
reports and sampled decisions without judging them; the tutor is the tutor whose sign-off is
sampled; the second provider's tutor is named that provider's IQA lead in these entries (a
lead out of scope), and the outsider is its admin. Each page is also asked after the
lead's role has ended, and the sampled decision by a lead who was once a tutor on the
apprenticeship. tests/quality/test_iqa_access.py covers more (another tutor at the same
provider, a lead who made the decision themselves)."""

import datetime as dt

from django.utils import timezone

from apprenticeship.models import Role
from portfolio.evidence.models import DutySignOff
from quality.iqa import services as iqa
from tests import factories
from tests.access_matrix.base import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Entry, everyone, only
from tests.helpers import iqa as helpers


def _sampled(ctx):
    """A sampled sign-off of the first provider's, in a plan its IQA lead made; and the
    second provider's tutor named an IQA lead there (once per entry)."""
    if "iqa_plan" not in ctx:
        provider = ctx["apprenticeship"].provider
        other = ctx["other_apprenticeship"].provider
        iqa.name_iqa_leads(provider=other, by=ctx["outsider"], user_ids=[ctx["p2_tutor"].pk])
        lead = ctx["iqa_lead"]
        sign_off = helpers.signed_off(ctx["apprenticeship"], ctx["tutor"], file=True)
        plan = helpers.cohort_plan(provider, lead, stages=["evidence", "sign_off"])
        ctx["iqa_plan"] = plan
        ctx["iqa_item"] = iqa.add_item(
            plan=plan, by=lead, stage="sign_off", decision_id=sign_off.pk
        )
    return ctx


def _role_ended(ctx):
    """The admin ends the IQA lead's role (the sample stays)."""
    _sampled(ctx)
    iqa.name_iqa_leads(provider=ctx["apprenticeship"].provider, by=ctx["admin"], user_ids=[])


def _once_a_tutor(ctx):
    """The IQA lead was a tutor on the sampled apprenticeship once (the role has ended)."""
    _sampled(ctx)
    factories.MembershipFactory(
        apprenticeship=ctx["apprenticeship"],
        user=ctx["iqa_lead"],
        role=Role.TUTOR,
        is_active=False,
        ended_at=timezone.now(),
    )


def _provider(ctx):
    _sampled(ctx)
    return [ctx["apprenticeship"].provider_id]


def _plan(ctx):
    _sampled(ctx)
    return [ctx["iqa_plan"].pk]


def _item(ctx):
    _sampled(ctx)
    return [ctx["iqa_item"].pk]


def _item_file(ctx):
    _sampled(ctx)
    sign_off = DutySignOff.objects.get(pk=ctx["iqa_item"].decision_id)
    file = sign_off.evidence_versions.get().files.get()
    return [ctx["iqa_item"].pk, file.pk]


def _judged_item(ctx):
    _sampled(ctx)
    item = iqa.record_verdict(
        item=ctx["iqa_item"], by=ctx["iqa_lead"], verdict="disagree", note="Duty 1 not shown."
    )
    return [item.pk]


def _no_args(ctx):
    _sampled(ctx)
    return []


def _judged_no_args(ctx):
    _judged_item(ctx)
    return []


def _after(change, build):
    """`build`'s arguments, once `change` is made."""

    def args(ctx):
        _sampled(ctx)
        change(ctx)
        return build(ctx)

    return args


def _plan_data(ctx):
    today = timezone.localdate()
    return {
        "provider": ctx["apprenticeship"].provider_id,
        "name": "Spring starts",
        "scope": "cohort",
        "cohort_start_from": (today - dt.timedelta(days=365)).isoformat(),
        "cohort_start_to": today.isoformat(),
        "percent": "10",
        "stages": ["evidence", "sign_off"],
    }


def _period(ctx):
    today = timezone.localdate()
    return {"start": (today - dt.timedelta(days=30)).isoformat(), "end": today.isoformat()}


# The IQA lead and the admin read the provider's IQA; the second provider's lead (its tutor
# here) and everyone else see nothing of it.
READ = only({"iqa_lead": OK, "admin": OK, "p2_tutor": NOT_FOUND}, NOT_FOUND)
# The lead's work (drawing, adding to the sample, judging): the admin sees the plan but
# does not do the lead's work.
LEAD_POST = only({"iqa_lead": REDIRECT, "admin": FORBIDDEN, "p2_tutor": NOT_FOUND}, NOT_FOUND)
# Readers of the IQA plans: admins and leads of any provider, each seeing their own.
READERS = only({"iqa_lead": OK, "admin": OK, "outsider": OK, "p2_tutor": OK}, FORBIDDEN)
# Making a plan: an IQA lead at some provider.
LEADS_ANYWHERE = only({"iqa_lead": OK, "p2_tutor": OK}, FORBIDDEN)


ENTRIES: list[Entry] = [
    # Naming the leads: the provider's admin alone.
    Entry("quality:iqa-leads", only({"admin": OK}, NOT_FOUND), args=_provider),
    Entry(
        "quality:iqa-leads",
        only({"admin": REDIRECT}, NOT_FOUND),
        args=_provider,
        method="post",
        data=lambda ctx: {"leads": [ctx["iqa_lead"].pk]},
        label="quality:iqa-leads POST",
    ),
    Entry("quality:iqa-report", READ, args=_provider),
    Entry("quality:iqa-report-csv", READ, args=_provider),
    Entry("quality:iqa-report-pdf", READ, args=_provider),
    Entry("quality:iqa-plan-list", READERS, args=_no_args),
    Entry("quality:iqa-plan-add", LEADS_ANYWHERE, args=_no_args),
    Entry(
        "quality:iqa-plan-add",
        # Another provider's lead may make plans, but not for the first provider: the form
        # says so (400) and nothing is made.
        only({"iqa_lead": REDIRECT, "p2_tutor": 400}, FORBIDDEN),
        args=_no_args,
        method="post",
        data=_plan_data,
        label="quality:iqa-plan-add POST",
    ),
    Entry("quality:iqa-plan", READ, args=_plan),
    Entry("quality:iqa-plan-draw", LEAD_POST, args=_plan, method="post", data=_period),
    Entry(
        "quality:iqa-plan-add-item",
        only({"iqa_lead": OK, "admin": FORBIDDEN, "p2_tutor": NOT_FOUND}, NOT_FOUND),
        args=_plan,
    ),
    Entry("quality:iqa-item", READ, args=_item),
    # A file the tutor relied on: whoever reads the sampled decision.
    Entry("quality:iqa-item-file", READ, args=_item_file),
    Entry(
        "quality:iqa-item",
        LEAD_POST,
        args=_item,
        method="post",
        data=lambda ctx: {"verdict": "agree", "note": ""},
        label="quality:iqa-item POST verdict",
    ),
    # Once judged, the sampled tutor reads it and follows it up; the lead does not.
    Entry(
        "quality:iqa-item",
        only({"iqa_lead": OK, "admin": OK, "tutor": OK, "p2_tutor": NOT_FOUND}, NOT_FOUND),
        args=_judged_item,
        label="quality:iqa-item after the verdict",
    ),
    Entry(
        "quality:iqa-item-follow-up",
        only(
            {"iqa_lead": FORBIDDEN, "admin": FORBIDDEN, "tutor": REDIRECT, "p2_tutor": NOT_FOUND},
            NOT_FOUND,
        ),
        args=_judged_item,
        method="post",
        data=lambda ctx: {"note": "Reopening to look again."},
    ),
    # Each person's own follow-ups (empty for most).
    Entry("quality:iqa-follow-ups", everyone(OK), args=_judged_no_args),
    # The lead's home: their sampling work, at their own provider.
    Entry("dashboards:iqa-home", LEADS_ANYWHERE, args=_no_args),
    # After the admin ends the lead's role: the lead sees none of it any more.
    Entry(
        "quality:iqa-report",
        {**READ, "iqa_lead": NOT_FOUND},
        args=_after(_role_ended, _provider),
        label="quality:iqa-report after the lead's role ended",
    ),
    Entry(
        "quality:iqa-plan-list",
        {**READERS, "iqa_lead": FORBIDDEN},
        args=_after(_role_ended, lambda ctx: []),
        label="quality:iqa-plan-list after the lead's role ended",
    ),
    Entry(
        "quality:iqa-plan-add",
        {**LEADS_ANYWHERE, "iqa_lead": FORBIDDEN},
        args=_after(_role_ended, lambda ctx: []),
        label="quality:iqa-plan-add after the lead's role ended",
    ),
    Entry(
        "quality:iqa-plan",
        {**READ, "iqa_lead": NOT_FOUND},
        args=_after(_role_ended, _plan),
        label="quality:iqa-plan after the lead's role ended",
    ),
    Entry(
        "quality:iqa-plan-draw",
        {**LEAD_POST, "iqa_lead": NOT_FOUND},
        args=_after(_role_ended, _plan),
        method="post",
        data=_period,
        label="quality:iqa-plan-draw POST after the lead's role ended",
    ),
    Entry(
        "quality:iqa-item",
        {**READ, "iqa_lead": NOT_FOUND},
        args=_after(_role_ended, _item),
        label="quality:iqa-item after the lead's role ended",
    ),
    Entry(
        "quality:iqa-item-file",
        {**READ, "iqa_lead": NOT_FOUND},
        args=_after(_role_ended, _item_file),
        label="quality:iqa-item-file after the lead's role ended",
    ),
    Entry(
        "quality:iqa-item",
        {**LEAD_POST, "iqa_lead": NOT_FOUND},
        args=_after(_role_ended, _item),
        method="post",
        data=lambda ctx: {"verdict": "agree", "note": ""},
        label="quality:iqa-item POST verdict after the lead's role ended",
    ),
    Entry(
        "dashboards:iqa-home",
        {**LEADS_ANYWHERE, "iqa_lead": FORBIDDEN},
        args=_after(_role_ended, lambda ctx: []),
        label="dashboards:iqa-home after the lead's role ended",
    ),
    # A lead who was once a tutor on the sampled apprenticeship neither reads nor judges it.
    Entry(
        "quality:iqa-item",
        {**READ, "iqa_lead": FORBIDDEN},
        args=_after(_once_a_tutor, _item),
        label="quality:iqa-item by a lead who was its tutor",
    ),
    Entry(
        "quality:iqa-item-file",
        {**READ, "iqa_lead": FORBIDDEN},
        args=_after(_once_a_tutor, _item_file),
        label="quality:iqa-item-file by a lead who was its tutor",
    ),
    Entry(
        "quality:iqa-item",
        {**LEAD_POST, "iqa_lead": FORBIDDEN},
        args=_after(_once_a_tutor, _item),
        method="post",
        data=lambda ctx: {"verdict": "agree", "note": ""},
        label="quality:iqa-item POST verdict by a lead who was its tutor",
    ),
]
