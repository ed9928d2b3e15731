from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from standards.services import frameworks


class Command(BaseCommand):
    help = "Load a competence framework's structure (default: the NCCMH fixture). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(frameworks.NCCMH_FIXTURE))

    def handle(self, *args, path: str, **options):
        try:
            data = frameworks.load_framework_file(Path(path))
            framework = frameworks.import_framework(data=data)
        except frameworks.FrameworkFileError as error:
            raise CommandError(str(error)) from error
        units = sum(s.units.count() for s in framework.sections.all())
        self.stdout.write(
            f"{framework.title} ({framework.version}): {framework.sections.count()} sections, "
            f"{units} units, {framework.domains.count()} domains."
        )
