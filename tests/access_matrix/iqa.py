"""Internal quality assurance at the provider. In these entries the first provider's admin
is also named one of its IQA leads (so the ADMIN column is the lead's), the tutor is the
tutor whose sign-off is sampled, and the outsider and the second provider's people work
for another provider. tests/quality/test_iqa_access.py covers a lead who is not an admin,
another tutor at the same provider, and a second provider's IQA lead."""

import datetime as dt

from django.utils import timezone

from portfolio.evidence.models import DutySignOff
from quality.iqa import services as iqa
from tests.access_matrix.base import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Entry, everyone, only
from tests.helpers import iqa as helpers


def _lead(ctx):
    """The first provider's admin, named an IQA lead there (once per entry)."""
    provider = ctx["apprenticeship"].provider
    if "iqa_plan" not in ctx:
        iqa.name_iqa_leads(provider=provider, by=ctx["admin"], user_ids=[ctx["admin"].pk])
        sign_off = helpers.signed_off(ctx["apprenticeship"], ctx["tutor"], file=True)
        plan = helpers.cohort_plan(provider, ctx["admin"], stages=["evidence", "sign_off"])
        ctx["iqa_plan"] = plan
        ctx["iqa_item"] = iqa.add_item(
            plan=plan, by=ctx["admin"], stage="sign_off", decision_id=sign_off.pk
        )
    return ctx["admin"]


def _provider(ctx):
    _lead(ctx)
    return [ctx["apprenticeship"].provider_id]


def _plan(ctx):
    _lead(ctx)
    return [ctx["iqa_plan"].pk]


def _item(ctx):
    _lead(ctx)
    return [ctx["iqa_item"].pk]


def _item_file(ctx):
    _lead(ctx)
    sign_off = DutySignOff.objects.get(pk=ctx["iqa_item"].decision_id)
    file = sign_off.evidence_versions.get().files.get()
    return [ctx["iqa_item"].pk, file.pk]


def _judged_item(ctx):
    _lead(ctx)
    item = iqa.record_verdict(
        item=ctx["iqa_item"], by=ctx["admin"], verdict="disagree", note="Duty 1 not shown."
    )
    return [item.pk]


def _no_args(ctx):
    _lead(ctx)
    return []


def _judged_no_args(ctx):
    _judged_item(ctx)
    return []


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


# The lead (here the admin) alone; everyone else sees nothing of the provider's IQA.
LEAD = only({"admin": OK}, NOT_FOUND)
LEAD_POST = only({"admin": REDIRECT}, NOT_FOUND)
# Readers of the IQA plans: admins and leads of any provider, each seeing their own.
READERS = only({"admin": OK, "outsider": OK}, FORBIDDEN)
# Making a plan: an IQA lead at some provider.
LEADS_ANYWHERE = only({"admin": OK}, FORBIDDEN)

ENTRIES: list[Entry] = [
    Entry("quality:iqa-leads", LEAD, args=_provider),
    Entry(
        "quality:iqa-leads",
        LEAD_POST,
        args=_provider,
        method="post",
        data=lambda ctx: {"leads": [ctx["admin"].pk]},
        label="quality:iqa-leads POST",
    ),
    Entry("quality:iqa-report", LEAD, args=_provider),
    Entry("quality:iqa-report-csv", LEAD, args=_provider),
    Entry("quality:iqa-report-pdf", LEAD, args=_provider),
    Entry("quality:iqa-plan-list", READERS, args=_no_args),
    Entry("quality:iqa-plan-add", LEADS_ANYWHERE, args=_no_args),
    Entry(
        "quality:iqa-plan-add",
        only({"admin": REDIRECT}, FORBIDDEN),
        args=_no_args,
        method="post",
        data=_plan_data,
        label="quality:iqa-plan-add POST",
    ),
    Entry("quality:iqa-plan", LEAD, args=_plan),
    Entry("quality:iqa-plan-draw", LEAD_POST, args=_plan, method="post", data=_period),
    Entry("quality:iqa-plan-add-item", LEAD, args=_plan),
    Entry("quality:iqa-item", LEAD, args=_item),
    # A file the tutor relied on: whoever reads the sampled decision.
    Entry("quality:iqa-item-file", LEAD, args=_item_file),
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
        only({"admin": OK, "tutor": OK}, NOT_FOUND),
        args=_judged_item,
        label="quality:iqa-item after the verdict",
    ),
    Entry(
        "quality:iqa-item-follow-up",
        only({"admin": FORBIDDEN, "tutor": REDIRECT}, NOT_FOUND),
        args=_judged_item,
        method="post",
        data=lambda ctx: {"note": "Reopening to look again."},
    ),
    # Each person's own follow-ups (empty for most).
    Entry("quality:iqa-follow-ups", everyone(OK), args=_judged_no_args),
    Entry("dashboards:iqa-home", LEADS_ANYWHERE, args=_no_args),
]
