"""The auditor pages. The grantor's side: the grants of their organisations, giving one,
its log of reads and revoking it. The auditor's side: taking up the access through the
single-use link, then reading their scope, read-only (GET only), with a banner saying whose
records these are and until when. Every auditor page and file is recorded."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.actions import AuditAction
from audit.models import AuditEvent
from config.downloads import protect_download
from config.pagination import paginate
from epa.models import GatewayDeclaration
from portfolio.evidence.models import EvidenceFile
from portfolio.reviews.models import ReviewSignature
from quality import auditors as access
from quality.auditor_forms import AuditorGrantForm
from quality.errors import QualityError
from quality.models import AuditorGrant
from quality.services import auditors as services


def auditor_page(view):
    """GET only; never cached; a grant of the auditor's own that has ended or been
    revoked answers with a plain page saying so (403)."""

    @login_required
    @require_GET
    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except access.AccessEnded as ended:
            return render(request, "quality/auditor/ended.html", {"grant": ended.grant}, status=403)

    return wrapped


# -- the grantor's side ----------------------------------------------------------------


@login_required
def grant_list(request):
    access.require_grantor(request.user)
    grants = access.grants_given(request.user).select_related("organisation", "user")
    return render(
        request,
        "quality/auditor/grant_list.html",
        {"page": paginate(request, grants), "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant_add(request):
    access.require_grantor(request.user)
    form = AuditorGrantForm(
        request.POST or None, organisations=access.granting_organisations(request.user)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                grant = services.grant_access(
                    organisation=data["organisation"],
                    by=request.user,
                    full_name=data["full_name"],
                    email=data["email"],
                    purpose=data["purpose"],
                    scope=data["scope"],
                    apprenticeships=data["apprenticeships"],
                    cohort_month=data["cohort_month"],
                    standard_reference=data["standard_reference"],
                    areas=data["areas"],
                    last_day=data["last_day"],
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    target = field if field in form.fields else None
                    if field == "apprenticeships":
                        target = "apprentices"
                    for problem in problems:
                        form.add_error(target, problem)
            else:
                messages.success(
                    request, f"Access given. We have emailed {grant.email} a link to take it up."
                )
                return redirect(reverse("quality:auditor-grant", args=[grant.pk]))
        status = 400
    return render(request, "quality/auditor/grant_form.html", {"form": form}, status=status)


@login_required
def grant_detail(request, pk: int):
    grant = access.get_grant_for_grantor(request.user, pk)
    log = AuditEvent.objects.with_actor().filter(
        object_type=AuditorGrant._meta.label_lower, object_id=str(grant.pk)
    )
    reads = log.filter(action=AuditAction.AUDITOR_READ).aggregate(
        total=Count("pk"), apprenticeships=Count("apprenticeship_id", distinct=True)
    )
    scope_count = access.apprenticeships_in_scope(grant).count()
    return render(
        request,
        "quality/auditor/grant_detail.html",
        {
            "grant": grant,
            "page": paginate(request, log),
            "reads": reads,
            "scope_count": scope_count,
            "listed": grant.apprenticeships.select_related("apprentice").order_by(
                "apprentice__full_name", "pk"
            )[:50]
            if grant.scope == AuditorGrant.Scope.APPRENTICESHIPS
            else [],
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def grant_revoke(request, pk: int):
    grant = access.get_grant_for_grantor(request.user, pk)
    try:
        services.revoke_access(grant=grant, by=request.user)
    except QualityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{grant.full_name}'s access has stopped.")
    return redirect(reverse("quality:auditor-grant", args=[grant.pk]))


# -- taking up the access --------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, pk: int, token: str):
    """Public: the link from the email. A new account chooses its password here; an
    existing one signs in first. Either way the link is then used up."""
    try:
        grant = services.open_invitation(grant_id=pk, token=token)
    except QualityError as error:
        return render(
            request, "quality/auditor/invitation.html", {"problem": str(error)}, status=410
        )
    account = grant.user
    signed_in = request.user.is_authenticated
    wrong_account = signed_in and request.user.pk != account.pk
    needs_password = not signed_in and not account.has_usable_password()
    form = SetPasswordForm(account, request.POST or None) if needs_password else None
    # Signed in as someone else: refused, and the page says nothing about the grant.
    status = 403 if wrong_account else 200
    if request.method == "POST":
        if wrong_account or (not signed_in and not needs_password):
            status = 403
        elif form is not None and not form.is_valid():
            status = 400
        else:
            try:
                with transaction.atomic():
                    if form is not None:
                        form.save()
                    services.accept_invitation(grant_id=pk, token=token, by=account)
            except QualityError as error:
                return render(
                    request, "quality/auditor/invitation.html", {"problem": str(error)}, status=410
                )
            if not signed_in:
                login(request, account, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your access is open.")
            return redirect(reverse("quality:auditor-scope", args=[grant.pk]))
    return render(
        request,
        "quality/auditor/invitation.html",
        {
            "grant": grant,
            "form": form,
            "wrong_account": wrong_account,
            "needs_sign_in": not signed_in and not needs_password,
        },
        status=status,
    )


# -- the auditor's side ----------------------------------------------------------------


@auditor_page
def auditor_home(request):
    grants = access.open_grants(request.user).select_related("organisation")
    return render(request, "quality/auditor/home.html", {"page": paginate(request, grants)})


def _context(grant, apprenticeship=None, **more):
    return {
        "grant": grant,
        "apprenticeship": apprenticeship,
        "sees": access.sees(grant),
        **more,
    }


@auditor_page
def scope_list(request, pk: int):
    grant = access.get_open_grant(request.user, pk)
    rows = (
        access.apprenticeships_in_scope(grant)
        .select_related("apprentice", "standard_version")
        .order_by("apprentice__full_name", "pk")
    )
    page = paginate(request, rows)
    services.record_read(
        grant=grant, by=request.user, what=f"the list of apprenticeships (page {page.number})"
    )
    return render(request, "quality/auditor/scope.html", _context(grant, page=page))


@auditor_page
def apprenticeship_summary(request, pk: int, apprenticeship_pk: int):
    grant, apprenticeship = access.get_audited_apprenticeship(request.user, pk, apprenticeship_pk)
    services.record_read(
        grant=grant, by=request.user, apprenticeship=apprenticeship, what="the summary page"
    )
    return render(request, "quality/auditor/summary.html", _context(grant, apprenticeship))


@auditor_page
def portfolio(request, pk: int, apprenticeship_pk: int):
    grant, apprenticeship = access.get_audited_apprenticeship(
        request.user, pk, apprenticeship_pk, "portfolio"
    )
    evidence = (
        access.audited_evidence(grant, apprenticeship)
        .prefetch_related(
            "duties", Prefetch("files", queryset=EvidenceFile.objects.current().order_by("pk"))
        )
        .order_by("-activity_date", "-pk")
    )
    page = paginate(request, evidence)
    services.record_read(
        grant=grant,
        by=request.user,
        apprenticeship=apprenticeship,
        what=f"the portfolio of evidence (page {page.number})",
    )
    return render(
        request, "quality/auditor/portfolio.html", _context(grant, apprenticeship, page=page)
    )


@auditor_page
def evidence_file(request, pk: int, apprenticeship_pk: int, file_pk: int):
    grant, apprenticeship, file = access.get_audited_file(
        request.user, pk, apprenticeship_pk, file_pk
    )
    try:
        handle = file.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    services.record_read(
        grant=grant,
        by=request.user,
        apprenticeship=apprenticeship,
        what=f"the file “{file.original_name}” of evidence {file.evidence_id}",
    )
    response = FileResponse(
        handle, as_attachment=True, filename=file.original_name, content_type=file.content_type
    )
    return protect_download(response)


@auditor_page
def otj_log(request, pk: int, apprenticeship_pk: int):
    grant, apprenticeship = access.get_audited_apprenticeship(
        request.user, pk, apprenticeship_pk, "otj"
    )
    entries = access.audited_otj(grant, apprenticeship)
    totals = entries.aggregate(
        logged=Sum("minutes"),
        verified=Sum("minutes", filter=Q(status="verified")),
    )
    page = paginate(request, entries.select_related("duty", "decided_by").order_by("-date", "-pk"))
    services.record_read(
        grant=grant,
        by=request.user,
        apprenticeship=apprenticeship,
        what=f"the off-the-job log (page {page.number})",
    )
    return render(
        request,
        "quality/auditor/otj.html",
        _context(grant, apprenticeship, page=page, totals=totals),
    )


@auditor_page
def reviews(request, pk: int, apprenticeship_pk: int):
    grant, apprenticeship = access.get_audited_apprenticeship(
        request.user, pk, apprenticeship_pk, "reviews"
    )
    rows = (
        access.audited_reviews(grant, apprenticeship)
        .select_related("current_version")
        .prefetch_related(
            "current_version__targets",
            Prefetch(
                "current_version__signatures",
                queryset=ReviewSignature.objects.order_by("signed_at"),
            ),
        )
        .order_by("-current_version__held_on", "-pk")
    )
    page = paginate(request, rows)
    services.record_read(
        grant=grant,
        by=request.user,
        apprenticeship=apprenticeship,
        what=f"the progress reviews (page {page.number})",
    )
    return render(
        request, "quality/auditor/reviews.html", _context(grant, apprenticeship, page=page)
    )


@auditor_page
def gateway(request, pk: int, apprenticeship_pk: int):
    grant, apprenticeship = access.get_audited_apprenticeship(
        request.user, pk, apprenticeship_pk, "gateway"
    )
    declarations = list(
        access.audited_declarations(grant, apprenticeship)
        .select_related("declared_by", "withdrawn_by")
        .order_by("declared_at", "pk")
    )
    services.record_read(
        grant=grant, by=request.user, apprenticeship=apprenticeship, what="the gateway"
    )
    return render(
        request,
        "quality/auditor/gateway.html",
        _context(grant, apprenticeship, declarations=declarations, Party=GatewayDeclaration.Party),
    )


@auditor_page
def results(request, pk: int, apprenticeship_pk: int):
    grant, apprenticeship = access.get_audited_apprenticeship(
        request.user, pk, apprenticeship_pk, "results"
    )
    rounds = list(
        access.audited_rounds(grant, apprenticeship)
        .prefetch_related("method_assessments__method")
        .order_by("number")
    )
    services.record_read(
        grant=grant, by=request.user, apprenticeship=apprenticeship, what="the assessment results"
    )
    return render(
        request, "quality/auditor/results.html", _context(grant, apprenticeship, rounds=rounds)
    )
