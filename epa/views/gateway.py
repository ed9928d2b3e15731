"""Gateway: the checklist, the declarations, and the portfolio frozen for the assessor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship.access import Action, get_apprenticeship_for, permissions
from apprenticeship.models import Apprenticeship
from config.downloads import protect_download
from config.pagination import PAGE_SIZE
from epa import access
from epa.forms.gateway import DeclarationForm, EnglishMathsForm, ReasonForm
from epa.models import EnglishMaths, GatewayDeclaration
from epa.selectors import frozen as frozen_parts
from epa.selectors import gateway as selectors
from epa.services import gateway as services
from epa.services import reads
from epa.services.gateway import GatewayError
from portfolio.evidence.models import EvidenceFile
from portfolio.wellbeing.access import waiting_for_gateway
from standards.templatetags.provenance import code_marks


@login_required
def gateway(request, pk: int):
    apprenticeship = get_apprenticeship_for(
        request.user,
        pk,
        Action.VIEW_GATEWAY,
        # With the provider's gateway policy, which the checklist follows.
        queryset=Apprenticeship.objects.select_related(
            "apprentice", "standard_version", "provider__gateway_policy", "employer", "epao"
        ),
    )
    frozen = frozen_parts.snapshot_of(apprenticeship)
    declarations = list(
        GatewayDeclaration.objects.filter(apprenticeship=apprenticeship)
        .select_related("declared_by", "withdrawn_by")
        .order_by("declared_at")
    )
    policy = selectors.gateway_policy(apprenticeship)
    # Once gateway has passed, the checklist is shown as it stood then.
    items = (
        frozen_parts.part(frozen, "checklist")
        if frozen
        else selectors.checklist(apprenticeship, declarations=declarations, policy=policy)
    )
    return render(
        request,
        "epa/gateway.html",
        {
            "apprenticeship": apprenticeship,
            "items": items,
            "policy_off": selectors.policy_items_off(policy),
            "ready": frozen is None and all(item.holds for item in items),
            "declarations": [(d, selectors.declaration_is_intact(d)) for d in declarations],
            "can": permissions(apprenticeship.viewer_roles),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def english_maths(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.RECORD_ENGLISH_MATHS)
    record = EnglishMaths.objects.filter(apprenticeship=apprenticeship).first()
    form = EnglishMathsForm(request.POST if request.method == "POST" else None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_english_maths(
                apprenticeship=apprenticeship, by=request.user, **form.cleaned_data
            )
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "English and maths recorded.")
            return redirect("epa:gateway", pk=apprenticeship.pk)
    return render(
        request, "epa/english_maths_form.html", {"apprenticeship": apprenticeship, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def declare(request, pk: int, party: str):
    if party not in access.DECLARE_ACTION:
        raise Http404
    apprenticeship = get_apprenticeship_for(request.user, pk, access.DECLARE_ACTION[party])
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare(
                apprenticeship=apprenticeship,
                party=party,
                by=request.user,
                confirmed=form.cleaned_data["confirmed"],
            )
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            if apprenticeship.is_post_gateway:
                messages.success(
                    request,
                    "Confirmed. Every item holds: gateway has passed and the portfolio "
                    "is frozen for the assessor.",
                )
            else:
                messages.success(request, "Confirmed and sealed.")
            return redirect("epa:gateway", pk=apprenticeship.pk)
    return render(
        request,
        "epa/gateway_declare.html",
        {
            "apprenticeship": apprenticeship,
            "party": GatewayDeclaration.Party(party),
            "statement": selectors.statement(apprenticeship, party),
            "items": selectors.checklist(apprenticeship),
            "form": form,
            # What goes to the assessment organisation with the provider's confirmation.
            "adjustments": (
                list(waiting_for_gateway(apprenticeship))
                if party == GatewayDeclaration.Party.PROVIDER
                else []
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration_withdraw(request, pk: int):
    declaration = access.get_declaration_for(request.user, pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_declaration(
                declaration=declaration, by=request.user, reason=form.cleaned_data["reason"]
            )
        except GatewayError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The confirmation is withdrawn.")
            return redirect("epa:gateway", pk=declaration.apprenticeship_id)
    return render(
        request,
        "epa/declaration_withdraw.html",
        {"apprenticeship": declaration.apprenticeship, "declaration": declaration, "form": form},
    )


@login_required
@require_POST
def gateway_pass(request, pk: int):
    """Check again and pass (when the last missing item came right after both confirmed)."""
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.DECLARE_FOR_PROVIDER)
    if services.pass_gateway_if_ready(apprenticeship=apprenticeship, by=request.user):
        messages.success(request, "Gateway has passed and the portfolio is frozen.")
    else:
        messages.error(request, "Not every item holds yet; see what is missing below.")
    return redirect("epa:gateway", pk=apprenticeship.pk)


# -- the frozen portfolio --------------------------------------------------------------


@login_required
def snapshot(request, pk: int):
    apprenticeship, frozen = access.get_snapshot_for(request.user, pk)
    reads.log_snapshot_read(
        apprenticeship=apprenticeship, snapshot=frozen, by=request.user, what="contents"
    )
    portfolio = frozen_parts.frozen_portfolio(frozen)
    return render(
        request,
        "epa/snapshot.html",
        {
            "apprenticeship": apprenticeship,
            "snapshot": frozen,
            "content": portfolio.head,
            "code_marks": code_marks(portfolio.head.get("ksbs", [])),
            # A page of the frozen evidence, read on its own: a long portfolio has thousands.
            "page": Paginator(portfolio.evidence, PAGE_SIZE).get_page(request.GET.get("page")),
            "intact": portfolio.intact,
            "can": permissions(apprenticeship.viewer_roles),
        },
    )


@login_required
def snapshot_evidence(request, pk: int, evidence_id: int):
    apprenticeship, frozen = access.get_snapshot_for(request.user, pk)
    item, ksbs = frozen_parts.item(frozen, evidence_id)
    if item is None:
        raise Http404
    reads.log_snapshot_read(
        apprenticeship=apprenticeship,
        snapshot=frozen,
        by=request.user,
        what=f"evidence: {item['title']}",
    )
    return render(
        request,
        "epa/snapshot_evidence.html",
        {
            "apprenticeship": apprenticeship,
            "snapshot": frozen,
            "item": item,
            "code_marks": code_marks(ksbs),
        },
    )


@login_required
@never_cache
def snapshot_file(request, pk: int, file_id: int):
    """A file of the frozen portfolio, only if it is in the snapshot and its bytes still
    have the checksum recorded at gateway."""
    apprenticeship, frozen = access.get_snapshot_for(request.user, pk)
    recorded = frozen_parts.file_record(frozen, file_id)
    file = EvidenceFile.objects.filter(pk=file_id, evidence__apprenticeship=apprenticeship).first()
    if recorded is None or file is None:
        raise Http404
    if file.sha256 != recorded["sha256"]:
        raise PermissionDenied("This file does not match the one frozen at gateway.")
    reads.log_snapshot_read(
        apprenticeship=apprenticeship,
        snapshot=frozen,
        by=request.user,
        what=f"file {recorded['name']}",
    )
    response = FileResponse(
        file.file.open("rb"),
        as_attachment=True,
        filename=recorded["name"],
        content_type=recorded["content_type"],
    )
    return protect_download(response)
