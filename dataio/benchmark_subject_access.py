"""Benchmark: the subject access zip for the largest demo portfolio.

Run it with `bin/benchmark-subject-access` (not part of the test suite: timings vary by
machine), which runs it as a module (`python -m dataio.benchmark_subject_access`).
It works in a scratch PostgreSQL database (--database-url), made by it and marked so
(config/scratch_database.py): one that exists without the mark is refused, untouched. It
makes a scratch folder for the files, seeds the demo, and drops only what it
created when it ends. `--extra-items N` gives the largest demo apprentice N more evidence
items, each with a photo uploaded through the services, to see how the zip grows.

Then, for the apprentice with the most evidence, it times in this one run:

- baseline: their portfolio PDF alone (reports.services.build_report_now), which the zip
  holds, so the ratios say what the rest costs on top of it;
- areas: reading every area of their records into the JSON files (with its query count);
- zip: the whole zip in memory (dataio.subject_access.build_zip);
- job: what the worker does (dataio.services.build_subject_access): the zip, saved.

It prints each time, its ratio to the baseline, and the zip's size and contents.
"""

import argparse
import io
import json
import os
import shutil
import tempfile
import time
import zipfile

DB_URL = "postgres://postgres@127.0.0.1:5432/peerfolio_benchmark_sar"


def _png(n: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (230 - n % 50, 235, 225))
    ImageDraw.Draw(image).text((60, 80), f"Flipchart from session {n}", fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=DB_URL,
        help="A scratch database: made (or remade, if a benchmark made it) and dropped "
        "at the end; an existing database no benchmark made is refused "
        "(config/scratch_database.py).",
    )
    parser.add_argument("--extra-items", type=int, default=0)
    args = parser.parse_args()

    # Before anything of config is imported: config/celery.py would choose the base settings.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    from config.scratch_database import (
        ScratchDatabaseRefused,
        drop_scratch_database,
        recreate_scratch_database,
    )

    try:
        recreate_scratch_database(args.database_url)
    except ScratchDatabaseRefused as refused:
        raise SystemExit(str(refused)) from refused
    media = tempfile.mkdtemp(prefix="peerfolio-benchmark-sar-")
    try:
        _run(args, args.database_url, media)
    finally:
        from django.db import connections

        connections.close_all()
        # Only a database a benchmark made (it carries the scratch mark).
        drop_scratch_database(args.database_url)
        shutil.rmtree(media, ignore_errors=True)


def _run(args, database_url: str, media: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings

    from config.celery import app as celery_app

    # Jobs the run queues (invitations, the import) stay in this process: nothing is sent
    # to a shared broker, where someone else's worker might pick it up.
    celery_app.conf.broker_url = "memory://"

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media},
        },
    }
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection as db
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import User
    from apprenticeship.models import Apprenticeship
    from dataio import services, subject_access
    from dataio.models import SubjectAccessRequest
    from portfolio.evidence.models import Evidence, EvidenceKind
    from portfolio.evidence.services import evidence as evidence_services
    from reports import services as reports

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    largest = (
        Apprenticeship.objects.annotate(items=Count("evidence"))
        .select_related("apprentice")
        .order_by("-items", "pk")
        .first()
    )
    if largest is None:
        raise SystemExit("The demo made no apprenticeship.")
    person = largest.apprentice
    for n in range(args.extra_items):
        item = Evidence.objects.create(
            apprenticeship=largest,
            title=f"Extra item {n}",
            kind=EvidenceKind.REFLECTIVE_ACCOUNT,
            activity_date=largest.start_date,
            account="What I did, what I learned and what I would do differently. " * 20,
        )
        evidence_services.add_files(
            evidence=item,
            by=person,
            files=[SimpleUploadedFile(f"photo-{n}.png", _png(n), content_type="image/png")],
        )

    class Counted:
        def __init__(self) -> None:
            self.count = 0

        def __call__(self, execute, sql, params, many, context):
            self.count += 1
            return execute(sql, params, many, context)

    def timed(work):
        began = time.perf_counter()
        result = work()
        return time.perf_counter() - began, result

    mine = list(Apprenticeship.objects.filter(apprentice=person).order_by("pk"))
    baseline, _ = timed(
        lambda: [
            reports.build_report_now(apprenticeship=a, kind="portfolio", audience="full")
            for a in mine
        ]
    )
    counter = Counted()
    with db.execute_wrapper(counter):
        areas_time, _ = timed(
            lambda: [
                json.dumps(area, ensure_ascii=False)
                for area in subject_access.areas(person).values()
            ]
        )
    zip_time, data = timed(lambda: subject_access.build_zip(person, when=timezone.now()))
    request = SubjectAccessRequest.objects.create(person=person, requested_by=person)
    job, _ = timed(lambda: services.build_subject_access(request_id=request.pk))
    request.refresh_from_db()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.namelist()
    files = sum(1 for m in members if m.startswith("files/"))
    items = Evidence.objects.filter(apprenticeship__apprentice=person).count()

    def line(label: str, seconds: float, extra: str = "") -> None:
        print(  # noqa: T201
            f"{label:<9} {seconds:8.3f} s  {seconds / baseline:6.2f} x baseline  {extra}"
        )

    print(  # noqa: T201
        f"{person.full_name}: {len(mine)} apprenticeship(s), {items} evidence items, "
        f"{files} files; zip {len(data) / 1024:.0f} KiB, {len(members)} entries "
        f"(users: {User.objects.count()})"
    )
    line("baseline", baseline, "(the portfolio PDF alone)")
    line("areas", areas_time, f"({counter.count} queries)")
    line("zip", zip_time, "(everything, in memory)")
    line("job", job, f"(the worker's whole job; {request.status}, {request.size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
