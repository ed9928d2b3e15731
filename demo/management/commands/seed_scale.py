"""Build a provider of N apprenticeships, fast, in a scratch database (see demo.scale)."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.scratch_database import ScratchDatabaseRefused, is_scratch, recreate_scratch_database
from demo import scale


class Command(BaseCommand):
    help = (
        "Build a provider of N apprenticeships with realistic volumes of evidence, "
        "off-the-job entries and reviews, for measuring pages and reports. Writes only to a "
        "scratch database: --database-url makes one (or empties one an earlier run made), "
        "and it must be the database this command is configured to use (DATABASE_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apprentices", type=int, required=True)
        parser.add_argument(
            "--database-url",
            help="Make (or empty) this scratch database first. Without it, the configured "
            "database must already be a scratch database, and is added to.",
        )
        parser.add_argument("--items", type=int, default=100, help="Evidence items each.")
        parser.add_argument("--entries", type=int, default=500, help="Off-the-job entries each.")
        parser.add_argument("--big-items", type=int, default=2000)
        parser.add_argument("--big-entries", type=int, default=5000)
        parser.add_argument(
            "--no-photos", action="store_true", help="No photo on the big portfolio's items."
        )

    def handle(self, *args, apprentices: int, database_url: str | None, **options):
        if apprentices < 1:
            raise CommandError("--apprentices must be 1 or more.")
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (set DATABASE_URL).")
        configured = connection.settings_dict["NAME"]
        if database_url:
            try:
                name = recreate_scratch_database(database_url)
            except ScratchDatabaseRefused as refused:
                raise CommandError(str(refused)) from None
            if name != configured:
                raise CommandError(
                    f"--database-url names {name}, but this command is set to use "
                    f"{configured}: set DATABASE_URL to the same URL."
                )
            connection.close()
        elif not self._is_scratch(configured):
            raise CommandError(
                f"{configured} is not a scratch database. Give --database-url to make one; "
                "seed_scale never writes anywhere else."
            )
        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        seeded = scale.seed(
            apprentices,
            items=options["items"],
            entries=options["entries"],
            big_items=options["big_items"],
            big_entries=options["big_entries"],
            photos=not options["no_photos"],
        )
        # Fresh statistics for the planner: a database filled in one go has none until
        # autovacuum gets round to it (never, where autovacuum is off), and without them
        # PostgreSQL picks plans for empty tables that grow with the square of the provider.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {seeded.apprenticeships} apprenticeships, {seeded.evidence} evidence "
                f"items, {seeded.entries} off-the-job entries and {seeded.reviews} reviews in "
                f"{time.perf_counter() - began:.0f} s. The big portfolio is apprenticeship "
                f"{seeded.big_portfolio}"
                + (
                    f"; the frozen portfolio (past gateway) is {seeded.frozen_portfolio}."
                    if seeded.frozen_portfolio
                    else "."
                )
            )
        )

    def _is_scratch(self, name: str) -> bool:
        with connection.cursor() as cursor:
            return bool(is_scratch(cursor, name))
