"""The deployment files stay true to the settings."""

import re
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
READERS = re.compile(r"""(?:env_(?:str|bool|int|list)\(|os\.environ\[)\s*["']([A-Z0-9_]+)["']""")


def settings_variables() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "config" / "settings").glob("base.py"):
        names |= set(READERS.findall(path.read_text()))
    return names


def env_example_variables() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z0-9_]+=", line)}


def python_output(code: str, **env: str) -> str:
    """The last line `code` prints, run in a fresh Python with only `env` (and a secret
    key) set: the settings as a process started that way would have them."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SECRET_KEY": "k" * 60, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()[-1]


def test_env_example_lists_every_variable_the_settings_read():
    missing = settings_variables() - env_example_variables()
    assert not missing, f"Add to .env.example: {sorted(missing)}"


def test_docker_compose_has_web_worker_database_and_redis_with_healthchecks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert "gunicorn" in (ROOT / "bin" / "docker-entrypoint").read_text()
    assert services["web"]["command"] == ["web"]
    assert services["worker"]["command"] == ["worker"]
    # Web and worker share the uploaded files; the database and broker keep their data.
    assert "media:/data/media" in services["web"]["volumes"]
    assert "media:/data/media" in services["worker"]["volumes"]
    assert {"media", "pgdata", "redisdata"} <= set(compose["volumes"])
    env = services["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"


def test_gunicorn_serves_with_threads_sized_from_the_cores():
    def sizing(**env: str) -> list[str]:
        return subprocess.run(  # noqa: S603
            [str(ROOT / "bin" / "docker-entrypoint"), "gunicorn-sizing"],
            env={"PATH": "/usr/bin:/bin", **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()

    assert sizing(WEB_CORES="2") == [
        "--worker-class",
        "gthread",
        "--workers",
        "3",
        "--threads",
        "4",
    ]
    assert sizing(WEB_CORES="8")[3] == "9"
    assert sizing(WEB_CONCURRENCY="2", WEB_THREADS="8")[3::2] == ["2", "8"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]["environment"]
    assert web["WEB_THREADS"] == "${WEB_THREADS:-4}"
    assert web["DATABASE_URL"] == compose["services"]["worker"]["environment"]["DATABASE_URL"]
    assert "$(gunicorn_sizing)" in (ROOT / "bin" / "docker-entrypoint").read_text()


def test_the_query_count_header_is_off_unless_asked_for(client, db, settings):
    from django.urls import reverse

    url = reverse("accounts:login")
    assert "X-Query-Count" not in client.get(url).headers
    from django.test import Client

    settings.MIDDLEWARE = ["config.middleware.QueryCountHeaderMiddleware", *settings.MIDDLEWARE]
    client = Client()  # a client loads the middleware once
    assert client.get(url).headers["X-Query-Count"] == "0"
    from tests.factories import UserFactory

    person = UserFactory()
    client.force_login(person)
    assert int(client.get(reverse("accounts:password-change")).headers["X-Query-Count"]) >= 1


def test_the_web_process_sets_aside_what_it_loads_at_start_from_the_cycle_collector(tmp_path):
    """config/wsgi.py loads every view, then freezes what is loaded: the many objects that
    live as long as the process are not walked again by each full collection."""
    frozen = python_output(
        "import gc, config.wsgi; print(gc.get_freeze_count())",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        APP_VAR_DIR=str(tmp_path),
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    assert int(frozen) > 50_000


def test_postgresql_prepares_repeated_queries_unless_told_not_to(tmp_path):
    """Production settings on PostgreSQL: parameters bound by the server and queries
    prepared after 5 runs. DATABASE_PREPARED_STATEMENTS=false leaves both off (for a
    pooler in transaction mode), and SQLite is left as it is."""
    import json

    def options(**env: str) -> dict:
        return json.loads(
            python_output(
                "import json; from config.settings import base; "
                "print(json.dumps(base.DATABASES['default'].get('OPTIONS', {})))",
                **env,
            )
        )

    postgres = "postgres://postgres@127.0.0.1:5432/postgres"
    assert options(DATABASE_URL=postgres) == {"server_side_binding": True, "prepare_threshold": 5}
    assert options(DATABASE_URL=postgres, DATABASE_PREPARED_STATEMENTS="false") == {}
    assert options(APP_VAR_DIR=str(tmp_path)) == {}


def test_british_dates_without_the_translation_machinery():
    """Translation is off (config/settings/base.py): nothing is translated, and asking for
    the active language cost every date, number and label on a page. Dates still read and
    parse the British way, and Django's own words still read in English."""
    import datetime as dt

    from django import forms
    from django.utils.formats import date_format
    from django.utils.timesince import timesince

    assert settings.USE_I18N is False
    assert settings.LANGUAGE_CODE == "en-gb"
    assert date_format(dt.date(2026, 12, 7)) == "7 Dec 2026"
    assert date_format(dt.date(2026, 12, 7), "j F Y") == "7 December 2026"
    assert forms.DateField().clean("07/12/2026") == dt.date(2026, 12, 7)
    assert timesince(dt.date(2026, 12, 1), dt.date(2026, 12, 7)) == "6\xa0days"
    assert forms.CharField().error_messages["required"] == "This field is required."
