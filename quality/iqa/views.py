"""Internal quality assurance pages: naming IQA leads, sampling plans, drawing and adding
to a sample, the lead's verdict on one decision, the tutor's follow-up, and the report
(page, CSV and PDF)."""

import csv
import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from apprenticeship.models import Apprenticeship, DecisionStage
from config.downloads import protect_download
from config.pagination import paginate
from quality.errors import QualityError
from quality.iqa import access, pdf, selectors, services
from quality.iqa.access import IqaAction
from quality.iqa.forms import (
    AddItemForm,
    DrawForm,
    FindDecisionsForm,
    FollowUpForm,
    IqaLeadsForm,
    PlanForm,
    ReportPeriodForm,
    VerdictForm,
)
from quality.models import IqaItem, IqaLead, SamplingPlan


@login_required
@require_http_methods(["GET", "POST"])
def leads(request, pk: int):
    provider = access.get_provider_for_leads(request.user, pk)
    current = list(
        IqaLead.objects.filter(provider=provider, ended_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    form = IqaLeadsForm(request.POST or None, initial={"leads": current}, provider=provider)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = services.name_iqa_leads(
                    provider=provider,
                    by=request.user,
                    user_ids=[u.pk for u in form.cleaned_data["leads"]],
                )
            except QualityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "IQA leads saved." if changed else "Nothing changed.")
                return redirect(reverse("quality:iqa-leads", args=[provider.pk]))
        status = 400
    return render(
        request, "quality/iqa/leads.html", {"provider": provider, "form": form}, status=status
    )


@login_required
def plan_list(request):
    access.require_iqa_reader(request.user)
    plans = (
        access.visible_plans(request.user)
        .select_related("provider", "tutor")
        .annotate(
            n_items=Count("items"),
            n_waiting=Count("items", filter=Q(items__verdict="")),
            n_open=Count("items", filter=Q(items__follow_up=IqaItem.FollowUp.OPEN)),
        )
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "quality/iqa/plan_list.html",
        {
            "page": paginate(request, plans),
            "providers": list(access.readable_providers(request.user)),
            "is_lead": access.is_iqa_lead(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_add(request):
    providers = access.led_providers(request.user)
    if not providers.exists():
        raise PermissionDenied
    form = PlanForm(request.POST or None, providers=providers, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.make_plan(
                    provider=data["provider"],
                    by=request.user,
                    name=data["name"],
                    scope=data["scope"],
                    percent=data["percent"],
                    stages=data["stages"],
                    cohort_start_from=data["cohort_start_from"],
                    cohort_start_to=data["cohort_start_to"],
                    tutor=data["tutor"],
                )
            except QualityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Sampling plan made. Draw a sample when you are ready.")
                return redirect(reverse("quality:iqa-plan", args=[plan.pk]))
        status = 400
    return render(request, "quality/iqa/plan_form.html", {"form": form}, status=status)


def _rule(plan: SamplingPlan) -> dict:
    return {
        "percent": plan.percent,
        "raised": services.raised_percent(plan.percent),
        "floor": services.RAISED_FLOOR_PERCENT,
        "new_days": services.NEW_TUTOR_DAYS,
        "new_months": round(services.NEW_TUTOR_DAYS / 30.5),
        "disagreement_days": services.DISAGREEMENT_DAYS,
    }


def _default_period(plan: SamplingPlan) -> dict:
    today = timezone.localdate()
    last = plan.draws.order_by("-period_end").values_list("period_end", flat=True).first()
    start = last + dt.timedelta(days=1) if last and last < today else today - dt.timedelta(days=90)
    return {"start": start, "end": today}


def _plan_page(request, plan: SamplingPlan, draw_form: DrawForm, status: int = 200):
    show = request.GET.get("show", "")
    items = IqaItem.objects.filter(plan=plan).for_list().order_by("verdict", "added_at", "pk")
    if show == "waiting":
        items = items.filter(verdict="")
    may_manage = access.led_providers(request.user).filter(pk=plan.provider_id).exists()
    return render(
        request,
        "quality/iqa/plan_detail.html",
        {
            "plan": plan,
            "rule": _rule(plan),
            "draws": list(plan.draws.select_related("drawn_by")[:5]),
            "page": paginate(request, items),
            "show": show,
            "filter_query": "show=waiting" if show == "waiting" else "",
            "may_manage": may_manage,
            "draw_form": draw_form,
            "stages": [DecisionStage(s) for s in plan.stages],
        },
        status=status,
    )


@login_required
def plan_detail(request, pk: int):
    plan = access.get_plan_for(request.user, pk, IqaAction.VIEW)
    return _plan_page(request, plan, DrawForm(initial=_default_period(plan)))


@login_required
@require_POST
def plan_draw(request, pk: int):
    plan = access.get_plan_for(request.user, pk, IqaAction.MANAGE)
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            record, proposal = services.draw_sample(
                plan=plan,
                by=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except QualityError as error:
            form.add_error(None, str(error))
        else:
            note = (
                f" {proposal.left_out} decisions were left out because you made them or "
                "tutor those apprenticeships; another IQA lead can sample them."
                if proposal.left_out
                else ""
            )
            messages.success(
                request,
                f"Sample drawn: {record.picked} of {record.considered} decisions." + note,
            )
            return redirect(reverse("quality:iqa-plan", args=[plan.pk]))
    return _plan_page(request, plan, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def plan_add_item(request, pk: int):
    plan = access.get_plan_for(request.user, pk, IqaAction.MANAGE)
    asked = request.POST.get("stage") if request.method == "POST" else request.GET.get("stage")
    stage = asked if asked in plan.stages else plan.stages[0]
    status = 200
    if request.method == "POST":
        form = AddItemForm(request.POST)
        if form.is_valid():
            try:
                item = services.add_item(
                    plan=plan,
                    by=request.user,
                    stage=form.cleaned_data["stage"],
                    decision_id=form.cleaned_data["decision_id"],
                )
            except QualityError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"Added to the sample: {item.label}.")
                return redirect(reverse("quality:iqa-plan", args=[plan.pk]))
        else:
            messages.error(request, "Choose a decision from the list.")
        status = 400
    query = request.POST if request.method == "POST" else request.GET
    finder = FindDecisionsForm(query or None)
    older = selectors.Older.from_token(query.get("older", ""))
    up_to = None
    if finder.is_bound and finder.is_valid():
        up_to = finder.cleaned_data["up_to"]
    elif finder.is_bound:
        status = 400
    if query.get("older") and older is None:
        messages.error(request, "That link to older decisions is not right. Here are the newest.")
        status = 400
    rows, next_older = selectors.addable(plan, stage, request.user, older=older, up_to=up_to)
    apprentices = dict(
        Apprenticeship.objects.filter(pk__in=[r["a_id"] for r in rows]).values_list(
            "pk", "apprentice__full_name"
        )
    )
    tutors = dict(
        User.objects.filter(pk__in=[r["t_id"] for r in rows]).values_list("pk", "full_name")
    )
    choices = [
        {
            "decision_id": r["pk"],
            "label": selectors.label_of(stage, r),
            "apprentice": apprentices.get(r["a_id"], ""),
            "tutor": tutors.get(r["t_id"], ""),
            "at": r["at"],
        }
        for r in rows
    ]
    keep = {"stage": stage, **({"up_to": up_to.isoformat()} if up_to else {})}
    return render(
        request,
        "quality/iqa/plan_add_item.html",
        {
            "plan": plan,
            "stage": stage,
            "stages": [DecisionStage(s) for s in plan.stages],
            "choices": choices,
            "finder": finder if finder.is_bound else FindDecisionsForm(),
            "up_to": up_to,
            "paged": older is not None,
            "newest_query": urlencode(keep),
            "older_query": (urlencode({**keep, "older": next_older.token()}) if next_older else ""),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request, pk: int):
    item = access.get_item_for(request.user, pk, IqaAction.VIEW)
    may_judge = item.viewer_may_judge and item.is_waiting
    if request.method == "POST" and not may_judge:
        raise PermissionDenied
    form = VerdictForm(request.POST or None) if may_judge else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                services.record_verdict(
                    item=item,
                    by=request.user,
                    verdict=form.cleaned_data["verdict"],
                    note=form.cleaned_data["note"],
                )
            except QualityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Verdict recorded.")
                return redirect(reverse("quality:iqa-item", args=[item.pk]))
        status = 400
    reopens = services.reopens_sign_off(item)
    follow_form = (
        FollowUpForm(reopens=reopens)
        if item.viewer_may_follow_up and item.follow_up == IqaItem.FollowUp.OPEN
        else None
    )
    return _item_page(request, item, form, follow_form, status)


def _item_page(request, item, form, follow_form, status=200):
    return render(
        request,
        "quality/iqa/item_detail.html",
        {
            "item": item,
            "apprenticeship": item.apprenticeship,
            "decision": selectors.decision_view(item),
            "form": form,
            "follow_form": follow_form,
            "reopens": services.reopens_sign_off(item),
        },
        status=status,
    )


@login_required
def item_file(request, pk: int, file_pk: int):
    """A file of the sampled decision, for whoever may read the decision: always as a
    download, never sniffed, never cached."""
    item = access.get_item_for(request.user, pk, IqaAction.VIEW)
    file = selectors.decision_files(selectors.decision_view(item)).get(file_pk)
    if file is None:
        raise Http404
    try:
        handle = file.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=file.original_name, content_type=file.content_type
    )
    return protect_download(response)


@login_required
@require_POST
def item_follow_up(request, pk: int):
    item = access.get_item_for(request.user, pk, IqaAction.FOLLOW_UP)
    form = FollowUpForm(request.POST, reopens=services.reopens_sign_off(item))
    if form.is_valid():
        try:
            services.follow_up(item=item, by=request.user, note=form.cleaned_data["note"])
        except QualityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Sign-off reopened. You can sign the duty off again when the evidence covers it."
                if services.reopens_sign_off(item)
                else "Follow-up recorded.",
            )
            return redirect(reverse("quality:iqa-item", args=[item.pk]))
    return _item_page(request, item, None, form, status=400)


@login_required
def follow_up_list(request):
    items = access.follow_ups_for(request.user).for_list().order_by("verdict_at", "pk")
    return render(request, "quality/iqa/follow_up_list.html", {"page": paginate(request, items)})


# -- the report ------------------------------------------------------------------------


def _report_period(request) -> tuple[ReportPeriodForm, dt.date, dt.date]:
    today = timezone.localdate()
    default = {"start": today - dt.timedelta(days=365), "end": today}
    form = ReportPeriodForm(request.GET if "start" in request.GET else None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


def _report_context(request, pk: int) -> dict:
    provider = access.get_report_provider_for(request.user, pk)
    form, start, end = _report_period(request)
    return {
        "provider": provider,
        "form": form,
        "report": selectors.report(provider.pk, start=start, end=end),
        "generated_at": timezone.now(),
    }


@login_required
def report(request, pk: int):
    context = _report_context(request, pk)
    status = 400 if context["form"].is_bound and context["form"].errors else 200
    return render(request, "quality/iqa/report.html", context, status=status)


@login_required
def report_csv(request, pk: int):
    context = _report_context(request, pk)
    data = context["report"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="iqa-report-{context["provider"].pk}-{data.start}-{data.end}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "Tutor",
            "Stage",
            "Decisions made",
            "Sampled",
            "Coverage (%)",
            "Judged",
            "Agreed",
            "Agreement (%)",
            "Actions open",
        ]
    )
    for row in data.rows:
        writer.writerow(
            [
                _cell(row.tutor),
                row.stage_label,
                row.decisions,
                row.sampled,
                "" if row.coverage is None else row.coverage,
                row.judged,
                row.agreed,
                "" if row.agreement is None else row.agreement,
                row.actions_open,
            ]
        )
    writer.writerow(
        [
            "All tutors",
            "All stages",
            data.decisions,
            data.sampled,
            "" if data.coverage is None else data.coverage,
            data.judged,
            data.agreed,
            "" if data.agreement is None else data.agreement,
            data.actions_open,
        ]
    )
    return response


def _cell(text: str) -> str:
    """A name as a CSV cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def report_pdf(request, pk: int):
    context = _report_context(request, pk)
    data = context["report"]
    response = HttpResponse(pdf.render_report_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="iqa-report-{context["provider"].pk}-{data.start}-{data.end}.pdf"'
    )
    return response
