"""Fault injection: a Redis, a Celery worker process and a mail server of the test's own,
each of which a test can stop, freeze, kill or make misbehave."""

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection

from config.celery import app as celery_app  # noqa: I001
from tests.faults.timing import TIMINGS
from tests.reports.conftest import _use_broker

ROOT = Path(django_settings.BASE_DIR)


# Ports handed out in this run. A test's Redis takes its port only when the test starts it,
# after the mail server has started on a port of its own: without this, both could be
# given the same one, and the worker would talk to the mail server as its broker.
_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, and not one this run has handed out before."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def wait_for(predicate, seconds: float, step: float = 0.1):
    """The first true value of `predicate()` within `seconds`, or AssertionError."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {seconds} s waiting for {predicate}")
        time.sleep(step)


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "no", "--dir", str(self.directory),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        wait_for(self._answers, 10, 0.05)

    def _answers(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # in case it was frozen
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        """Stopped and started again: without persistence, its queues are gone."""
        self.stop()
        self.start()

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


class Worker:
    """`celery worker -B` in a process group of its own, as deployed (solo pool)."""

    def __init__(self, directory: Path, env: dict) -> None:
        self.directory = directory
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = None
        self.runs = 0

    def start(self, **extra_env: str) -> None:
        self.runs += 1
        self.log = open(self.directory / f"worker-{self.runs}.log", "wb")  # noqa: SIM115
        command = [
            sys.executable, "-m", "celery", "-A", "tests.faults.worker_app", "worker", "-B",
            "--pool", "solo", "--loglevel", "WARNING", "--without-mingle", "--without-gossip",
            "-n", f"fault{self.runs}-{os.getpid()}@%h",
            "-s", str(self.directory / f"beat-{self.runs}"),
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _closed(self) -> None:
        self.process = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def kill(self) -> None:
        """SIGKILL, the worker and its beat: no chance to clean up."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self._closed()

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
            self._closed()


class MailHandler:
    """An SMTP server that accepts, refuses (421), stalls, drops the connection, or takes
    the email and then never answers, as the test says."""

    def __init__(self) -> None:
        self.mode = "accept"
        self.stall_seconds = 10.0
        self.received: list[dict] = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        if self.mode == "stall":
            await asyncio.sleep(self.stall_seconds)
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.mode == "refuse":
            return "421 Too busy, try again later"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.mode == "drop":
            server.transport.close()
            return "250 OK"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content)
        self.received.append(
            {
                "to": list(envelope.rcpt_tos),
                "subject": message["Subject"],
                "message_id": message["Message-ID"],
                "at": time.monotonic(),
            }
        )
        if self.mode == "accept-then-stall":
            await asyncio.sleep(self.stall_seconds)
        return "250 Message accepted"

    def to(self, address: str) -> list[dict]:
        return [m for m in self.received if address in m["to"]]


@pytest.fixture
def fault_settings(settings):
    for name, value in TIMINGS.items():
        setattr(settings, name, value)
    settings.OUTBOX_DISPATCH_IN_BACKGROUND = True
    return settings


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    previous = celery_app.conf.broker_url
    _use_broker(server.url)
    yield server
    server.stop()
    _use_broker(previous)


@pytest.fixture
def mail_server():
    handler = MailHandler()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    handler.mode = "accept"
    controller.stop()


@pytest.fixture
def worker(transactional_db, fault_settings, redis_server, mail_server, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        "REDIS_URL": redis_server.url,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "FAULT_SMTP_PORT": str(mail_server.port),
        **{name: str(value) for name, value in TIMINGS.items()},
    }
    process = Worker(tmp_path, env)
    yield process
    process.stop()
