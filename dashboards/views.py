"""Each role's home page and the apprenticeship page, with a summary of every area."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apprenticeship import access
from apprenticeship.access import Action
from apprenticeship.models import Apprenticeship, Role
from config import virus_scan
from config.pagination import paginate
from dashboards import operations, waiting
from dataio import retention
from epa.selectors import gateway as gateway_selectors
from epa.selectors import lists as epa_lists
from epa.selectors import rules as epa_rules
from epa.selectors import summary as epa_summary
from outbox import services as outbox
from portfolio.evidence import selectors as evidence_coverage
from portfolio.reviews import schedule as review_schedule
from portfolio.supervision import selectors as supervision
from portfolio.training import caseload as otj_caseload
from portfolio.training import selectors as otj
from quality.auditors import open_grants
from quality.iqa import access as iqa_access
from reports.summary import apprenticeship_reports

HOME_ORDER = (
    Role.ADMIN,
    Role.TUTOR,
    Role.EMPLOYER,
    Role.EPAO_ADMIN,
    Role.MODERATOR,
    Role.ASSESSOR,
    Role.APPRENTICE,
)
HOME_PAGES = {
    Role.ADMIN: "dashboards:overview",
    Role.TUTOR: "dashboards:caseload",
    Role.EMPLOYER: "dashboards:employer-home",
    Role.EPAO_ADMIN: "epa:epao-home",
    Role.MODERATOR: "quality:moderation-list",
    Role.ASSESSOR: "dashboards:assessor-home",
}


@login_required
def home(request):
    """Send each person to the page that fits their main role. Invitations waiting for the
    person's answer come first, with a way on to that page."""
    invitations = list(access.pending_invitations(request.user)[:20])
    target = _home_target(request.user)
    if invitations:
        return render(
            request,
            "apprenticeship/invitation_list.html",
            {"invitations": invitations, "continue_url": target},
        )
    if target is None:
        # Someone whose only reason to be here is auditor access goes to it.
        if open_grants(request.user).exists():
            return redirect(reverse("quality:auditor-home"))
        return render(request, "dashboards/no_role.html")
    return redirect(target)


def _home_target(user) -> str | None:
    roles = access.home_roles(user)
    # An IQA lead's home is their sampling work, unless they run the provider.
    if Role.ADMIN not in roles and iqa_access.is_iqa_lead(user):
        return reverse("dashboards:iqa-home")
    for role in HOME_ORDER:
        if role not in roles:
            continue
        if role == Role.APPRENTICE:
            mine = list(
                access.apprenticeships_as(user, Role.APPRENTICE).values_list("pk", flat=True)[:2]
            )
            if len(mine) == 1:
                return reverse("dashboards:apprenticeship-detail", args=[mine[0]])
            return reverse("dashboards:my-apprenticeships")
        return reverse(HOME_PAGES[role])
    return None


def _role_list(
    request, role: Role, template: str, *, related: tuple[str, ...], members: bool, **extra
):
    """A page of the user's apprenticeships in `role`, with only what its template shows:
    the related rows in `related` (joined) and, if `members`, the active memberships. A
    join the list does not need costs the database more to plan than the rows cost to
    read."""
    queryset = (
        access.apprenticeships_as(request.user, role)
        .select_related(*related)
        .order_by("apprentice__full_name", "pk")
    )
    if members:
        queryset = queryset.with_active_members()
    return render(request, template, {"page": paginate(request, queryset), **extra})


@login_required
def caseload(request):
    """The tutor's apprentices with what needs doing. Each area of the portfolio adds its
    columns (as annotations, or for the page's rows at once), so the page's query count
    does not grow with the caseload."""
    # Only what the rows show (the apprentice, the employer, and the standard version the
    # off-the-job figures need): a join the list does not use costs more to plan than to
    # read. The standard version, wide and the same for most rows, is read once for the
    # page rather than joined to each row and built again for each.
    caseload = access.apprenticeships_as(request.user, Role.TUTOR)
    queryset = caseload.select_related("apprentice", "employer").prefetch_related(
        "standard_version"
    )
    queryset = evidence_coverage.annotate_caseload(queryset)
    queryset = review_schedule.with_review_status(queryset)
    queryset = supervision.with_last_supervision(queryset)
    page = paginate(request, queryset, count_from=caseload)
    otj_totals = otj_caseload.otj_totals(page.object_list)
    today = timezone.localdate()
    for row in page.object_list:
        row.otj = otj_totals[row.pk]
        row.supervision_gap = supervision.supervision_gap(row, today=today)
        row.review_state = review_schedule.review_due_state(row.next_review_due, today=today)
    return render(
        request,
        "dashboards/caseload.html",
        {"page": page, "waiting": waiting.for_tutor(request.user)},
    )


@login_required
def employer_home(request):
    # The table shows the apprentice, the employer and the tutors.
    return _role_list(
        request,
        Role.EMPLOYER,
        "dashboards/employer_home.html",
        related=("apprentice", "employer"),
        members=True,
        waiting=waiting.for_employer(request.user),
    )


@login_required
def assessor_home(request):
    """The assessor's apprentices (assigned, past gateway) with where each assessment has
    got to and its window, as annotations: a flat query count however many there are."""
    queryset = epa_lists.annotate_epa_list(
        access.apprenticeships_as(request.user, Role.ASSESSOR).with_people()
    )
    page = paginate(request, queryset)
    return render(
        request,
        "dashboards/assessor_home.html",
        {
            "page": page,
            "rows": epa_lists.epa_rows(page.object_list),
            "waiting": waiting.for_assessor(request.user),
        },
    )


@login_required
def iqa_home(request):
    """The IQA lead's home: sampled decisions waiting for their verdict and their plans."""
    if not iqa_access.is_iqa_lead(request.user):
        raise PermissionDenied
    plans = (
        iqa_access.visible_plans(request.user)
        .filter(provider__in=iqa_access.led_providers(request.user))
        .select_related("provider", "tutor")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "dashboards/iqa_home.html",
        {
            "page": paginate(request, plans),
            "waiting": waiting.for_iqa_lead(request.user),
            "providers": list(iqa_access.led_providers(request.user)),
        },
    )


@login_required
def my_apprenticeships(request):
    return _role_list(
        request,
        Role.APPRENTICE,
        "dashboards/my_apprenticeships.html",
        # The list shows the standard, the employer, the dates and the stage.
        related=("standard_version", "employer"),
        members=False,
        waiting=waiting.for_apprentice(access.apprenticeships_as(request.user, Role.APPRENTICE)),
    )


@login_required
def overview(request):
    operations.require_operations_access(request.user)
    providers = list(access.administered_providers(request.user))
    # The admin's apprenticeships with the providers' ids written in, for every figure on
    # the page: PostgreSQL then plans for the thousands there are (access.apprenticeships_of).
    administered = scope = access.apprenticeships_of(providers)
    counts = scope.aggregate(
        total=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in Apprenticeship.Status},
    )
    review_flags = review_schedule.review_flags(scope)
    scope, review_flag = review_schedule.filter_by_review_flag(scope, request.GET.get("review", ""))
    status = request.GET.get("status", "")
    if status in Apprenticeship.Status.values:
        scope = scope.filter(status=status)
    # The table shows the apprentice, the employer and the tutors: only those are read.
    page = paginate(
        request,
        scope.select_related("apprentice", "employer")
        .with_active_members()
        .order_by("apprentice__full_name", "pk"),
    )
    return render(
        request,
        "dashboards/overview.html",
        {
            "page": page,
            "counts": counts,
            "statuses": Apprenticeship.Status.choices,
            "status": status,
            "review_flags": review_flags,
            "review_flag": review_flag,
            "virus_scanning": virus_scan.status(),
            "jobs": operations.jobs_panel(request.user, scope=administered),
            # The whole list, not a filtered view of it.
            "waiting": None
            if (status or review_flag)
            else waiting.for_admin(
                request.user, scope=administered, overdue=review_flags["overdue"]
            ),
            "providers": providers,
        },
    )


@login_required
@require_POST
def job_retry(request, pk: int):
    """Try a failed email or background job again, from the overview."""
    operations.require_operations_access(request.user)
    job = operations.get_job_for(request.user, pk)
    try:
        outbox.retry(message=job, by=request.user)
    except outbox.OutboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Trying again: {outbox.describe(job)}.")
    return redirect("dashboards:overview")


@login_required
def apprenticeship_detail(request, pk: int):
    # The provider's gateway policy and the standard's assessment plan come with it: the
    # gateway summary and the rules in force both read them.
    apprenticeship = access.get_apprenticeship_for(
        request.user,
        pk,
        Action.VIEW,
        queryset=Apprenticeship.objects.select_related(
            "apprentice",
            "standard_version__assessment_plan",
            "provider__gateway_policy",
            "employer",
            "epao",
            "retention_erasure",
        ),
    )
    memberships = apprenticeship.memberships.filter(is_active=True).select_related("user")
    roles = apprenticeship.viewer_roles

    def shown(action: Action, summary):
        """An area's summary, worked out only for someone who may see that area."""
        return summary(apprenticeship) if access.is_allowed(roles, action) else None

    evidence_summary = shown(Action.VIEW_EVIDENCE, evidence_coverage.evidence_summary)
    otj_summary = shown(Action.VIEW_OTJ, otj.otj_summary)
    reviews_summary = shown(Action.VIEW_REVIEWS, review_schedule.reviews_summary)

    schedule = reviews_summary["schedule"] if reviews_summary else None
    policy = gateway_selectors.gateway_policy(apprenticeship)
    gateway = None
    if not apprenticeship.is_post_gateway and access.is_allowed(roles, Action.VIEW_GATEWAY):
        # The checklist reuses the summaries above rather than working them out again.
        gateway = gateway_selectors.summary(
            apprenticeship,
            otj_summary=otj_summary,
            review_schedule=schedule,
            evidence_summary=evidence_summary,
            policy=policy,
        )

    return render(
        request,
        "dashboards/apprenticeship_detail.html",
        {
            "apprenticeship": apprenticeship,
            "memberships": memberships,
            "can": access.permissions(roles),
            "evidence_summary": evidence_summary,
            "otj": otj_summary,
            "reviews_summary": reviews_summary,
            "gateway": gateway,
            "assessment_summary": epa_summary.assessment_summary(apprenticeship),
            # The apprentice's own home: what waits for them on this apprenticeship.
            "waiting": (
                waiting.for_apprentice(Apprenticeship.objects.filter(pk=apprenticeship.pk))
                if Role.APPRENTICE in roles
                else None
            ),
            "rules": epa_rules.rules_in_force(
                apprenticeship, policy=policy, reviews=schedule, otj=otj_summary
            ),
            **apprenticeship_reports(request.user, apprenticeship),
            # The provider admin sees a legal hold on the records, and who placed it why.
            "legal_hold": (
                retention.active_hold(apprenticeship)
                if access.is_allowed(roles, Action.MANAGE_PEOPLE)
                else None
            ),
        },
    )
