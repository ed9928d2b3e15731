"""Benchmark: bulk enrolment of a 2,000-row file, preview and import.

Run it with `bin/benchmark-import` (not part of the test suite: timings vary by machine),
which runs it as a module (`python -m dataio.benchmark`).
It works in a scratch PostgreSQL database (--database-url), made by it and marked so
(config/scratch_database.py): one that exists without the mark is refused, untouched. It
drops only that database when it ends. In it: one provider, its admin and
ST0896; a CSV of N learners (half of them at 50 employers that exist, half at 50 new
ones). Then it times, in this one run:

- baseline: reading the file with Python's csv module alone, the least any import costs;
- read: reading and checking the file's shape (dataio.enrolment_import.read_rows);
- plan: planning every row, with its query count;
- page: the whole preview page as the admin gets it (plan and every row rendered);
- confirm: the admin's confirming request (plans again, queues the worker);
- job: the worker creating every person, employer, enrolment and invitation (one
  transaction), which the admin no longer waits for;
- again: planning the same file after the import (every row already enrolled).

It prints each time, its ratio to the baseline and the job's time per row.
"""

import argparse
import csv
import io
import os
import time

DB_URL = "postgres://postgres@127.0.0.1:5432/peerfolio_benchmark_import"


def _uln(n: int) -> str:
    """A valid unique learner number for n, or '' when n's check digit would be 10."""
    prefix = f"{100000000 + n:09d}"
    total = sum(int(d) * w for d, w in zip(prefix, range(10, 1, -1), strict=True))
    check = (10 - total) % 11
    return prefix + str(check) if check < 10 else ""


def make_csv(rows: int, version: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    from dataio.enrolment_import import COLUMNS

    writer.writerow(COLUMNS)
    for n in range(rows):
        writer.writerow(
            [
                f"learner{n}@example.org",
                f"Learner {n}",
                "1990-05-17",
                _uln(n),
                f"Existing Employer {n % 50}" if n % 2 else f"New Employer {n % 50}",
                "ST0896",
                version,
                "2026-09-07",
                "2027-12-06",
                "30",
                "",
            ]
        )
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument(
        "--database-url",
        default=DB_URL,
        help="A scratch database: made (or remade, if a benchmark made it) and dropped "
        "at the end; an existing database no benchmark made is refused "
        "(config/scratch_database.py).",
    )
    parser.add_argument(
        "--skip-job", action="store_true", help="Time everything but the worker's import."
    )
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
    try:
        _run(args, args.database_url)
    finally:
        from django.db import connections

        connections.close_all()
        # Only a database a benchmark made (it carries the scratch mark).
        drop_scratch_database(args.database_url)


def _run(args, database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings

    from config.celery import app as celery_app

    # Jobs the run queues (invitations, the import) stay in this process: nothing is sent
    # to a shared broker, where someone else's worker might pick it up.
    celery_app.conf.broker_url = "memory://"
    from django.core.management import call_command
    from django.db import connection as db
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from accounts.models import User
    from apprenticeship.models import Organisation, OrganisationMembership
    from dataio import enrolment_import, services
    from outbox.models import OutboxMessage
    from standards.models import StandardVersion
    from tests.conftest import Client

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command(
        "import_standard",
        str(settings.BASE_DIR / "fixtures" / "standards" / "st0896-v1.0.json"),
        verbosity=0,
        stdout=io.StringIO(),
    )
    version = StandardVersion.objects.get(reference="ST0896")
    provider = Organisation.objects.create(name="Benchmark Provider", kind="provider")
    admin = User.objects.create(email="admin@example.org", full_name="Admin")
    OrganisationMembership.objects.create(user=admin, organisation=provider, is_admin=True)
    for n in range(50):
        Organisation.objects.create(
            name=f"Existing Employer {n}", kind="employer", managed_by=provider
        )
    content = make_csv(args.rows, version.version)

    class Counted:
        """Counts the queries run while it is open (the debug cursor is off here)."""

        def __init__(self) -> None:
            self.count = 0

        def __call__(self, execute, sql, params, many, context):
            self.count += 1
            return execute(sql, params, many, context)

        def __enter__(self):
            self._wrapper = db.execute_wrapper(self)
            self._wrapper.__enter__()
            return self

        def __exit__(self, *exc) -> None:
            self._wrapper.__exit__(*exc)

        def __len__(self) -> int:
            return self.count

    def timed(work):
        began = time.perf_counter()
        result = work()
        return time.perf_counter() - began, result

    baseline, _ = timed(lambda: list(csv.reader(io.StringIO(content.decode()))))
    read, rows = timed(lambda: enrolment_import.read_rows(content, "learners.csv"))
    with Counted() as queries:
        plan_time, plan = timed(lambda: enrolment_import.plan_rows(provider=provider, rows=rows))
    if plan.problems:
        raise SystemExit(f"The file has problems: {[r.problems for r in plan.rows][:3]}")
    upload = services.upload_enrolments(
        provider=provider, content=content, filename="learners.csv", by=admin
    )
    client = Client()
    client.force_login(admin)
    url = reverse("dataio:enrolment-import-preview", args=[upload.pk])
    with Counted() as page_queries:
        page_time, page = timed(lambda: client.get(url))
    if page.status_code != 200:
        raise SystemExit(f"The preview page answered {page.status_code}.")
    confirm, response = timed(lambda: client.post(url))
    if (
        response.status_code != 302
        or not OutboxMessage.objects.filter(task=services.IMPORT_TASK).exists()
    ):
        raise SystemExit(f"Confirming answered {response.status_code} and queued nothing.")

    def line(label: str, seconds: float, extra: str = "") -> None:
        print(  # noqa: T201
            f"{label:<9} {seconds:8.3f} s  {seconds / baseline:9.0f} x baseline  {extra}"
        )

    print(f"{args.rows} rows, {len(content) / 1024:.0f} KiB of CSV")  # noqa: T201
    line("baseline", baseline, "(csv module alone)")
    line("read", read)
    line("plan", plan_time, f"({len(queries)} queries)")
    line("page", page_time, f"({len(page_queries)} queries, {len(page.content) / 1024:.0f} KiB)")
    line("confirm", confirm, "(the admin's request: plans again and queues the worker)")
    if args.skip_job:
        return
    job, _ = timed(lambda: services.run_enrolment_import(import_id=upload.pk))
    upload.refresh_from_db()
    again, plan_again = timed(lambda: enrolment_import.plan_rows(provider=provider, rows=rows))
    if plan_again.already != args.rows:
        raise SystemExit(f"Only {plan_again.already} rows were enrolled.")
    line(
        "job",
        job,
        f"({job / args.rows * 1000:.1f} ms a row; {upload.enrolments_created} enrolments "
        "created, in the background)",
    )
    line("again", again, "(every row already enrolled: nothing to create)")


if __name__ == "__main__":
    main()
