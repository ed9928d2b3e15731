import json

from django.core.management.base import BaseCommand, CommandError

from standards import selectors
from standards.models import StandardVersion


class Command(BaseCommand):
    help = "Write one standard version to stdout as standards API JSON (import reads it back)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version names the standard's version; it replaces Django's own --version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("reference", help="For example ST0896.")
        parser.add_argument("--version", dest="std_version", help="Default: the latest loaded.")

    def handle(self, *args, reference: str, std_version: str | None, **options):
        versions = StandardVersion.objects.filter(reference__iexact=reference)
        if std_version:
            versions = versions.filter(version=std_version)
        candidates = sorted(
            versions, key=lambda v: [int(p) if p.isdigit() else p for p in v.version.split(".")]
        )
        if not candidates:
            wanted = f"{reference} v{std_version}" if std_version else reference
            raise CommandError(f"No standard {wanted} is loaded.")
        data = selectors.export_standard(standard_version=candidates[-1])
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
