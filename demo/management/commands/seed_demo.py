from django.conf import settings
from django.core.management.base import BaseCommand

from demo.seed import PEOPLE_TO_PRINT, seed_all

DEFAULT_PASSWORD = "peer-worker-demo"  # noqa: S105 - demo logins only, printed on purpose


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, people and apprenticeships (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"The password for every demo login (default: {DEFAULT_PASSWORD}).",
        )

    def handle(self, *args, password: str, **options):
        context = seed_all(password=password)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with:"))
        for key, label in PEOPLE_TO_PRINT:
            self.stdout.write(f"  {label:<26} {context.people[key].email}")
        self.stdout.write(f"  Password for all:          {password}")
        if settings.REQUIRE_TWO_FACTOR_FOR_STAFF:
            self.stdout.write(
                "Admins and the site operator are asked to set up two-factor sign-in (an "
                "authenticator app on a phone) when they first sign in. To try the demo "
                "without one, run with REQUIRE_TWO_FACTOR_FOR_STAFF=false."
            )
        else:
            self.stdout.write(
                "Two-factor sign-in is not required in this demo "
                "(REQUIRE_TWO_FACTOR_FOR_STAFF=false): admins sign in with the password alone. "
                "Anyone can turn it on from their account page; on a real site it is "
                "required for admins and site operators."
            )
