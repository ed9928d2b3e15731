"""A real clamd for the virus-scanning tests, started with a configuration and a
signature database of its own (the EICAR test signature only), on a socket in a
temporary folder. Tests that need it skip, saying why, when clamd isn't installed;
bin/test installs it."""

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.portfolio.conftest import make_evidence
from tests.security.hostile import eicar

CLAMD_CANDIDATES = ("clamd", "/usr/sbin/clamd", "/usr/local/sbin/clamd")
START_SECONDS = 60
# Small, so the test of clamd's own size limit needs only a modest file.
STREAM_MAX_MB = 5


@dataclass(frozen=True)
class Clamd:
    socket: str
    port: int


def clamd_binary() -> str | None:
    for candidate in CLAMD_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pong(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(str(path))
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """A clamd that knows one signature, the EICAR test file, listening on a Unix socket
    and on a TCP port on 127.0.0.1."""
    binary = clamd_binary()
    if binary is None:
        pytest.skip("clamd is not installed (apt-get install clamav-daemon; bin/test does)")
    folder = tmp_path_factory.mktemp("clamd")
    database = folder / "db"
    database.mkdir()
    # A body signature (.ndb): the EICAR bytes anywhere in any file.
    (database / "eicar-test.ndb").write_text(f"Peerfolio.Test.EICAR:0:*:{eicar().hex()}\n")
    sock = folder / "clamd.sock"
    port = _free_port()
    config = folder / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                f"LocalSocket {sock}",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"DatabaseDirectory {database}",
                f"TemporaryDirectory {folder}",
                f"LogFile {folder / 'clamd.log'}",
                "Foreground yes",
                f"StreamMaxLength {STREAM_MAX_MB}M",
                "",
            ]
        )
    )
    log = (folder / "clamd.out").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own arguments
        [binary, f"--config-file={config}"], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _pong(sock):
            if process.poll() is not None or time.monotonic() > deadline:
                output = (folder / "clamd.out").read_text(errors="replace")[-2000:]
                pytest.fail(f"clamd did not start:\n{output}")
            time.sleep(0.1)
        yield Clamd(socket=str(sock), port=port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def scanning(clamd, settings):
    """Virus scanning turned on, against the test clamd."""
    settings.CLAMAV_SOCKET = clamd.socket
    settings.CLAMAV_HOST = ""
    return clamd


@pytest.fixture
def draft(apprenticeship):
    """A draft the apprentice is uploading files to."""
    return make_evidence(apprenticeship)
