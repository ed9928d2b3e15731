from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apprenticeship import services
from apprenticeship.models import Organisation, OrganisationMembership


class Command(BaseCommand):
    help = (
        "Create a training provider and invite its first admin by email (idempotent: an "
        "existing provider of that name is reused)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The training provider's name.")
        parser.add_argument("admin_email", help="The first admin's email address.")
        parser.add_argument("--admin-name", default="", help="The admin's full name.")

    def handle(self, *args, name: str, admin_email: str, admin_name: str, **options):
        name = name.strip()
        if not name:
            raise CommandError("Give the provider's name.")
        with transaction.atomic():
            provider = Organisation.objects.filter(
                name=name, kind=Organisation.Kind.PROVIDER, managed_by=None
            ).first()
            if provider is None:
                provider = services.create_organisation(
                    name=name, kind=Organisation.Kind.PROVIDER, managed_by=None, by=None
                )
                self.stdout.write(f"Created training provider {provider.name}.")
            if OrganisationMembership.objects.filter(
                organisation=provider, user__email__iexact=admin_email, is_active=True
            ).exists():
                self.stdout.write(f"{admin_email} already works for {provider.name}.")
                return
            try:
                user, created = services.invite_person(
                    email=admin_email,
                    full_name=admin_name or admin_email.split("@")[0],
                    organisation=provider,
                    is_admin=True,
                    by=None,
                )
            except services.EnrolmentError as error:
                raise CommandError(str(error)) from None
        if created:
            message = f"Invited {user.email} as admin of {provider.name}."
        else:
            message = (
                f"{user.email} already has an account: they were invited as admin of "
                f"{provider.name} and become admin once they accept, signed in."
            )
        self.stdout.write(self.style.SUCCESS(message))
