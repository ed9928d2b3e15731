"""The driver behind bin/fault-load. Plain threads and the standard library: each client
signs in as the demo provider admin and invites new people (a write, plus an invitation
email through the outbox) as fast as the site answers, while a fault thread restarts Redis,
crashes PostgreSQL (immediate stop, like a power cut) and freezes Redis. Afterwards it waits
for the outbox to drain and reports:

- acknowledged writes (the site answered with its success redirect) against the people
  found in the database, and any acknowledged write that is missing;
- invitation emails: outbox messages done, failed or still waiting, and emails the mail
  sink received once, more than once, or not at all, per acknowledged person.
"""

import argparse
import collections
import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "peer-worker-demo"  # noqa: S105 - the demo logins' password
ADMIN = "admin@example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201 - a command-line report


class Postgres:
    """A private PostgreSQL cluster on a free port, in a directory of this run's own."""

    def __init__(self, base: Path) -> None:
        self.directory = base / "pgdata"
        self.socket_dir = base / "pgsock"
        self.log = base / "postgres.log"
        self.port = free_port()
        initdb = shutil.which("initdb") or shutil.which("pg_ctl")
        if initdb is None:
            raise SystemExit("PostgreSQL's initdb is not installed (apt-get install postgresql).")
        self.bin = Path(initdb).resolve().parent

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    def init(self) -> None:
        for path in (self.directory, self.socket_dir):
            path.mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
        if os.geteuid() == 0:
            self.log.touch()
            shutil.chown(self.log, "postgres", "postgres")
            shutil.chown(self.directory.parent, "postgres", "postgres")
        self._run("initdb", "-D", str(self.directory), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.directory), "-o", options, "-l", str(self.log),
                  "-w", "start")  # fmt: skip

    def crash(self) -> None:
        """Stop at once, without a checkpoint, as after a power cut; recovery replays WAL."""
        self._run("pg_ctl", "-D", str(self.directory), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.directory), "-m", "fast", "-w", "stop")


class Redis:
    def __init__(self, base: Path) -> None:
        self.port = free_port()
        self.directory = base
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no", "--dir", str(self.directory)]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        wait_port(self.port)

    def stop(self) -> None:
        if self.process:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class MailSink:
    """Counts the emails each address receives, with their Message-IDs."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: dict[str, list[str]] = collections.defaultdict(list)
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        found = re.search(rb"^Message-ID: *(.+?)\r?$", envelope.content, re.M | re.I)
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received[address].append(found.group(1).decode() if found else "")
        return "250 OK"


class Client:
    """One signed-in browser, as plain HTTP with a cookie jar."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        if data is not None:
            request.add_header("Referer", self.base_url + path)
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as error:
            return (
                error.code,
                error.read().decode(errors="replace"),
                error.headers.get("Location", ""),
            )

    def csrf(self, page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def sign_in(self) -> None:
        _status, page, _ = self.request("/accounts/login/")
        status, _, _ = self.request(
            "/accounts/login/",
            {"csrfmiddlewaretoken": self.csrf(page), "username": ADMIN, "password": PASSWORD},
        )
        if status != 302:
            raise RuntimeError(f"sign-in answered {status}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Load:
    def __init__(self, base_url: str, clients: int, seconds: float, on_start) -> None:
        self.on_start = on_start
        self.base_url = base_url
        self.clients = clients
        self.seconds = seconds
        # Every client signs in and opens the form once (the web workers load the app on
        # their first request) before the clock starts.
        self.warm = threading.Barrier(clients, action=self._start_clock)
        self.deadline = time.monotonic() + seconds
        self.acked: list[str] = []
        self.outcomes: collections.Counter = collections.Counter()
        self.slowest = 0.0
        self.started = time.monotonic()
        # Requests slower than 2 s: when (seconds into the run), how long, what answered.
        self.slow: list[tuple[float, float, str]] = []
        self.lock = threading.Lock()

    def _start_clock(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + self.seconds
        self.on_start()

    def run(self) -> None:
        threads = [threading.Thread(target=self._client, args=(n,)) for n in range(self.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _note(self, outcome: str, seconds: float, email: str = "") -> None:
        with self.lock:
            self.outcomes[outcome] += 1
            self.slowest = max(self.slowest, seconds)
            if seconds > 2:
                at = time.monotonic() - self.started - seconds
                self.slow.append((round(at, 1), round(seconds, 1), outcome))
            if email:
                self.acked.append(email)

    def _client(self, number: int) -> None:
        client = Client(self.base_url)
        for _ in range(30):
            with contextlib.suppress(OSError, RuntimeError):
                client.sign_in()
                if client.request("/people/invite/")[0] == 200:
                    break
            time.sleep(1)
        self.warm.wait()
        signed_in = True
        sequence = 0
        while time.monotonic() < self.deadline:
            started = time.monotonic()
            try:
                if not signed_in:
                    client.sign_in()
                    signed_in = True
                status, page, _ = client.request("/people/invite/")
                if status != 200:
                    self._note(f"form answered {status}", time.monotonic() - started)
                    time.sleep(0.2)
                    continue
                organisation = re.search(r'<option value="(\d+)"', page).group(1)
                sequence += 1
                email = f"load-{number}-{sequence}-{secrets.token_hex(3)}@example.org"
                status, _, location = client.request(
                    "/people/invite/",
                    {
                        "csrfmiddlewaretoken": client.csrf(page),
                        "full_name": f"Load Person {number}-{sequence}",
                        "email": email,
                        "organisation": organisation,
                        "is_admin": "",
                    },
                )
                seconds = time.monotonic() - started
                if status == 302 and "invite" not in location:
                    self._note("acknowledged", seconds, email)
                else:
                    self._note(f"write answered {status}", seconds)
                    time.sleep(0.2)
            except (OSError, RuntimeError, AttributeError) as exc:
                self._note(f"error: {type(exc).__name__}", time.monotonic() - started)
                signed_in = False
                time.sleep(0.2)


def faults(redis: Redis, postgres: Postgres, seconds: float, events: list) -> None:
    """Restart Redis, crash PostgreSQL, freeze Redis, crash PostgreSQL again, spread over
    the run; each fault lasts a few seconds."""
    plan = [
        (0.15, "Redis stopped (restarted without its data)", redis.stop, redis.start, 3),
        (0.35, "PostgreSQL crashed (immediate stop)", postgres.crash, postgres.start, 3),
        (0.55, "Redis frozen (SIGSTOP)", lambda: redis.process.send_signal(signal.SIGSTOP),
         lambda: redis.process.send_signal(signal.SIGCONT), 5),
        (0.75, "PostgreSQL crashed again", postgres.crash, postgres.start, 2),
    ]  # fmt: skip
    started = time.monotonic()
    for at, label, fault, recover, lasting in plan:
        time.sleep(max(0.0, started + at * seconds - time.monotonic()))
        log(f"fault at second {time.monotonic() - started:.0f}: {label}, for {lasting} s")
        fault()
        time.sleep(lasting)
        recover()
        events.append(label)
        log(f"recovered: {label}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--drain-seconds", type=float, default=120)
    parser.add_argument("--keep", action="store_true", help="keep the run's directory")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="fault-load-"))
    os.chmod(base, 0o755)  # noqa: S103 - PostgreSQL runs as its own user and needs in
    postgres, redis, sink = Postgres(base), Redis(base), MailSink()
    processes: list[subprocess.Popen] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "APP_VAR_DIR": str(base / "var"),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{postgres.port}/postgres",
        "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "LOG_LEVEL": "WARNING",
        # Quicker than production, so the run drains in about a minute.
        "OUTBOX_SWEEP_SECONDS": "2",
        "OUTBOX_RESEND_AFTER_SECONDS": "15",
        "OUTBOX_STALE_AFTER_SECONDS": "10",
        "OUTBOX_RETRY_SECONDS": "2",
        "OUTBOX_UNKNOWN_OUTCOME_SECONDS": "10",
    }
    env.pop("TEST_DATABASE_NAME", None)
    try:
        log(f"working in {base}")
        postgres.init()
        postgres.start()
        redis.start()
        sink.controller.start()

        def manage(*arguments: str) -> str:
            return subprocess.run(  # noqa: S603
                [PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, check=True,
                capture_output=True, text=True,
            ).stdout  # fmt: skip

        log("migrating, loading the standard and the demo data")
        manage("migrate", "--no-input")
        manage("import_standard", "--if-missing", "fixtures/standards/st0896-v1.0.json")
        manage("seed_demo")
        web_port = free_port()
        logs = open(base / "processes.log", "wb")  # noqa: SIM115
        gunicorn = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{web_port}",
            "--workers",
            "3",
            "--timeout",
            "30",
        ]
        worker = [PYTHON, "-m", "celery", "-A", "config", "worker", "-B", "--concurrency", "2",
                  "--loglevel", "WARNING", "-s", str(base / "beat")]  # fmt: skip
        for command in (gunicorn, worker):
            processes.append(
                subprocess.Popen(  # noqa: S603
                    command, cwd=ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip
        wait_port(web_port)
        base_url = f"http://127.0.0.1:{web_port}"
        log(f"driving {args.clients} clients for {args.seconds:.0f} s against {base_url}")
        events: list[str] = []
        fault_thread = threading.Thread(target=faults, args=(redis, postgres, args.seconds, events))
        load = Load(base_url, args.clients, args.seconds, on_start=fault_thread.start)
        load.run()
        fault_thread.join()

        acked_file = base / "acked.json"
        acked_file.write_text(json.dumps(load.acked))
        log(f"load over: {dict(load.outcomes)}; waiting for the outbox to drain")
        count_script = (
            "import json\n"
            "from accounts.models import User\n"
            "from outbox.models import OutboxMessage\n"
            f"acked = json.load(open({str(acked_file)!r}))\n"
            "found = set(User.objects.filter(email__in=acked).values_list('email', flat=True))\n"
            "jobs = OutboxMessage.objects.filter(task='apprenticeship.tasks.send_invitation')\n"
            "statuses = {s: jobs.filter(status=s).count() for s in OutboxMessage.Status.values}\n"
            "print(json.dumps({'found': sorted(found), 'people': User.objects.filter("
            "email__startswith='load-').count(), 'jobs': statuses}))\n"
        )
        deadline = time.monotonic() + args.drain_seconds
        while True:
            output = manage("shell", "--no-imports", "-c", count_script)
            figures = json.loads(output.strip().splitlines()[-1])
            waiting = sum(figures["jobs"][s] for s in ("pending", "sent", "running"))
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(3)
        drained_in = args.drain_seconds - max(0.0, deadline - time.monotonic())

        acked = set(load.acked)
        found = set(figures["found"])
        with sink.lock:
            deliveries = {address: list(ids) for address, ids in sink.received.items()}
        once = sum(1 for email in acked if len(deliveries.get(email, [])) == 1)
        several = {e: ids for e, ids in deliveries.items() if e in acked and len(ids) > 1}
        missing_mail = sorted(e for e in acked if not deliveries.get(e))
        report = {
            "seconds": args.seconds,
            "clients": args.clients,
            "faults": events,
            "requests": dict(load.outcomes),
            "slowest_request_seconds": round(load.slowest, 2),
            "requests_over_2_seconds": [
                {"started_at_second": at, "seconds": took, "outcome": outcome}
                for at, took, outcome in sorted(load.slow)
            ],
            "acknowledged_writes": len(acked),
            "acknowledged_rows_found": len(acked & found),
            "acknowledged_rows_missing": sorted(acked - found),
            "rows_written_in_all": figures["people"],
            "invitation_jobs": figures["jobs"],
            "outbox_drained_after_seconds": round(drained_in, 1),
            "emails_received_once": once,
            "emails_received_more_than_once": {
                e: {"copies": len(ids), "same_message_id": len(set(ids)) == 1}
                for e, ids in several.items()
            },
            "emails_missing": missing_mail,
        }
        print(json.dumps(report, indent=2))  # noqa: T201 - the report is the output
        return 0 if not report["acknowledged_rows_missing"] else 1
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            sink.controller.stop()
        redis.stop()
        postgres.stop()
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            log(f"kept {base}")


if __name__ == "__main__":
    sys.exit(main())
