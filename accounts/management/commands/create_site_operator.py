from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = (
        "Make a person a site operator, who alone may import standards and enter a "
        "standard's facts for every provider here. Creates the account if there is none and "
        "prints a link to choose a password (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The operator's email address.")
        parser.add_argument("--name", default="", help="Their full name, for a new account.")

    def handle(self, *args, email: str, name: str, **options):
        try:
            user, created, changed = services.make_site_operator(email=email, full_name=name)
        except services.AccountError as error:
            raise CommandError(str(error)) from None
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {user.email} as a site operator."))
        elif changed:
            self.stdout.write(self.style.SUCCESS(f"{user.email} is now a site operator."))
        else:
            self.stdout.write(f"{user.email} is already a site operator.")
        if not user.has_usable_password():
            self.stdout.write("They choose their password with this link (it works once):")
            self.stdout.write(f"  {services.invitation_url(user)}")
