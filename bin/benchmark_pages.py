"""The driver behind bin/benchmark-pages: how fast each page answers, how many queries it
runs and how many requests a second it serves with 8 clients, each as a ratio to the
anonymous sign-in page timed in the same run (the machine is shared, so absolute times say
little).

By default it serves its own instance: a scratch database (config/scratch_database.py: it
recreates only a database it made itself), migrated and filled with `seed_demo` (or with
`seed_scale --apprentices N` if that command exists and --apprentices is given), and
gunicorn as bin/docker-entrypoint runs it (gthread, sized from the cores), with
QUERY_COUNT_HEADER on so each response says how many queries it ran. With --base-url it
measures an instance already running instead (started with QUERY_COUNT_HEADER=true for the
query column and REQUIRE_TWO_FACTOR_FOR_STAFF=false, or the admin is sent to set up an
authenticator app), signing in with the demo logins (--scale: seed_scale's).

Before timing, each page is requested --warm times by all the clients at once, so that the
server is timed as one that has been up a while (each of its threads' database connections
has run, and so prepared, the pages' queries; --warm 0 times it cold). Timing is
interleaved: each round requests every page once, in turn, so a burst of load from
elsewhere on the machine touches every page alike. Then each page is driven by --clients
threads for --seconds for its throughput.
"""

import argparse
import http.cookiejar
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "peer-worker-demo"  # noqa: S105 - the demo logins' password, printed by seed_demo
PEOPLE = {
    "admin": "admin@example.org",
    "tutor": "tutor@example.org",
    "employer": "employer@example.org",
    "apprentice": "apprentice@example.org",
    "iqa lead": "iqa.lead@example.org",
}
# The provider `seed_scale` builds (demo/scale.py): its admin, the tutor with the first 300
# apprentices, the first employer's contact, and apprentice 1, whose apprenticeship is the
# big portfolio (2,000 items, 5,000 entries) on that tutor's caseload.
SCALE_PASSWORD = "scale-password"  # noqa: S105 - seed_scale's logins, test data only
SCALE_PEOPLE = {
    "admin": "admin@scale.example.org",
    "tutor": "tutor.1@scale.example.org",
    "employer": "employer.contact.1@scale.example.org",
    "apprentice": "apprentice.1@scale.example.org",
    "iqa lead": "iqa.lead@scale.example.org",
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One browser: its own cookies, no redirects followed."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def get(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        if data is not None:
            request.add_header("Referer", self.base_url + path)
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), dict(error.headers)

    def sign_in(self, email: str, password: str) -> None:
        _status, page, _ = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _, _ = self.get(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": email, "password": password},
        )
        if status != 302:
            raise RuntimeError(f"{email} could not sign in (answered {status})")


def pages(base_url: str, people: dict, password: str) -> list[tuple[str, str, str | None]]:
    """(label, path, who) for each page; who None is anonymous. The apprenticeship is the
    apprentice's own (at scale, the big portfolio), which is on the tutor's caseload."""
    apprentice = Client(base_url)
    apprentice.sign_in(people["apprentice"], password)
    _status, home, _ = apprentice.get("/my-apprenticeships/")
    found = re.search(r'href="/apprenticeships/(\d+)/"', home)
    if found is None:
        raise RuntimeError("The apprentice's home page links no apprenticeship.")
    one = f"/apprenticeships/{found.group(1)}"
    # The duties, from the coverage page's links; one the tutor can sign off now, if any.
    tutor = Client(base_url)
    tutor.sign_in(people["tutor"], password)
    _status, coverage, _ = tutor.get(f"{one}/coverage/")
    duties = list(dict.fromkeys(re.findall(rf'href="({one}/duties/\d+/)"', coverage)))
    if not duties:
        raise RuntimeError("The coverage page links no duty.")
    ready = next((d for d in duties if f'href="{d}sign-off/"' in tutor.get(d)[1]), None)
    sign_off = [("sign off a duty", f"{ready}sign-off/", "tutor")] if ready else []
    # A portfolio frozen at gateway (at scale, the 2,000-item one), from the admin's
    # overview, if there is one.
    admin = Client(base_url)
    admin.sign_in(people["admin"], password)
    _status, overview, _ = admin.get("/overview/?status=gateway")
    passed = re.search(r'href="/apprenticeships/(\d+)/"', overview)
    frozen = (
        [("frozen portfolio", f"/apprenticeships/{passed.group(1)}/frozen-portfolio/", "admin")]
        if passed
        else []
    )
    # The IQA lead's first plan and their provider's report, from their home.
    lead = Client(base_url)
    lead.sign_in(people["iqa lead"], password)
    _status, iqa_home, _ = lead.get("/iqa/")
    plan = re.search(r'href="(/iqa/plans/\d+/)"', iqa_home)
    report = re.search(r'href="(/iqa/providers/\d+/report/)"', iqa_home)
    if plan is None or report is None:
        raise RuntimeError("The IQA lead's home links no sampling plan or report.")
    return [
        ("sign-in page", "/accounts/login/", None),
        ("overview", "/overview/", "admin"),
        ("caseload", "/caseload/", "tutor"),
        ("apprenticeship", f"{one}/", "tutor"),
        ("evidence list", f"{one}/evidence/", "tutor"),
        ("coverage", f"{one}/coverage/", "tutor"),
        ("off-the-job summary", f"{one}/off-the-job/", "tutor"),
        ("off-the-job log", f"{one}/off-the-job/log/", "tutor"),
        ("log an entry", f"{one}/off-the-job/log/new/", "apprentice"),
        ("reviews", f"{one}/reviews/", "tutor"),
        ("duty", ready or duties[0], "tutor"),
        *sign_off,
        *frozen,
        ("employer home", "/my-apprentices/", "employer"),
        ("apprentice home", "/my-apprenticeships/", "apprentice"),
        ("IQA report", report.group(1), "iqa lead"),
        ("sampling plan", plan.group(1), "iqa lead"),
        ("add to a sample", f"{plan.group(1)}add/", "iqa lead"),
    ]


def _signed_in(base_url: str, people: dict, who: str | None, password: str) -> Client:
    client = Client(base_url)
    if who:
        client.sign_in(people[who], password)
    return client


def _each_in_a_thread(drivers: list[Client], run) -> float:
    """`run(n, client)` for each of `drivers` at once, each in its own thread; the seconds
    until all have finished."""
    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(drivers)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - began


def _drive(drivers: list[Client], path: str, seconds: float) -> tuple[float, int]:
    """Each of `drivers` (signed in), in its own thread, requests `path` for `seconds`:
    whole (200) pages a second, and how many answers were not 200."""
    done = [0] * len(drivers)
    wrong = [0] * len(drivers)
    deadline = time.monotonic() + seconds

    def drive(n: int, client: Client) -> None:
        while time.monotonic() < deadline:
            if client.get(path)[0] == 200:
                done[n] += 1  # only whole pages count towards the throughput
            else:
                wrong[n] += 1

    elapsed = _each_in_a_thread(drivers, drive)
    return sum(done) / elapsed, sum(wrong)


def _warm(drivers: list[Client], path: str, requests: int) -> None:
    """`requests` requests for `path`, shared between the drivers' threads."""
    each = requests // len(drivers)

    def run(_n: int, client: Client) -> None:
        for _ in range(each):
            client.get(path)

    _each_in_a_thread(drivers, run)


def measure(
    base_url: str, password: str, rounds: int, clients: int, seconds: float, *, scale: bool,
    warm: int = 160,
) -> None:  # fmt: skip
    people = SCALE_PEOPLE if scale else PEOPLE
    password = SCALE_PASSWORD if scale else password
    plan = pages(base_url, people, password)
    sessions = {who: _signed_in(base_url, people, who, password) for who in {w for _, _, w in plan}}
    times: dict[str, list[float]] = {label: [] for label, _, _ in plan}
    queries: dict[str, str] = {}
    for label, path, who in plan:  # warm every page once (workers load code lazily)
        status, _, headers = sessions[who].get(path)
        if status != 200:
            raise RuntimeError(f"{label} ({path}) answered {status}")
        queries[label] = headers.get("X-Query-Count", "?")
    # Then as a server that has been up a while: every thread's database connection has
    # run each page's queries often enough to have prepared them (config/settings/base.py).
    drivers = {
        who: [_signed_in(base_url, people, who, password) for _ in range(clients)]
        for who in sessions
    }
    for _label, path, who in plan:
        _warm(drivers[who], path, warm)
    failed: dict[str, int] = dict.fromkeys(times, 0)
    for _ in range(rounds):
        for label, path, who in plan:
            began = time.perf_counter()
            status, _, _ = sessions[who].get(path)
            times[label].append(time.perf_counter() - began)
            failed[label] += status != 200

    throughput: dict[str, float] = {}
    for label, path, who in plan:
        served, wrong = _drive(drivers[who], path, seconds)
        throughput[label] = served
        failed[label] += wrong

    def p(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    base = times["sign-in page"]
    base_p50, base_p95 = statistics.median(base), p(base, 0.95)
    base_rps = throughput["sign-in page"]
    print(  # noqa: T201
        f"\nSign-in page: p50 {base_p50 * 1000:.1f} ms, p95 {base_p95 * 1000:.1f} ms, "
        f"{base_rps:.1f} req/s with {clients} clients. Pages as ratios to it:\n"
    )
    print(f"{'page':<22}{'who':<12}{'p50 x':>8}{'p95 x':>8}{'queries':>9}{'req/s x':>9}")  # noqa: T201
    for label, _path, who in plan:
        print(  # noqa: T201
            f"{label:<22}{who or '-':<12}{statistics.median(times[label]) / base_p50:>8.1f}"
            f"{p(times[label], 0.95) / base_p95:>8.1f}{queries[label]:>9}"
            f"{throughput[label] / base_rps:>9.2f}"
        )
    for label, count in failed.items():
        if count:
            print(f"{label}: {count} answers were not 200 and are not counted.")  # noqa: T201


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise RuntimeError(f"Nothing answered on port {port}.")


def _seeded_earlier(database_url: str) -> bool:
    """The scratch database exists, is ours, and holds the demo's people."""
    import psycopg

    from config.scratch_database import database_name, is_scratch

    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if not is_scratch(connection, database_name(database_url)):
            return False
    with psycopg.connect(database_url) as connection:
        try:
            row = connection.execute(
                "SELECT count(*) FROM accounts_user WHERE email = %s", [PEOPLE["tutor"]]
            ).fetchone()
        except psycopg.Error:
            return False
    return bool(row and row[0])


def _analyze(database_url: str) -> None:
    """Planner statistics and visibility maps, as autovacuum keeps them on a database in
    use: one filled in one go has neither yet (and autovacuum may be off), so plans would
    be made for empty tables and no count could be read from an index alone; the pages
    would be timed doing what no real site does."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def serve_and_measure(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from config.scratch_database import ScratchDatabaseRefused, recreate_scratch_database

    reuse = args.reuse and _seeded_earlier(args.database_url)
    if not reuse:
        try:
            recreate_scratch_database(args.database_url)
        except ScratchDatabaseRefused as refused:
            sys.exit(str(refused))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "QUERY_COUNT_HEADER": "true",
        "LOG_LEVEL": "WARNING",
        # Many sign-ins from one address in a few seconds: not an attack here.
        "LOGIN_FAILURE_LIMIT": "1000",
        # The admin would be sent to set up an authenticator app first; the per-request
        # check costs the same either way.
        "REQUIRE_TWO_FACTOR_FOR_STAFF": "false",
    }
    env.pop("TEST_DATABASE_NAME", None)

    def manage(*arguments: str) -> str:
        done = subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *arguments], cwd=ROOT, env=env,
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode:
            sys.exit(f"manage.py {' '.join(arguments)} failed:\n{done.stderr[-4000:]}")
        return done.stdout

    began = time.perf_counter()
    if not reuse:
        manage("migrate", "--no-input")
        manage("import_standard", "--if-missing", "fixtures/standards/st0896-v1.0.json")
        manage("seed_demo", "--password", PASSWORD)
        if args.apprentices:
            seeding = time.perf_counter()
            print(manage("seed_scale", "--apprentices", str(args.apprentices)).strip())  # noqa: T201
            print(f"seed_scale took {time.perf_counter() - seeding:.0f} s.")  # noqa: T201
        _analyze(args.database_url)
        print(f"Database ready in {time.perf_counter() - began:.0f} s.")  # noqa: T201
    else:
        manage("migrate", "--no-input")
        _analyze(args.database_url)
        print("Reusing the database an earlier run seeded.")  # noqa: T201
    sizing = subprocess.run(  # noqa: S603
        [str(ROOT / "bin" / "docker-entrypoint"), "gunicorn-sizing"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    port = _free_port()
    gunicorn = subprocess.Popen(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", *sizing, "--timeout", "120"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        _wait_port(port)
        print(f"Serving with gunicorn {' '.join(sizing)}.")  # noqa: T201
        measure(
            f"http://127.0.0.1:{port}", PASSWORD, args.rounds, args.clients, args.seconds,
            scale=bool(args.apprentices), warm=args.warm,
        )  # fmt: skip
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", help="measure this running instance instead")
    parser.add_argument("--password", default=PASSWORD, help="the demo logins' password")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/peerfolio_pages_benchmark",
        help="the scratch database to serve from (made here; never one made elsewhere)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument("--apprentices", type=int, default=0, help="seed_scale this many")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="with --base-url: sign in as the seed_scale provider's people, not the demo's",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database an earlier run seeded"
    )
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument(
        "--warm",
        type=int,
        default=160,
        help="requests for each page, from all clients at once, before timing (0: one each)",
    )
    args = parser.parse_args()
    if args.base_url:
        measure(
            args.base_url.rstrip("/"), args.password, args.rounds, args.clients, args.seconds,
            scale=args.scale, warm=args.warm,
        )  # fmt: skip
    else:
        serve_and_measure(args)


if __name__ == "__main__":
    main()
