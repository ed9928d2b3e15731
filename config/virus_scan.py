"""Virus scanning with ClamAV's daemon, clamd, when it is configured (CLAMAV_SOCKET, or
CLAMAV_HOST and CLAMAV_PORT).

We speak clamd's INSTREAM protocol ourselves: it is a few lines (a command, then the
bytes in length-prefixed chunks, then one line back). The one kept client library on
PyPI (clamav-client) is licensed GPL version 2 without "or later", which can't be combined
with this AGPL-3.0 project; the others (clamd, pyclamd) have had no release for years.

Each upload is scanned while the request that brought it is still open, before anything
is stored: a file is never in storage, listed or downloadable until it has passed. It
lives in config, the bottom layer, beside the other services the site talks to, so the
upload checks, the health check and the admin's overview can all ask it.
"""

import socket
import struct
from dataclasses import dataclass
from typing import IO

from django.conf import settings

CHUNK = 64 * 1024
MAX_REPLY = 4096
# A page that only asks whether clamd is there must not hang when it isn't.
PING_TIMEOUT_SECONDS = 3


class ScannerUnavailable(Exception):
    """clamd could not be reached, or gave no verdict."""


class TooLargeToScan(ScannerUnavailable):
    """clamd refused the file because of its own size limit (StreamMaxLength)."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""


def is_enabled() -> bool:
    return bool(settings.CLAMAV_SOCKET or settings.CLAMAV_HOST)


def describe() -> str:
    """Where scanning happens, for the health check and the admin's overview."""
    if settings.CLAMAV_SOCKET:
        return f"clamd at {settings.CLAMAV_SOCKET}"
    if settings.CLAMAV_HOST:
        return f"clamd at {settings.CLAMAV_HOST}:{settings.CLAMAV_PORT}"
    return ""


def status() -> str:
    """One of: off (not configured), on (clamd answers), down (configured, not answering)."""
    if not is_enabled():
        return "off"
    try:
        ping()
    except ScannerUnavailable:
        return "down"
    return "on"


def _connect(timeout: float) -> socket.socket:
    if settings.CLAMAV_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(settings.CLAMAV_SOCKET)
        except OSError:
            sock.close()
            raise
        return sock
    return socket.create_connection((settings.CLAMAV_HOST, settings.CLAMAV_PORT), timeout=timeout)


def _reply(sock: socket.socket) -> str:
    """One NUL-terminated answer (we send commands with the `z` prefix)."""
    answer = b""
    while not answer.endswith(b"\0") and len(answer) < MAX_REPLY:
        data = sock.recv(MAX_REPLY)
        if not data:
            break
        answer += data
    return answer.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping() -> None:
    """Raise ScannerUnavailable unless clamd answers within a few seconds."""
    try:
        with _connect(PING_TIMEOUT_SECONDS) as sock:
            sock.sendall(b"zPING\0")
            answer = _reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    if answer != "PONG":
        raise ScannerUnavailable(f"clamd answered {answer!r} to PING")


def scan(stream: IO[bytes]) -> Verdict:
    """Send the whole file to clamd and return its verdict. Raises ScannerUnavailable
    (or TooLargeToScan) when there is no verdict: the caller must then refuse the file."""
    stream.seek(0)
    try:
        with _connect(settings.CLAMAV_TIMEOUT_SECONDS) as sock:
            sock.sendall(b"zINSTREAM\0")
            try:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
            except (BrokenPipeError, ConnectionResetError):
                pass  # clamd stops reading when a limit is reached; its answer says which
            answer = _reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    finally:
        stream.seek(0)
    return _verdict(answer)


def _verdict(answer: str) -> Verdict:
    if answer == "stream: OK":
        return Verdict(clean=True)
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        return Verdict(clean=False, signature=answer[len("stream: ") : -len(" FOUND")])
    if "size limit exceeded" in answer:
        raise TooLargeToScan(answer)
    raise ScannerUnavailable(f"clamd answered {answer!r}")
