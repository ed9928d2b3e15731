"""Who may see and do what with bulk data. Built on apprenticeship/access.py: an import
belongs to one provider and only that provider's admins see it (404 for anyone else)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from apprenticeship import access
from apprenticeship.models import Organisation, Role
from dataio.models import EnrolmentImport, Export, LegalHold, SubjectAccessRequest


def visible_imports(user: User) -> QuerySet[EnrolmentImport]:
    return EnrolmentImport.objects.filter(provider__in=access.administered_providers(user))


def get_import_for(user: User, pk: int) -> EnrolmentImport:
    """The import, if the user administers its provider. Refused before the lookup for
    someone who administers no provider (403), so a non-admin learns nothing."""
    access.require_provider_admin(user)
    upload = visible_imports(user).select_related("provider", "uploaded_by").filter(pk=pk).first()
    if upload is None:
        raise Http404
    return upload


def visible_subject_access(user: User) -> QuerySet[SubjectAccessRequest]:
    """Requests about the user themselves, and those an admin made for a provider they
    still administer."""
    return SubjectAccessRequest.objects.filter(
        Q(person=user) | Q(requested_by=user, provider__in=access.administered_providers(user))
    )


def get_subject_access_for(user: User, pk: int) -> SubjectAccessRequest:
    record = visible_subject_access(user).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def get_provider_for(user: User, pk: int) -> Organisation:
    """A provider the user administers (403 for someone who administers none, 404 for
    another provider)."""
    access.require_provider_admin(user)
    provider = access.administered_providers(user).filter(pk=pk).first()
    if provider is None:
        raise Http404
    return provider


def get_legal_hold_for(user: User, pk: int) -> LegalHold:
    """A hold on an apprenticeship of a provider the user administers."""
    access.require_provider_admin(user)
    hold = (
        LegalHold.objects.select_related("apprenticeship__apprentice")
        .filter(pk=pk, apprenticeship__provider__in=access.administered_providers(user))
        .first()
    )
    if hold is None:
        raise Http404
    return hold


def get_export_for(user: User, pk: int) -> Export:
    """An export the user asked for (404 for anyone else), while they still hold the role
    it was made for (403 once they no longer do)."""
    export = Export.objects.filter(pk=pk, requested_by=user).first()
    if export is None:
        raise Http404
    if export.kind == Export.Kind.CASELOAD:
        if Role.TUTOR not in access.home_roles(user):
            raise PermissionDenied
    else:
        access.require_provider_admin(user)
    return export
