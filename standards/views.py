from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.permissions import is_site_operator, require_site_operator
from config.pagination import paginate
from standards.errors import StandardImportError
from standards.forms import ImportStandardForm, ResolveImportForm
from standards.models import (
    KSB,
    PROVENANCE_HELP,
    CompetenceFramework,
    Provenance,
    StandardVersion,
)
from standards.services import imports

# The checked file travels with the choice form, signed, for an hour.
PENDING_IMPORT_SALT = "standards.pending-import"
PENDING_IMPORT_SECONDS = 60 * 60


@login_required
def standard_list(request):
    versions = StandardVersion.objects.order_by("reference", "version")
    return render(
        request,
        "standards/standard_list.html",
        {
            "page": paginate(request, versions),
            "can_import": is_site_operator(request.user),
        },
    )


@login_required
def standard_detail(request, pk: int):
    # Standards are public reference data: anyone signed in may read every version.
    version = get_object_or_404(StandardVersion.objects.for_detail_page(), pk=pk)
    ksbs = [k for k in version.ksbs.all() if not k.is_retired]
    duties = [d for d in version.duties.all() if not d.is_retired]
    # Statements a re-import retired, still on the records that were made against them.
    retired = [d for d in version.duties.all() if d.is_retired] + [
        k for k in version.ksbs.all() if k.is_retired
    ]
    groups = [
        {
            "kind": kind,
            "label": label,
            "section": version.fact(
                {"knowledge": "knowledges", "skill": "skills", "behaviour": "behaviours"}[kind]
            ),
            "items": [k for k in ksbs if k.kind == kind],
        }
        for kind, label in KSB.Kind.choices
    ]
    plan = getattr(version, "assessment_plan", None)
    return render(
        request,
        "standards/standard_detail.html",
        {
            "version": version,
            "duties": duties,
            "ksb_groups": groups,
            "retired": retired,
            "duty_map": version.fact("duty_ksb_map"),
            "plan": plan,
            "provenance_help": [(Provenance(k).label, v) for k, v in PROVENANCE_HELP.items()],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def standard_import(request):
    """A site operator imports a standard file; it changes the standard for every provider.
    A file that changes or removes statements already loaded shows the differences and
    asks what happens to the records that refer to them; nothing is written until then."""
    require_site_operator(request.user)
    if request.method == "POST" and "pending" in request.POST:
        return _standard_import_choose(request)
    form = ImportStandardForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"]
        try:
            result = imports.import_standard(data=data, by=request.user)
        except imports.ImportNeedsChoice as refusal:
            return _render_choices(request, refusal.plan, data)
        except StandardImportError as error:
            form.add_error("file", f"Nothing was imported. {error}")
        else:
            return _imported(request, result)
    return render(request, "standards/standard_import.html", {"form": form})


def _render_choices(request, plan, data, *, form=None, problem: str = ""):
    if form is None:
        form = ResolveImportForm(
            plan=plan,
            initial={
                "pending": signing.dumps(data, salt=PENDING_IMPORT_SALT, compress=True),
                "plan": plan.fingerprint,
            },
        )
    return render(
        request,
        "standards/standard_import_choose.html",
        {"plan": plan, "form": form, "problem": problem},
    )


def _standard_import_choose(request):
    try:
        data = signing.loads(
            request.POST["pending"], salt=PENDING_IMPORT_SALT, max_age=PENDING_IMPORT_SECONDS
        )
        _parsed, plan = imports.preview_import(data=data)
    except (signing.BadSignature, StandardImportError):
        plan = None
    if plan is None:
        messages.error(
            request,
            "Nothing was imported: the comparison is more than an hour old, or the version "
            "is no longer loaded. Upload the file again.",
        )
        return redirect("standards:standard-import")
    if request.POST.get("plan") != plan.fingerprint:
        return _render_choices(request, plan, data, problem=str(imports.PlanChanged(plan)))
    form = ResolveImportForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            result = imports.import_standard(
                data=data,
                by=request.user,
                choices=form.choices(),
                expected_plan=form.cleaned_data["plan"],
            )
        except imports.PlanChanged as refusal:
            return _render_choices(request, refusal.plan, data, problem=str(refusal))
        except StandardImportError as error:
            return _render_choices(
                request, plan, data, form=form, problem=f"Nothing was imported. {error}"
            )
        return _imported(request, result)
    return _render_choices(request, plan, data, form=form)


def _imported(request, result):
    message = f"{result.standard_version} imported."
    if result.plan is not None and result.plan.added:
        message += f" Added {', '.join(s.code for s in result.plan.added)}."
    if result.outcomes:
        message += " " + " ".join(f"{code}: {what}." for code, what in result.outcomes.items())
    messages.success(request, message)
    return redirect(result.standard_version)


@login_required
def framework_detail(request, pk: int):
    # Frameworks are public reference data, like standards: anyone signed in may read them.
    framework = get_object_or_404(
        CompetenceFramework.objects.prefetch_related("sections__units", "domains"), pk=pk
    )
    return render(request, "standards/framework_detail.html", {"framework": framework})
