"""Benchmark: how long a portfolio report takes to build, and how much memory.

Run it with `bin/benchmark-report` (not part of the test suite: timings vary by machine).
It builds a scratch PostgreSQL database with `manage.py seed_scale` (one apprenticeship
with N submitted, accepted and referred evidence items, each with its own photo, its
off-the-job log and signed reviews). Then, each in a fresh Python process so peak memory
is its own:

- html: only gathering the data and rendering the HTML (reports.content);
- weasyprint: WeasyPrint alone on the same HTML as one document, with the same URL
  fetcher (the baseline; skipped above --raw-max-items, as it grows past a gigabyte);
- pipeline: what the Celery task does, end to end, from nothing: gather the data, render
  the HTML, store the job, lay the parts out (in worker processes for a large report),
  join them and save the PDF (reports.services);
- rebuild: one new evidence item, then the same again, reusing the parts that did not
  change.

It prints the median and best of several runs, pages, PDF size, the peak resident memory
of the largest process (this one or a worker process), and the ratios the targets are
set in: the pipeline to raw WeasyPrint, and the rebuild to the full build.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DB_NAME = "peerfolio_benchmark"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.update(_settings_env())
    import django

    django.setup()


def prepare(database_url: str, items: int) -> int:
    """Create the scratch database and the portfolio with seed_scale. Returns the
    apprenticeship id.

    The database is the one --database-url names. It is created, or recreated only if an
    earlier benchmark made it (config.scratch_database): an existing database of any other
    origin stops the benchmark before anything is dropped.
    """
    root = Path(__file__).resolve().parent.parent
    output = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(root / "manage.py"),
            "seed_scale",
            "--apprentices",
            "1",
            "--big-items",
            str(items),
            "--big-entries",
            str(items * 2),
            "--database-url",
            database_url,
        ],
        env={**os.environ, "DATABASE_URL": database_url, **_settings_env()},
        check=False,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        sys.exit(output.stderr.strip().splitlines()[-1] if output.stderr else "seed_scale failed")
    return int(output.stdout.strip().rstrip(".").split()[-1])


def _settings_env() -> dict:
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test")
    return {"DJANGO_SETTINGS_MODULE": module}


def _photo(n: int) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (230 - n % 50, 235, 225))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        draw.ellipse([40 + i * 90, 300, 120 + i * 90, 380], fill=(60 + i * 12, 120, 160 - i * 5))
    draw.text((60, 80), f"Flipchart from session {n}", fill=(30, 30, 30))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()


def _largest_process_mb() -> float:
    """The peak memory of this process or of the largest worker process it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _add_one_item(apprenticeship) -> None:
    """One new item, as the apprentice would add it today: written, photographed, sent."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from portfolio.evidence.services import evidence as evidence_services

    duty = apprenticeship.standard_version.duties.order_by("number").first()
    evidence = evidence_services.create_evidence(
        apprenticeship=apprenticeship,
        by=apprenticeship.apprentice,
        title="A new session at the drop-in",
        kind="work_record",
        activity_date=timezone.localdate(),
        account="I met them at the door and we agreed what the session was for. " * 8,
        duties=[duty],
        ksbs=list(apprenticeship.standard_version.ksbs.order_by("pk")[:1]),
    )
    evidence_services.add_files(
        evidence=evidence,
        by=apprenticeship.apprentice,
        files=[SimpleUploadedFile("new-flipchart.jpg", _photo(99999))],
    )
    evidence_services.submit_evidence(
        evidence=evidence, by=apprenticeship.apprentice, own_work=True, names_no_one=True
    )


def _build(apprenticeship, result: dict) -> None:
    from reports import sections, services
    from reports.models import Report

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
    result.update(pages=report.pages, size_mb=round(report.size / 2**20, 1))
    result.update({k: round(v, 1) for k, v in sections.LAST_BUILD.items()})
    result["worker_peak_mb"] = round(sections.PoolRenderer.peak_mb)


def run_phase(database_url: str, phase: str, apprenticeship_id: int, html_path: str) -> dict:
    """One timed run of one phase, in this (fresh) process."""
    _setup_django(database_url)
    from apprenticeship.models import Apprenticeship
    from reports import content, pdf
    from reports.models import Report

    apprenticeship = Apprenticeship.objects.get(pk=apprenticeship_id)
    baseline = _rss_mb()
    began = time.perf_counter()
    result: dict = {}
    if phase == "pipeline":
        Report.objects.all().delete()
        _build(apprenticeship, result)
    elif phase == "rebuild":
        _add_one_item(apprenticeship)
        began = time.perf_counter()
        _build(apprenticeship, result)
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
    result["peak_mb"] = _largest_process_mb()
    result["baseline_mb"] = baseline
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--raw-max-items",
        type=int,
        default=300,
        help="Time raw WeasyPrint only up to this many items (it needs gigabytes beyond).",
    )
    parser.add_argument("--database-url", default=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--apprenticeship", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--html", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.database_url, args.phase, args.apprenticeship, args.html)))  # noqa: T201
        return

    # One media folder for every process of this run (the photos, the parts, the PDFs).
    media = None
    if "MEDIA_ROOT" not in os.environ:
        media = tempfile.mkdtemp(prefix="peerfolio-benchmark-media-")
        os.environ["MEDIA_ROOT"] = media
    try:
        _run(args)
    finally:
        if media:
            shutil.rmtree(media, ignore_errors=True)


def _run(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    apprenticeship_id = prepare(args.database_url, args.items)
    print(f"Prepared {args.items} items with photos in {time.perf_counter() - began:.1f} s.")  # noqa: T201
    html_path = f"/tmp/peerfolio-benchmark-{os.getpid()}.json"  # noqa: S108
    phases = ["html", "weasyprint", "pipeline", "rebuild"]
    if args.items > args.raw_max_items:
        phases.remove("weasyprint")
    rows: dict[str, list[dict]] = {phase: [] for phase in phases}
    # Interleaved, so a busy moment on a shared machine falls on every phase alike.
    for _ in range(args.runs):
        for phase in phases:
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
            rows[phase].append(json.loads(output.strip().splitlines()[-1]))
    Path(html_path).unlink(missing_ok=True)
    print()  # noqa: T201
    print(f"{'phase':<12}{'median s':>10}{'best s':>9}{'peak MB':>9}{'above start':>13}  notes")  # noqa: T201
    medians = {}
    for phase, runs in rows.items():
        seconds = [r["seconds"] for r in runs]
        medians[phase] = statistics.median(seconds)
        peak = max(r["peak_mb"] for r in runs)
        growth = max(r["peak_mb"] - r["baseline_mb"] for r in runs)
        notes = {k: v for k, v in runs[0].items() if k not in ("seconds", "peak_mb", "baseline_mb")}
        print(  # noqa: T201
            f"{phase:<12}{medians[phase]:>10.2f}{min(seconds):>9.2f}"
            f"{peak:>9.0f}{growth:>13.0f}  {notes}"
        )
    print()  # noqa: T201
    if "weasyprint" in medians:
        ratio = medians["pipeline"] / medians["weasyprint"]
        print(f"pipeline / raw WeasyPrint on the same HTML: {ratio:.2f}x (target 1.15x)")  # noqa: T201
    share = medians["rebuild"] / medians["pipeline"]
    print(f"rebuild after one new item / full build: {share:.0%} (target 15%)")  # noqa: T201


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
