"""The supervision log's pages. Each view checks access, binds the form, calls a service and
responds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access
from apprenticeship.access import Action
from config.pagination import paginate
from portfolio.supervision import services
from portfolio.supervision.access import get_record_for, may_read_reflection, visible_records
from portfolio.supervision.forms import LogAsOtjForm, SharingForm, SupervisionForm
from portfolio.training.errors import OtjError
from portfolio.training.views.common import add_errors, page_context


@login_required
def supervision_list(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_SUPERVISION)
    records = visible_records(apprenticeship).select_related("supervisor")
    return render(
        request,
        "portfolio/supervision/supervision_list.html",
        page_context(apprenticeship, page=paginate(request, records.order_by("-held_on", "-pk"))),
    )


@login_required
@require_http_methods(["GET", "POST"])
def supervision_add(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.RECORD_SUPERVISION)
    form = SupervisionForm(
        request.POST or None,
        apprenticeship=apprenticeship,
        initial={"held_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_supervision(
                apprenticeship=apprenticeship, by=request.user, **form.service_values()
            )
        except ValidationError as error:
            add_errors(form, error)
        except services.SupervisionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Supervision recorded.")
            return redirect(record)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "portfolio/supervision/supervision_form.html",
        page_context(apprenticeship, form=form),
        status=status,
    )


@login_required
def supervision_detail(request, pk: int):
    record = get_record_for(request.user, pk, Action.VIEW_SUPERVISION)
    apprenticeship = record.apprenticeship
    context = page_context(
        apprenticeship,
        record=record,
        shows_reflection=may_read_reflection(record, apprenticeship.viewer_roles),
    )
    if context["can"]["record_supervision"]:
        context["sharing_form"] = SharingForm(
            initial={
                "shared_with_tutor": record.shared_with_tutor,
                "shared_with_employer": record.shared_with_employer,
                "reflection_shared": record.reflection_shared,
            }
        )
    return render(request, "portfolio/supervision/supervision_detail.html", context)


@login_required
@require_POST
def supervision_sharing(request, pk: int):
    record = get_record_for(request.user, pk, Action.RECORD_SUPERVISION)
    form = SharingForm(request.POST)
    form.is_valid()  # Three tick boxes: an unticked box is a choice too.
    services.change_sharing(record=record, by=request.user, **form.cleaned_data)
    messages.success(request, "Saved who can see this record.")
    return redirect(record)


@login_required
@require_POST
def supervision_use_as_evidence(request, pk: int):
    record = get_record_for(request.user, pk, Action.RECORD_SUPERVISION)
    access.get_apprenticeship_for(request.user, record.apprenticeship_id, Action.ADD_EVIDENCE)
    try:
        evidence = services.use_as_evidence(record=record, by=request.user)
    except services.SupervisionError as error:
        messages.error(request, str(error))
        return redirect(record)
    messages.success(
        request,
        "Evidence started from this record. Choose the duties and KSBs it shows, then submit it.",
    )
    return redirect("portfolio:evidence-edit", pk=evidence.pk)


@login_required
@require_http_methods(["GET", "POST"])
def supervision_log_otj(request, pk: int):
    record = get_record_for(request.user, pk, Action.RECORD_SUPERVISION)
    apprenticeship = access.get_apprenticeship_for(
        request.user, record.apprenticeship_id, Action.LOG_OTJ
    )
    if record.otj_entry_id is not None:
        messages.info(request, "This supervision is already in your off-the-job log.")
        return redirect(record)
    form = LogAsOtjForm(request.POST or None, apprenticeship=apprenticeship)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_as_otj(record=record, by=request.user, duty=form.cleaned_data["duty"])
        except ValidationError as error:
            add_errors(form, error)
        except (OtjError, services.SupervisionError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Logged as off-the-job training. It now waits for verification."
            )
            return redirect(record)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "portfolio/supervision/supervision_log_otj.html",
        page_context(apprenticeship, form=form, record=record),
        status=status,
    )
