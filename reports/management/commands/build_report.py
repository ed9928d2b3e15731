from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apprenticeship.models import Apprenticeship
from reports import services
from reports.content import ReportUnavailable
from reports.models import Report

KINDS = {"portfolio": Report.Kind.PORTFOLIO, "gateway-pack": Report.Kind.GATEWAY_PACK}
DEFAULT_AUDIENCE = {"portfolio": "full", "gateway-pack": "assessor"}


class Command(BaseCommand):
    help = "Build one report synchronously and write the PDF to a file (for operators)."

    def add_arguments(self, parser):
        parser.add_argument("apprenticeship_id", type=int)
        parser.add_argument("--kind", choices=sorted(KINDS), default="portfolio")
        parser.add_argument(
            "--audience",
            choices=[a.value for a in Report.Audience],
            help="Whose copy (default: the full copy; the assessor's for a gateway pack).",
        )
        parser.add_argument("--out", required=True, help="Where to write the PDF.")

    def handle(
        self, *args, apprenticeship_id: int, kind: str, audience: str | None, out: str, **options
    ):
        apprenticeship = Apprenticeship.objects.filter(pk=apprenticeship_id).first()
        if apprenticeship is None:
            raise CommandError(f"No apprenticeship {apprenticeship_id}.")
        try:
            data = services.build_report_now(
                apprenticeship=apprenticeship,
                kind=KINDS[kind],
                audience=audience or DEFAULT_AUDIENCE[kind],
            )
        except ReportUnavailable as error:
            raise CommandError(str(error)) from None
        Path(out).write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(data)} bytes to {out}."))
