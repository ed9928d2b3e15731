"""Benchmarks and scale seeding never drop a database they did not create."""

import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings

from config import scratch_database

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="scratch databases are PostgreSQL databases",
)


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{name}"


@pytest.fixture
def admin():
    with psycopg.connect(_url("postgres"), autocommit=True) as connection:
        yield connection


@pytest.fixture
def names(admin):
    base = (os.environ.get("TEST_DATABASE_NAME") or "test_peerfolio") + "_scratchcheck"
    made = [f"{base}_ours", f"{base}_theirs"]
    yield made
    for name in made:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _table_count(name: str) -> int:
    with psycopg.connect(_url(name)) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]


def test_a_database_it_did_not_create_is_refused_and_kept(admin, names):
    theirs = names[1]
    admin.execute(f'CREATE DATABASE "{theirs}"')
    with psycopg.connect(_url(theirs), autocommit=True) as connection:
        connection.execute("CREATE TABLE precious (id int)")

    with pytest.raises(scratch_database.ScratchDatabaseRefused, match="left alone"):
        scratch_database.recreate_scratch_database(_url(theirs))
    assert scratch_database.drop_scratch_database(_url(theirs)) is False

    assert _table_count(theirs) == 1


def test_its_own_database_is_created_marked_and_recreated_empty(admin, names):
    ours = names[0]
    assert scratch_database.recreate_scratch_database(_url(ours)) == ours
    assert scratch_database.is_scratch(admin, ours) is True
    with psycopg.connect(_url(ours), autocommit=True) as connection:
        connection.execute("CREATE TABLE leftover (id int)")

    scratch_database.recreate_scratch_database(_url(ours))

    assert _table_count(ours) == 0
    assert scratch_database.drop_scratch_database(_url(ours)) is True
    assert scratch_database.is_scratch(admin, ours) is None


def test_the_report_benchmark_stops_on_a_database_it_did_not_create(admin, names):
    theirs = names[1]
    admin.execute(f'CREATE DATABASE "{theirs}"')

    finished = subprocess.run(  # noqa: S603
        [sys.executable, "reports/benchmark.py", "--database-url", _url(theirs), "--runs", "1"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode != 0
    assert "left alone" in finished.stderr
    assert scratch_database.is_scratch(admin, theirs) is False
