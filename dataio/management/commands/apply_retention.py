"""Apply each provider's retention policy: `manage.py apply_retention --dry-run` lists what
would be deleted (counts and apprenticeship ids, never content); without it, it deletes."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from apprenticeship.models import Organisation
from dataio import services


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; change nothing."
        )
        parser.add_argument("--provider", type=int, help="Only this provider (its id).")
        parser.add_argument("--today", help="Judge as of this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run: bool, provider: int | None, today: str | None, **options):
        try:
            on = dt.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError("Write --today as YYYY-MM-DD.") from error
        providers = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).order_by("pk")
        if provider is not None:
            providers = providers.filter(pk=provider)
            if not providers.exists():
                raise CommandError(f"There is no provider {provider}.")
        results = services.apply_retention_everywhere(
            providers=providers,
            today=on,
            dry_run=dry_run,
            actor_label="manage.py apply_retention",
            only_automatic=False,
        )
        verb = "would reduce" if dry_run else "reduced"
        for result in results:
            ids = ", ".join(str(i) for i in result.apprenticeship_ids) or "none"
            self.stdout.write(
                f"Provider {result.provider_id}: {verb} {len(result.apprenticeship_ids)} "
                f"apprenticeship(s) to the minimal record: {ids}"
            )
            if result.held_ids:
                held = ", ".join(str(i) for i in result.held_ids)
                self.stdout.write(f"  kept by a legal hold: {held}")
            for name, number in sorted(result.counts.items()):
                self.stdout.write(f"  {name}: {number}")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
