from django.core.management.base import BaseCommand, CommandError

from standards.errors import StandardImportError
from standards.models import StandardVersion
from standards.parsing import load_standard_file, parse_standard
from standards.services.imports import import_standard

# Who the history names for an import from the command line, where no one is signed in.
COMMAND_ACTOR = "operator via command"


class Command(BaseCommand):
    help = (
        "Import one standard version from a standards API JSON file. Upserts by reference and "
        "version; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path to the JSON file.")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when this reference and version are already loaded.",
        )

    def handle(self, *args, path: str, if_missing: bool, **options):
        try:
            data = load_standard_file(path)
            if if_missing:
                parsed = parse_standard(data)
                if StandardVersion.objects.filter(
                    reference=parsed.reference, version=parsed.version
                ).exists():
                    self.stdout.write(f"{parsed.reference} v{parsed.version} is already loaded.")
                    return
            result = import_standard(data=data, by_label=COMMAND_ACTOR)
        except StandardImportError as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in result.counts.items())
        verb = "Created" if result.created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {result.standard_version}: {counts}."))
