"""Benchmark: how long a 100-item portfolio report with images takes, and how much memory.

Run it with `bin/benchmark-report` (not part of the test suite: timings vary by machine).
It builds a scratch PostgreSQL database, enrols one apprentice on ST0896 and adds N
submitted evidence items, each with a written account and a photo (uploaded through the
services, so re-encoded as in real use). Then, each in a fresh Python process so peak
memory is its own:

- pipeline: what the Celery task does, end to end: gather the data, render the HTML,
  store the job, render the PDF with WeasyPrint and save it (reports.services);
- html: only gathering the data and rendering the HTML (reports.content);
- weasyprint: WeasyPrint alone on the same HTML, with the same URL fetcher.

It prints the median and best of several runs, pages, PDF size and peak resident memory.
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

DB_NAME = "peerfolio_benchmark"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _photo(n: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (230 - n % 50, 235, 225))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        draw.ellipse([40 + i * 90, 300, 120 + i * 90, 380], fill=(60 + i * 12, 120, 160 - i * 5))
    draw.text((60, 80), f"Flipchart from session {n}", fill=(30, 30, 30))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()


def prepare(database_url: str, items: int) -> int:
    """Create the scratch database and the portfolio. Returns the apprenticeship id.

    The database is the one --database-url names. It is created here, or recreated only if
    an earlier benchmark made it (config.scratch_database): an existing database of any
    other origin stops the benchmark before anything is dropped.
    """
    from config.scratch_database import recreate_scratch_database

    recreate_scratch_database(database_url)
    _setup_django(database_url)
    import datetime as dt
    from decimal import Decimal

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from apprenticeship import services as enrolment
    from apprenticeship.models import Organisation, OrganisationMembership, Role
    from portfolio.evidence.services import evidence as evidence_services
    from standards.parsing import load_standard_file
    from standards.services.imports import import_standard

    call_command("migrate", verbosity=0)
    path = Path(settings.BASE_DIR) / "fixtures" / "standards" / "st0896-v1.0.json"
    standard = import_standard(data=load_standard_file(path)).standard_version
    provider = Organisation.objects.create(name="Bench Provider", kind="provider")
    employer = Organisation.objects.create(name="Bench Employer", kind="employer")
    apprentice = User.objects.create_user("bench.apprentice@example.org", "x", full_name="Bench")
    tutor = User.objects.create_user("bench.tutor@example.org", "x", full_name="Tutor")
    OrganisationMembership.objects.create(user=apprentice, organisation=employer)
    OrganisationMembership.objects.create(user=tutor, organisation=provider)
    start = timezone.localdate() - dt.timedelta(days=300)
    apprenticeship = enrolment.create_apprenticeship(
        by=None,
        apprentice=apprentice,
        standard_version=standard,
        provider=provider,
        employer=employer,
        start_date=start,
        planned_end_date=start + dt.timedelta(days=460),
        contracted_weekly_hours=Decimal("37.5"),
        date_of_birth=dt.date(1988, 4, 2),
    )
    enrolment.add_member(apprenticeship=apprenticeship, user=tutor, role=Role.TUTOR, by=None)
    duties = list(standard.duties.order_by("number"))
    skills = list(standard.ksbs.all())
    account = (
        "I met them at the door and we agreed what the session was for. I shared a short "
        "part of my own story when it helped, and kept the focus on their goals. "
    ) * 12
    for n in range(items):
        evidence = evidence_services.create_evidence(
            apprenticeship=apprenticeship,
            by=apprentice,
            title=f"Evidence item {n + 1}: a session at the drop-in",
            kind="work_record",
            activity_date=start + dt.timedelta(days=2 * n % 290),
            account=account,
            duties=[duties[n % len(duties)]],
            ksbs=[skills[n % len(skills)]] if skills else [],
        )
        evidence_services.add_files(
            evidence=evidence,
            by=apprentice,
            files=[SimpleUploadedFile(f"flipchart-{n + 1}.jpg", _photo(n))],
        )
        evidence_services.submit_evidence(
            evidence=evidence, by=apprentice, own_work=True, names_no_one=True
        )
    return apprenticeship.pk


def run_phase(database_url: str, phase: str, apprenticeship_id: int, html_path: str) -> dict:
    """One timed run of one phase, in this (fresh) process."""
    _setup_django(database_url)
    from apprenticeship.models import Apprenticeship
    from reports import content, pdf, services
    from reports.models import Report

    apprenticeship = Apprenticeship.objects.get(pk=apprenticeship_id)
    baseline = _rss_mb()
    began = time.perf_counter()
    result: dict = {}
    if phase == "pipeline":
        Report.objects.all().delete()
        report = services.request_report(
            apprenticeship=apprenticeship,
            kind=Report.Kind.PORTFOLIO,
            audience=Report.Audience.FULL,
            by=None,
        )
        services.build_report(report_id=report.pk)
        report.refresh_from_db()
        if report.status != Report.Status.READY:
            raise RuntimeError(f"report failed: {report.failure}")
        result.update(pages=report.pages, size=report.size)
    elif phase == "html":
        document = content.build_document(
            apprenticeship=apprenticeship, kind=Report.Kind.PORTFOLIO, audience="full"
        )
        Path(html_path).write_text(
            json.dumps(
                {
                    "html": document.html,
                    "files": {k: vars(v) for k, v in document.files.items()},
                }
            )
        )
        result.update(html_kb=round(len(document.html) / 1024), images=len(document.files))
    else:
        saved = json.loads(Path(html_path).read_text())
        files = {k: pdf.EmbeddedFile(**v) for k, v in saved["files"].items()}
        data, pages = pdf.render_pdf(saved["html"], files)
        result.update(pages=pages, size=len(data))
    result["seconds"] = time.perf_counter() - began
    result["peak_mb"] = _peak_mb()
    result["baseline_mb"] = baseline
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--apprenticeship", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--html", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.database_url, args.phase, args.apprenticeship, args.html)))  # noqa: T201
        return

    from config.scratch_database import ScratchDatabaseRefused

    began = time.perf_counter()
    try:
        apprenticeship_id = prepare(args.database_url, args.items)
    except ScratchDatabaseRefused as refused:
        sys.exit(str(refused))
    print(f"Prepared {args.items} items with photos in {time.perf_counter() - began:.1f} s.")  # noqa: T201
    html_path = f"/tmp/peerfolio-benchmark-{os.getpid()}.json"  # noqa: S108
    rows = {}
    for phase in ("html", "weasyprint", "pipeline"):
        runs = []
        for _ in range(args.runs):
            output = subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    __file__,
                    "--database-url",
                    args.database_url,
                    "--phase",
                    phase,
                    "--apprenticeship",
                    str(apprenticeship_id),
                    "--html",
                    html_path,
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs.append(json.loads(output.strip().splitlines()[-1]))
        rows[phase] = runs
    Path(html_path).unlink(missing_ok=True)
    print()  # noqa: T201
    print(f"{'phase':<12}{'median s':>10}{'best s':>9}{'peak MB':>9}{'above start':>13}  notes")  # noqa: T201
    for phase, runs in rows.items():
        seconds = [r["seconds"] for r in runs]
        peak = max(r["peak_mb"] for r in runs)
        growth = max(r["peak_mb"] - r["baseline_mb"] for r in runs)
        notes = {k: v for k, v in runs[0].items() if k not in ("seconds", "peak_mb", "baseline_mb")}
        print(  # noqa: T201
            f"{phase:<12}{statistics.median(seconds):>10.2f}{min(seconds):>9.2f}"
            f"{peak:>9.0f}{growth:>13.0f}  {notes}"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
