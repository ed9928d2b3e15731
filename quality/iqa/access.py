"""Who may see and do what in internal quality assurance.

- A provider admin names the provider's IQA leads and reads its plans and reports.
- An IQA lead makes plans, draws samples and records verdicts at their provider, but never
  on an apprenticeship where they are or were a tutor, nor on a decision they made.
- A tutor of the apprenticeship sees a sampled decision once the lead has recorded a
  verdict, and follows it up (does the action, reopens a disagreed sign-off).
- Everyone else: 404. Visible but not allowed: 403.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import User
from apprenticeship.access import administered_providers
from apprenticeship.models import Apprenticeship, Membership, Organisation, Role
from quality.models import IqaItem, IqaLead, SamplingPlan


class IqaAction(StrEnum):
    VIEW = "view"
    MANAGE = "manage"  # make plans, draw, add items, record verdicts
    FOLLOW_UP = "follow_up"


def led_providers(user: User) -> QuerySet[Organisation]:
    """Providers where the user is an IQA lead now."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=Organisation.Kind.PROVIDER,
        pk__in=IqaLead.objects.filter(user=user, ended_at__isnull=True).values("provider_id"),
    )


def is_iqa_lead(user: User) -> bool:
    return (
        user.is_authenticated and IqaLead.objects.filter(user=user, ended_at__isnull=True).exists()
    )


def readable_providers(user: User) -> QuerySet[Organisation]:
    """Providers whose IQA plans and reports the user reads: they lead IQA or administer it."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk__in=led_providers(user).values("pk"))
        | Q(pk__in=administered_providers(user).values("pk"))
    )


def require_iqa_reader(user: User) -> None:
    if not readable_providers(user).exists():
        raise PermissionDenied


def get_provider_for_leads(user: User, pk: int) -> Organisation:
    """A provider whose IQA leads the user names: they administer it."""
    provider = administered_providers(user).filter(pk=pk).first()
    if provider is None:
        raise Http404
    return provider


def get_report_provider_for(user: User, pk: int) -> Organisation:
    provider = readable_providers(user).filter(pk=pk).first()
    if provider is None:
        raise Http404
    return provider


def visible_plans(user: User) -> QuerySet[SamplingPlan]:
    return SamplingPlan.objects.filter(provider__in=readable_providers(user))


def get_plan_for(user: User, pk: int, action: IqaAction) -> SamplingPlan:
    plan = (
        SamplingPlan.objects.select_related("provider", "tutor", "created_by")
        .filter(pk=pk, provider__in=readable_providers(user))
        .first()
    )
    if plan is None:
        raise Http404
    if action != IqaAction.VIEW and not led_providers(user).filter(pk=plan.provider_id).exists():
        raise PermissionDenied
    return plan


def was_tutor_on(user: User, apprenticeship_id: int) -> bool:
    """Whether `user` is or ever was a tutor on the apprenticeship (ended rows count)."""
    return Membership.objects.filter(
        user=user, apprenticeship_id=apprenticeship_id, role=Role.TUTOR
    ).exists()


def conflicted(
    user: User, *, tutor: str = "tutor_id", apprenticeship: str = "apprenticeship_id"
) -> Q:
    """Decisions an IQA lead `user` must not judge: their own, or on an apprenticeship
    where they are or were a tutor. For IqaItem querysets as it stands; for rows of
    `selectors.decisions` (not yet sampled) name their columns: tutor="t_id",
    apprenticeship="a_id"."""
    # "In the apprenticeships they tutor or tutored", not a correlated EXISTS: PostgreSQL
    # reads those few apprenticeships once into a hash, and estimates the cost of a count
    # over a big sample as such (a correlated EXISTS was costed once per row, high enough
    # to compile the query to machine code first, which took most of its 33 ms).
    return Q(**{tutor: user.pk}) | Q(
        **{
            f"{apprenticeship}__in": Membership.objects.filter(user=user, role=Role.TUTOR).values(
                "apprenticeship_id"
            )
        }
    )


def items_to_judge(user: User) -> QuerySet[IqaItem]:
    """Sampled decisions at the user's providers that they may judge (for lists)."""
    return IqaItem.objects.filter(plan__provider__in=led_providers(user)).exclude(conflicted(user))


def follow_ups_for(user: User) -> QuerySet[IqaItem]:
    """Judged decisions on apprenticeships where the user is a tutor now, with something
    for a tutor to do."""
    if not user.is_authenticated:
        return IqaItem.objects.none()
    return IqaItem.objects.filter(
        Exists(
            Membership.objects.filter(
                apprenticeship=OuterRef("apprenticeship_id"),
                user=user,
                role=Role.TUTOR,
                is_active=True,
            )
        ),
        follow_up=IqaItem.FollowUp.OPEN,
    )


def hidden_iqa_events(apprenticeship: Apprenticeship) -> Q | None:
    """History lines about sampled decisions are for the provider's staff (the tutors and
    the admin): the apprentice reads that a sign-off was reopened, and why, on the
    sign-off's own line. Registered with apprenticeship.history."""
    if apprenticeship.viewer_roles & {Role.TUTOR, Role.ADMIN}:
        return None
    return Q(object_type=IqaItem._meta.label_lower)


def get_item_for(user: User, pk: int, action: IqaAction) -> IqaItem:
    """A sampled decision, if the user may do `action` on it.

    The IQA lead (not conflicted) views and judges it; the provider admin views it; a
    tutor of the apprenticeship now views a judged item and follows it up."""
    if not user.is_authenticated:
        raise Http404
    item = (
        IqaItem.objects.for_list()
        .select_related("plan__provider", "apprenticeship__standard_version", "follow_up_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    provider_id = item.plan.provider_id
    is_lead = led_providers(user).filter(pk=provider_id).exists()
    is_admin = administered_providers(user).filter(pk=provider_id).exists()
    is_tutor_now = Membership.objects.filter(
        user=user, apprenticeship_id=item.apprenticeship_id, role=Role.TUTOR, is_active=True
    ).exists()
    tutor_sees = is_tutor_now and not item.is_waiting
    if not (is_lead or is_admin or tutor_sees):
        raise Http404
    lead_may = (
        is_lead and item.tutor_id != user.pk and not was_tutor_on(user, item.apprenticeship_id)
    )
    if action == IqaAction.MANAGE and not lead_may:
        raise PermissionDenied
    if action == IqaAction.FOLLOW_UP and not tutor_sees:
        raise PermissionDenied
    if action == IqaAction.VIEW and not (lead_may or is_admin or tutor_sees):
        # A lead who tutored this apprenticeship does not read its sample.
        raise PermissionDenied
    item.viewer_may_judge = lead_may  # type: ignore[attr-defined]
    item.viewer_may_follow_up = tutor_sees  # type: ignore[attr-defined]
    return item
