from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from apprenticeship import access, otj_minimum, services, versions
from apprenticeship.access import Action
from apprenticeship.forms import (
    AddMemberForm,
    ApprenticeshipForm,
    EndMembershipForm,
    InterimMinimumForm,
    InviteForm,
    MoveVersionForm,
    OrganisationForm,
    RenameOrganisationForm,
)
from apprenticeship.history import visible_events
from apprenticeship.models import InterimOtjMinimum, Role
from apprenticeship.otj_minimum import interim_minimum_rows
from config.pagination import paginate
from standards.models import StandardVersion


@login_required
def apprenticeship_history(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_HISTORY)
    events = visible_events(apprenticeship)
    return render(
        request,
        "apprenticeship/apprenticeship_history.html",
        {
            "apprenticeship": apprenticeship,
            "page": paginate(request, events),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def apprenticeship_create(request):
    access.require_provider_admin(request.user)
    form = ApprenticeshipForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            apprenticeship = services.create_apprenticeship(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{apprenticeship.apprentice.full_name} is enrolled.")
            return redirect(apprenticeship)
    return render(request, "apprenticeship/apprenticeship_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def apprenticeship_edit(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.EDIT)
    form = ApprenticeshipForm(request.POST or None, instance=apprenticeship, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name != "standard_version"
        }
        try:
            services.update_apprenticeship(
                apprenticeship=apprenticeship, by=request.user, **changes
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Enrolment details saved.")
            return redirect(apprenticeship)
    return render(
        request,
        "apprenticeship/apprenticeship_form.html",
        {
            "form": form,
            "apprenticeship": apprenticeship,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def apprenticeship_move_version(request, pk: int):
    """The provider admin moves an enrolment to another version of its standard, saying
    where each duty and KSB its records refer to goes."""
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.EDIT)
    choices = versions.other_versions(apprenticeship)
    chosen = request.GET.get("to", "")
    target = choices.filter(pk=chosen).first() if chosen.isdigit() else None
    context = {"apprenticeship": apprenticeship, "versions": choices, "target": target}
    if target is None:
        return render(request, "apprenticeship/apprenticeship_move_version.html", context)
    rows = versions.statements_to_move(apprenticeship)
    form = MoveVersionForm(request.POST or None, rows=rows, to_version=target)
    if request.method == "POST" and form.is_valid():
        try:
            versions.move_to_standard_version(
                apprenticeship=apprenticeship,
                to_version=target,
                mapping=form.mapping(),
                by=request.user,
            )
        except services.EnrolmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Moved to version {target.version} of the standard.")
            return redirect(apprenticeship)
    context["form"] = form
    return render(request, "apprenticeship/apprenticeship_move_version.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk: int, role: str):
    if role not in (Role.TUTOR, Role.EMPLOYER):
        raise Http404
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.MANAGE_PEOPLE)
    form = AddMemberForm(request.POST or None, apprenticeship=apprenticeship, role=Role(role))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_member(
                apprenticeship=apprenticeship,
                user=form.cleaned_data["user"],
                role=Role(role),
                by=request.user,
            )
        except services.EnrolmentError as error:
            form.add_error("user", str(error))
        else:
            messages.success(request, f"{form.cleaned_data['user'].full_name} added.")
            return redirect(apprenticeship)
    return render(
        request,
        "apprenticeship/member_form.html",
        {
            "form": form,
            "apprenticeship": apprenticeship,
            "role": Role(role),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_end(request, pk: int):
    membership = access.get_membership_for(request.user, pk, Action.MANAGE_PEOPLE)
    if not membership.is_active:
        raise Http404
    form = EndMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_membership(
                membership=membership, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.EnrolmentError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, f"{membership.user.full_name} taken off.")
            return redirect(membership.apprenticeship)
    return render(
        request,
        "apprenticeship/member_end.html",
        {
            "form": form,
            "membership": membership,
            "apprenticeship": membership.apprenticeship,
        },
    )


# -- organisations and people ----------------------------------------------------------


@login_required
def organisation_list(request):
    access.require_provider_admin(request.user)
    organisations = (
        access.visible_organisations(request.user)
        .annotate(people=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("kind", "name")
    )
    return render(
        request,
        "apprenticeship/organisation_list.html",
        {
            "page": paginate(request, organisations),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    access.require_provider_admin(request.user)
    provider = access.administered_providers(request.user).order_by("pk").first()
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.create_organisation(
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            managed_by=provider,
            by=request.user,
        )
        messages.success(request, f"{organisation.name} added.")
        return redirect(organisation)
    return render(request, "apprenticeship/organisation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request, pk: int):
    organisation = access.get_organisation_for(request.user, pk)
    form = RenameOrganisationForm(request.POST or None, initial={"name": organisation.name})
    if request.method == "POST" and form.is_valid():
        services.rename_organisation(
            organisation=organisation, name=form.cleaned_data["name"], by=request.user
        )
        messages.success(request, "Name saved.")
        return redirect(organisation)
    members = (
        organisation.memberships.filter(is_active=True)
        .select_related("user")
        .annotate(
            two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("user_id"), confirmed=True))
        )
        .order_by("user__full_name")
    )
    return render(
        request,
        "apprenticeship/organisation_detail.html",
        {
            "organisation": organisation,
            "form": form,
            "page": paginate(request, members),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_invite(request):
    access.require_provider_admin(request.user)
    initial = {}
    if request.GET.get("organisation", "").isdigit():
        initial["organisation"] = request.GET["organisation"]
    form = InviteForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user, created = services.invite_person(by=request.user, **form.cleaned_data)
        except services.EnrolmentError as error:
            form.add_error("email", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(request, f"Invitation sent to {user.email}.")
            else:
                messages.success(
                    request,
                    f"{user.email} already has an account, so they have been asked to accept. "
                    "They have no access here until they do.",
                )
            return redirect(form.cleaned_data["organisation"])
    return render(request, "apprenticeship/person_invite.html", {"form": form})


@login_required
@require_POST
def person_resend_invitation(request, pk: int):
    person = access.get_person_for(request.user, pk)
    try:
        services.resend_invitation(person=person, by=request.user)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"A new invitation was sent to {person.email}.")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("apprenticeship:organisation-list")


@login_required
@require_POST
def person_reset_two_factor(request, pk: int):
    """An admin resets the two-factor sign-in of one of their people who lost their phone."""
    person = access.get_person_for(request.user, pk)
    try:
        services.reset_two_factor(person=person, by=request.user)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{person.full_name}'s two-factor sign-in is reset. They sign in with their "
            "password and set it up again.",
        )
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("apprenticeship:organisation-list")


@login_required
def invitation_list(request):
    """The signed-in person's invitations to work for an organisation, to accept or
    decline."""
    return render(
        request,
        "apprenticeship/invitation_list.html",
        {
            "invitations": list(access.pending_invitations(request.user)),
            "continue_url": reverse("dashboards:home"),
        },
    )


@login_required
@require_POST
def invitation_accept(request, pk: int):
    invitation = access.get_invitation_for(request.user, pk)
    try:
        services.accept_organisation_invitation(invitation=invitation, by=request.user)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
        return redirect("apprenticeship:invitation-list")
    messages.success(request, f"You now work for {invitation.organisation.name} here.")
    return redirect("dashboards:home")


@login_required
@require_POST
def invitation_decline(request, pk: int):
    invitation = access.get_invitation_for(request.user, pk)
    try:
        services.decline_organisation_invitation(invitation=invitation, by=request.user)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        name = invitation.organisation.name
        messages.success(request, f"You declined the invitation from {name}.")
    return redirect("apprenticeship:invitation-list")


@login_required
def interim_minimums(request):
    """A provider admin's interim off-the-job minimums: for each standard version their
    apprentices are on, the figure in force and who entered it."""
    providers = list(access.administered_providers(request.user).order_by("name"))
    if not providers:
        raise PermissionDenied
    return render(
        request,
        "apprenticeship/interim_minimums.html",
        {"rows": interim_minimum_rows(providers)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def interim_minimum_edit(request, provider_pk: int, version_pk: int):
    provider = access.administered_providers(request.user).filter(pk=provider_pk).first()
    if provider is None:
        raise Http404
    version = StandardVersion.objects.filter(pk=version_pk).first()
    if version is None:
        raise Http404
    row = InterimOtjMinimum.objects.filter(provider=provider, standard_version=version).first()
    initial = {"hours": row.hours, "source": row.source} if row else {}
    form = InterimMinimumForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("part") == "remove" and row is not None:
        otj_minimum.remove_interim_otj_minimum(row=row, by=request.user)
        messages.success(request, "Interim figure removed.")
        return redirect("apprenticeship:interim-minimums")
    if request.method == "POST" and form.is_valid():
        try:
            otj_minimum.set_interim_otj_minimum(
                provider=provider, standard_version=version, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, "Interim minimum saved, with you as who entered it.")
            return redirect("apprenticeship:interim-minimums")
    return render(
        request,
        "apprenticeship/interim_minimum_form.html",
        {
            "form": form,
            "provider": provider,
            "version": version,
            "row": row,
            "unusual": bool(form.errors.get("hours")) and "tick the box" in str(form.errors),
        },
    )
