"""Benchmark: bulk enrolment of a 2,000-row file, preview and import.

Run it with `bin/benchmark-import` (not part of the test suite: timings vary by machine),
which runs it as a module (`python -m dataio.benchmark`).
It builds a scratch PostgreSQL database with one provider, its admin and ST0896, writes a
CSV of N learners (half of them at 50 employers that exist, half at 50 new ones), then
times, in this one run:

- baseline: reading the file with Python's csv module alone, the least any import costs;
- read: reading and checking the file's shape (dataio.enrolment_import.read_rows);
- preview: planning every row (the page's work), with its query count;
- import: creating every person, employer, enrolment and invitation (one transaction);
- again: previewing the same file after the import (every row already enrolled).

It prints each time, its ratio to the baseline and the import's time per row.
"""

import argparse
import csv
import io
import os
import time

DB_NAME = "peerfolio_benchmark_import"


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
    parser.add_argument("--database-url", default=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
    args = parser.parse_args()

    import psycopg

    admin_url = args.database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from apprenticeship.models import Organisation, OrganisationMembership
    from dataio import enrolment_import, services
    from standards.models import StandardVersion

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

    def timed(work):
        began = time.perf_counter()
        result = work()
        return time.perf_counter() - began, result

    baseline, _ = timed(lambda: list(csv.reader(io.StringIO(content.decode()))))
    read, rows = timed(lambda: enrolment_import.read_rows(content, "learners.csv"))
    with CaptureQueriesContext(db) as queries:
        preview, plan = timed(lambda: enrolment_import.plan_rows(provider=provider, rows=rows))
    if plan.problems:
        raise SystemExit(f"The file has problems: {[r.problems for r in plan.rows][:3]}")
    upload = services.upload_enrolments(
        provider=provider, content=content, filename="learners.csv", by=admin
    )
    commit, done = timed(lambda: services.commit_enrolments(upload=upload, by=admin))
    again, plan_again = timed(lambda: enrolment_import.plan_rows(provider=provider, rows=rows))
    if plan_again.already != args.rows:
        raise SystemExit(f"Only {plan_again.already} rows were enrolled.")

    def line(name: str, seconds: float, extra: str = "") -> None:
        print(  # noqa: T201
            f"{name:<9} {seconds:8.3f} s  {seconds / baseline:9.0f} x baseline  {extra}"
        )

    print(f"{args.rows} rows, {len(content) / 1024:.0f} KiB of CSV")  # noqa: T201
    line("baseline", baseline, "(csv module alone)")
    line("read", read)
    line("preview", preview, f"({len(queries)} queries)")
    line(
        "import",
        commit,
        f"({commit / args.rows * 1000:.1f} ms a row; {done.enrolments_created} enrolments created)",
    )
    line("again", again, "(every row already enrolled: nothing to create)")


if __name__ == "__main__":
    main()
