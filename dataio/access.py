"""Who may see and do what with bulk data. Built on apprenticeship/access.py: an import
belongs to one provider and only that provider's admins see it (404 for anyone else)."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from apprenticeship import access
from dataio.models import EnrolmentImport


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
