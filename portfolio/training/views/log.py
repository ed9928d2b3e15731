"""Off-the-job training pages: the summary with its chart, the log, one entry, the training
plan, breaks in learning and the CSV downloads. Each view checks access, binds the form,
calls a service and responds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access
from apprenticeship.access import Action
from apprenticeship.models import Role
from config.pagination import paginate
from portfolio.evidence.access import visible_evidence
from portfolio.training import export as otj_export
from portfolio.training import selectors as services
from portfolio.training.access import get_otj_entry_for
from portfolio.training.errors import OtjError
from portfolio.training.forms import OtjEntryForm, RejectForm, VerifyForm, ticked_entries
from portfolio.training.models import OtjEntry
from portfolio.training.services import log as log_services
from portfolio.training.views.common import add_errors, csv_response, page_context

LOG_FILTERS = {
    "waiting": OtjEntry.Status.PENDING,
    "verified": OtjEntry.Status.VERIFIED,
    "rejected": OtjEntry.Status.REJECTED,
}


def _verifier_role(roles: frozenset[Role]) -> Role:
    return Role.TUTOR if Role.TUTOR in roles else Role.EMPLOYER


# -- the chart -------------------------------------------------------------------------


# -- pages -----------------------------------------------------------------------------


@login_required
def otj_log(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_OTJ)
    entries = OtjEntry.objects.current().filter(apprenticeship=apprenticeship).for_log()
    status = request.GET.get("status", "")
    if status in LOG_FILTERS:
        entries = entries.filter(status=LOG_FILTERS[status])
    else:
        status = ""
    return render(
        request,
        "portfolio/training/otj_entry_list.html",
        page_context(
            apprenticeship,
            page=paginate(request, entries.order_by("-date", "-pk")),
            status=status,
            filters=[
                ("", "All"),
                ("waiting", "Waiting"),
                ("verified", "Verified"),
                ("rejected", "Rejected"),
            ],
            closed=services.log_is_closed(apprenticeship),
        ),
    )


def _entry_form(request, apprenticeship, initial: dict) -> tuple[OtjEntryForm, bool]:
    """The entry form, and whether this request only looks for evidence to link ("Find
    evidence"): then what was typed comes back as it was, unchecked and unsaved."""
    if request.method == "POST" and "find_evidence" in request.POST:
        typed = {name: request.POST.get(name) for name in OtjEntryForm.base_fields}
        form = OtjEntryForm(
            apprenticeship=apprenticeship,
            initial={**initial, **{k: v for k, v in typed.items() if v is not None}},
            search=request.POST.get("evidence_search", ""),
        )
        return form, True
    return OtjEntryForm(request.POST or None, apprenticeship=apprenticeship, initial=initial), False


@login_required
@require_http_methods(["GET", "POST"])
def otj_entry_add(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.LOG_OTJ)
    closed = services.log_is_closed(apprenticeship)
    form, finding = _entry_form(request, apprenticeship, {"date": timezone.localdate()})
    if request.method == "POST" and not finding and not closed and form.is_valid():
        try:
            log_services.log_otj_entry(
                apprenticeship=apprenticeship, by=request.user, **form.service_values()
            )
        except ValidationError as error:
            add_errors(form, error)
        except OtjError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Training logged. It now waits for verification.")
            if "another" in request.POST:
                return redirect("portfolio:otj-entry-add", pk=apprenticeship.pk)
            return redirect("portfolio:otj-log", pk=apprenticeship.pk)
    return render(
        request,
        "portfolio/training/otj_entry_form.html",
        page_context(apprenticeship, form=form, closed=closed),
    )


@login_required
def otj_entry_detail(request, pk: int):
    entry = get_otj_entry_for(request.user, pk, Action.VIEW_OTJ)
    apprenticeship = entry.apprenticeship
    versions = (
        OtjEntry.objects.filter(lineage=entry.lineage)
        .select_related("duty", "decided_by", "created_by")
        .order_by("-version")
    )
    can = access.permissions(apprenticeship.viewer_roles)
    closed = services.log_is_closed(apprenticeship)
    return render(
        request,
        "portfolio/training/otj_entry_detail.html",
        {
            "apprenticeship": apprenticeship,
            "entry": entry,
            "versions": versions,
            "can": can,
            "closed": closed,
            "show_evidence": entry.evidence_id is not None
            and visible_evidence(apprenticeship).filter(pk=entry.evidence_id).exists(),
            "may_decide": can["verify_otj"] and entry.is_current and entry.is_pending,
            "may_change": can["log_otj"] and entry.is_current and not closed,
            "verify_form": VerifyForm(initial={"revision": entry.revision}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def otj_entry_edit(request, pk: int):
    entry = get_otj_entry_for(request.user, pk, Action.LOG_OTJ)
    apprenticeship = entry.apprenticeship
    if not entry.is_current:
        messages.info(request, "That is an earlier version; this is the latest.")
        return redirect(OtjEntry.objects.get(lineage=entry.lineage, is_current=True))
    closed = services.log_is_closed(apprenticeship)
    form, finding = _entry_form(request, apprenticeship, OtjEntryForm.initial_for(entry))
    if request.method == "POST" and not finding and not closed and form.is_valid():
        try:
            saved = log_services.change_otj_entry(
                entry=entry, by=request.user, **form.service_values()
            )
        except ValidationError as error:
            add_errors(form, error)
        except OtjError as error:
            form.add_error(None, str(error))
        else:
            if saved.pk != entry.pk:
                messages.success(
                    request,
                    f"Saved as version {saved.version}. The earlier version is kept, and this "
                    "one waits for verification.",
                )
            elif saved.revision != entry.revision:
                messages.success(request, "Changes saved.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect(saved)
    return render(
        request,
        "portfolio/training/otj_entry_form.html",
        page_context(apprenticeship, form=form, entry=entry, closed=closed),
    )


@login_required
@require_POST
def otj_entry_verify(request, pk: int):
    entry = get_otj_entry_for(request.user, pk, Action.VERIFY_OTJ)
    form = VerifyForm(request.POST)
    revision = form.cleaned_data["revision"] if form.is_valid() else None
    try:
        log_services.verify_otj_entry(
            entry=entry,
            by=request.user,
            as_role=_verifier_role(entry.apprenticeship.viewer_roles),
            revision=revision,
        )
    except OtjError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Verified.")
    return redirect(entry)


@login_required
@require_http_methods(["GET", "POST"])
def otj_entry_reject(request, pk: int):
    entry = get_otj_entry_for(request.user, pk, Action.VERIFY_OTJ)
    form = RejectForm(request.POST or None, initial={"revision": entry.revision})
    if request.method == "POST" and form.is_valid():
        try:
            log_services.reject_otj_entry(
                entry=entry,
                by=request.user,
                as_role=_verifier_role(entry.apprenticeship.viewer_roles),
                reason=form.cleaned_data["reason"],
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as error:
            add_errors(form, error)
        except OtjError as error:
            messages.error(request, str(error))
            return redirect(entry)
        else:
            messages.success(request, "Rejected. The apprentice can see your reason.")
            return redirect(entry)
    return render(
        request,
        "portfolio/training/otj_entry_reject.html",
        {"apprenticeship": entry.apprenticeship, "entry": entry, "form": form},
    )


@login_required
@require_POST
def otj_verify_many(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VERIFY_OTJ)
    seen = ticked_entries(request.POST)
    if not seen:
        messages.error(request, "Tick the entries to verify first.")
    else:
        verified, skipped = log_services.verify_otj_entries(
            apprenticeship=apprenticeship,
            by=request.user,
            as_role=_verifier_role(apprenticeship.viewer_roles),
            seen=seen,
        )
        messages.success(request, f"Verified {verified} entr{'y' if verified == 1 else 'ies'}.")
        if skipped:
            messages.warning(
                request,
                f"{skipped} entr{'y was' if skipped == 1 else 'ies were'} not verified: changed "
                "or decided by someone else since the page was opened. Check them again.",
            )
    return redirect(reverse("portfolio:otj-log", args=[apprenticeship.pk]) + "?status=waiting")


# -- the training plan -----------------------------------------------------------------


# -- breaks in learning ----------------------------------------------------------------


# -- downloads -------------------------------------------------------------------------


@login_required
def otj_log_csv(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_OTJ)
    stamp = timezone.localdate().isoformat()
    return csv_response(
        otj_export.otj_log_rows(apprenticeship),
        f"off-the-job-log-{apprenticeship.pk}-{stamp}.csv",
    )
