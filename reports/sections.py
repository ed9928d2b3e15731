"""Building a report's PDF in parts, so a portfolio of any size builds in bounded time and
memory.

Each part (the front matter, the coverage matrices, the index, each run of evidence items,
the sign-offs, off-the-job, reviews, gateway and results) is an HTML document of its own
(reports.content), laid out by WeasyPrint on its own: in this process for a small report,
or in a few worker processes of their own for a large one, each restarted after a few
parts so no process holds more than one part's pages. A part whose HTML did not change
since the last build of the same report is taken from that build's stored parts.

The matrices and the index name the page each item starts on. They are laid out last:
every other part's page count and where each item falls in it are known by then, so the
page numbers are written in as text. If writing them in changes how many pages the
matrices take (which moves everything after them), they are laid out again with the new
counts until the counts hold: usually once on a first build and never on a rebuild. The
parts are then joined with pypdf and every page gets its number ("Page 3 of 40").
"""

import contextlib
import json
import logging
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, SimpleQueue

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

from reports import pdf
from reports.content import PAGE_REF_MARK

logger = logging.getLogger(__name__)

# Time limits, from the work: a part laying out N evidence items may take this long.
# (About ten times what this 2-core machine takes: a busy server should not fail them.)
PART_BASE_SECONDS = 20
PART_SECONDS_PER_ITEM = 1.0
# A matrix or index lists every item in a line or so.
PART_SECONDS_PER_ROW = 0.05
# Putting the parts together and numbering the pages.
JOIN_BASE_SECONDS = 30
JOIN_SECONDS_PER_ITEM = 0.1
# Reports with up to this many items are laid out as one document, in the worker (as
# quick as WeasyPrint alone); larger ones in parts, in worker processes of their own.
ONE_DOCUMENT_MAX_ITEMS = 150
IN_PROCESS_MAX_ITEMS = ONE_DOCUMENT_MAX_ITEMS
# A worker process lays out at most this many parts before a fresh one takes over.
PARTS_PER_PROCESS = 8
# Laying out the matrices again until their page counts hold: this many times at most.
MAX_REF_PASSES = 5

# Where the time of this process's last build went (for bin/benchmark-report).
LAST_BUILD: dict[str, float] = {}

PAGE_REF = re.compile(r'<a class="pageref" href="#evidence-(\d+)"></a>')
ITEM_LINK = re.compile(r'<a class="ref" href="#evidence-\d+">')


class PartTooLong(Exception):
    """A part (or the whole build) ran past the time its size allows."""


class PartFailed(Exception):
    """A worker process could not lay a part out."""


@dataclass
class Part:
    """One part: what to lay out, and once laid out (or taken from the last build) its
    stored PDF, page count and the page within it where each item starts."""

    key: str
    html: str
    items: int
    fingerprint: str = ""
    pages: int = 0
    anchors: dict[str, int] = field(default_factory=dict)
    file: str = ""
    local: str = ""  # a PDF laid out in this build, before it is stored
    reused: bool = False

    @property
    def has_page_refs(self) -> bool:
        return PAGE_REF_MARK in self.html

    @property
    def seconds(self) -> float:
        per = PART_SECONDS_PER_ROW if self.has_page_refs else PART_SECONDS_PER_ITEM
        return PART_BASE_SECONDS + per * self.items

    def manifest(self) -> dict:
        return {
            "key": self.key,
            "fingerprint": self.fingerprint,
            "pages": self.pages,
            "anchors": self.anchors,
            "file": self.file,
        }


@dataclass
class Built:
    path: str
    pages: int
    manifest: list[dict]
    laid_out: list[str]  # keys of the parts laid out in this build (the rest were reused)
    seconds: dict[str, float] = field(default_factory=dict)  # where the time went


def budget_seconds(parts: list[dict], processes: int = 1) -> float:
    """How long a whole build may take, from its work."""
    work = [Part(key=p["key"], html=p["html"], items=p.get("items", 0)) for p in parts]
    items = sum(p.items for p in work if not p.has_page_refs)
    # The matrices may be laid out a second time.
    matrices = sum(p.seconds for p in work if p.has_page_refs)
    rest = sum(p.seconds for p in work if not p.has_page_refs)
    join = JOIN_BASE_SECONDS + JOIN_SECONDS_PER_ITEM * items
    return rest / max(processes, 1) + 2 * matrices + join


def build(
    jobs: list[dict],
    files: Mapping[str, pdf.EmbeddedFile],
    *,
    previous: list[dict],
    store_under: str | None,
    workdir: str,
) -> Built:
    """Lay out, reuse and join the parts described by `jobs` (content.Section.as_job), in
    order. `previous` is the manifest of the last build of the same report; new parts are
    stored under `store_under` (or not at all if it is None). The joined PDF is written in
    `workdir`."""
    parts = [Part(key=j["key"], html=j["html"], items=j.get("items", 0)) for j in jobs]
    items = sum(p.items for p in parts if not p.has_page_refs)
    processes = _processes(items)
    deadline = time.monotonic() + budget_seconds(jobs, processes)
    earlier = {entry["fingerprint"]: entry for entry in previous if entry.get("file")}
    earlier_pages = {entry["key"]: entry["pages"] for entry in previous}
    renderer: Renderer = (
        PoolRenderer(processes, workdir, deadline) if processes else InProcessRenderer(workdir)
    )
    laid_out: list[str] = []
    clock = {"began": time.monotonic()}
    with renderer:
        plain = [p for p in parts if not p.has_page_refs]
        for part in plain:
            part.fingerprint = _fingerprint(part.html)
        matrices = [p for p in parts if p.has_page_refs]
        # Each page reference takes the same width whatever its number (as wide as the
        # longest number), so the matrices take as many pages with placeholder numbers as
        # with the real ones. Without a page count from the last build, they are laid out
        # once with placeholders, alongside the other parts, for their page counts.
        digits = len(str(max(99, 3 * items)))
        sizing = []
        if any(p.key not in earlier_pages for p in matrices):
            for part in matrices:
                html = _fill_page_refs(part.html, None, digits)
                sizing.append(Part(key=part.key, html=html, items=part.items))
        laid_out += _lay_out(renderer, plain + sizing, files, earlier)
        clock["parts"] = time.monotonic()
        guess = {p.key: earlier_pages.get(p.key, 1) for p in matrices}
        guess.update({p.key: p.pages for p in sizing})
        passes = 0
        for passes in range(1, MAX_REF_PASSES + 1):  # noqa: B007 - counted for the log
            numbers = _page_numbers(parts, guess)
            digits = len(str(max(numbers.values(), default=1)))
            filled = []
            for part in matrices:
                html = _fill_page_refs(part.html, numbers, digits)
                filled.append(
                    Part(key=part.key, html=html, items=part.items, fingerprint=_fingerprint(html))
                )
            laid_out += _lay_out(renderer, filled, files, earlier)
            settled = all(f.pages == guess[f.key] for f in filled)
            guess = {f.key: f.pages for f in filled}
            for part, done in zip(matrices, filled, strict=True):
                part.pages, part.anchors, part.local, part.file, part.reused = (
                    done.pages,
                    done.anchors,
                    done.local,
                    done.file,
                    done.reused,
                )
                part.fingerprint = done.fingerprint
            if settled:
                break
        else:
            raise PartFailed("The page references did not settle.")
    clock["matrices"] = time.monotonic()
    if time.monotonic() > deadline:
        raise PartTooLong("The report took longer than its size allows.")
    for part in parts:
        if store_under is not None and not part.reused and not part.file:
            part.file = _store(part, store_under)
    out = str(Path(workdir) / "report.pdf")
    total = join(parts, out)
    clock["joined"] = time.monotonic()
    seconds = {
        "parts_s": clock["parts"] - clock["began"],
        "matrices_s": clock["matrices"] - clock["parts"],
        "matrix_passes": passes,
        "store_and_join_s": clock["joined"] - clock["matrices"],
    }
    logger.info("Report built in parts: %s", seconds)
    LAST_BUILD.clear()
    LAST_BUILD.update(seconds)
    LAST_BUILD.update(parts_laid_out=len(set(laid_out)), parts_in_all=len(parts))
    return Built(
        path=out,
        pages=total,
        manifest=[p.manifest() for p in parts],
        laid_out=list(dict.fromkeys(laid_out)),
        seconds=seconds,
    )


def in_one_document(items: int) -> bool:
    """Whether a report of this many items is laid out as one document."""
    return items <= getattr(settings, "REPORT_ONE_DOCUMENT_MAX_ITEMS", ONE_DOCUMENT_MAX_ITEMS)


def one_document_seconds(html: str) -> float:
    """The time limit of a report laid out as one document, from its items."""
    items = html.count('<section class="evidence"')
    return 3 * PART_BASE_SECONDS + PART_SECONDS_PER_ITEM * items


def _processes(items: int) -> int:
    """0 to lay out in this process; else how many worker processes."""
    limit = getattr(settings, "REPORT_IN_PROCESS_MAX_ITEMS", IN_PROCESS_MAX_ITEMS)
    if items <= limit:
        return 0
    return max(1, min(os.cpu_count() or 1, getattr(settings, "REPORT_PROCESSES", 2)))


def _fingerprint(html: str) -> str:
    import hashlib

    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _lay_out(
    renderer: "Renderer",
    parts: list[Part],
    files: Mapping[str, pdf.EmbeddedFile],
    earlier: dict[str, dict],
) -> list[str]:
    """Take each part from the last build if it is there unchanged, else lay it out.
    Returns the keys laid out."""
    todo = []
    for part in parts:
        entry = earlier.get(part.fingerprint)
        if entry and default_storage.exists(entry["file"]):
            part.pages, part.anchors, part.file = entry["pages"], entry["anchors"], entry["file"]
            part.reused = True
        else:
            todo.append(part)
    for part, (local, pages, anchors) in zip(
        todo, renderer.render([(p.key, p.html, p.seconds) for p in todo], files), strict=True
    ):
        part.local, part.pages = local, pages
        part.anchors = {k: v for k, v in anchors.items() if k.startswith("evidence-")}
    return [p.key for p in todo]


def _page_numbers(parts: list[Part], guess: dict[str, int]) -> dict[str, int]:
    """The page (from 1) each evidence item starts on, with the matrices taking the pages
    guessed for them."""
    numbers = {}
    start = 1
    for part in parts:
        for anchor, page in part.anchors.items():
            numbers[anchor.removeprefix("evidence-")] = start + page
        start += guess.get(part.key, part.pages)
    return numbers


def _fill_page_refs(html: str, numbers: dict[str, int] | None, digits: int) -> str:
    """The matrix or index with each page reference written in as text, every one as wide
    as a number of `digits` digits (placeholders if `numbers` is None). Links go (the
    parts are separate documents); the references stay."""
    width = f"{1.45 + 0.65 * digits:.2f}em"

    def number(match: re.Match) -> str:
        page = "8" * digits if numbers is None else numbers.get(match.group(1))
        text = f"p. {page}" if page else ""
        return f'<span class="pageref-number" style="min-width: {width}">{text}</span>'

    return ITEM_LINK.sub('<a class="ref">', PAGE_REF.sub(number, html))


def _store(part: Part, under: str) -> str:
    with open(part.local, "rb") as handle:
        return default_storage.save(f"{under}/{part.fingerprint}.pdf", ContentFile(handle.read()))


@contextlib.contextmanager
def _open_part(part: Part) -> Iterator:
    if part.local:
        with open(part.local, "rb") as handle:
            yield handle
    else:
        with default_storage.open(part.file, "rb") as handle:
            yield handle


def join(parts: list[Part], out: str) -> int:
    """Join the parts' PDFs into `out`, numbering every page. Returns the page count."""
    writer = PdfWriter()
    with contextlib.ExitStack() as stack:
        for number, part in enumerate(parts):
            reader = PdfReader(stack.enter_context(_open_part(part)))
            if number == 0 and reader.metadata:
                # The title, author and dates WeasyPrint wrote, from the first part.
                writer.add_metadata(dict(reader.metadata))
            writer.append(reader, import_outline=True)
        total = len(writer.pages)
        _number_pages(writer, total)
        with open(out, "wb") as handle:
            writer.write(handle)
    return total


# Helvetica's widths (thousandths of an em) for the characters a page number uses.
_WIDTHS = {**dict.fromkeys("0123456789", 556), "P": 667, "a": 556, "g": 556, "e": 556}
_WIDTHS.update({"o": 556, "f": 278, " ": 278})
FOOTER_SIZE = 8
FOOTER_RIGHT = 51.02  # the page's right margin, 18 mm, in points
FOOTER_BASELINE = 28.0  # the middle of the 22 mm bottom margin, in points


def _number_pages(writer: PdfWriter, total: int) -> None:
    """Write "Page n of N" at the foot of every page, right-aligned in the margin where
    the single-document layout puts it, as a content stream of its own added to each page
    (the page's own drawing is not parsed or rewritten)."""
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    save = DecodedStreamObject()
    save.set_data(b"q\n")
    save_ref = writer._add_object(save)
    for number, page in enumerate(writer.pages, start=1):
        text = f"Page {number} of {total}"
        width = sum(_WIDTHS[c] for c in text) * FOOTER_SIZE / 1000
        box = page.mediabox
        x = float(box.right) - FOOTER_RIGHT - width
        y = float(box.bottom) + FOOTER_BASELINE
        stamp = DecodedStreamObject()
        stamp.set_data(
            f"Q\nq BT /PgNo {FOOTER_SIZE} Tf 0.333 0.333 0.333 rg "
            f"1 0 0 1 {x:.2f} {y:.2f} Tm ({text}) Tj ET Q\n".encode("ascii")
        )
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else DictionaryObject()
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else DictionaryObject()
        fonts[NameObject("/PgNo")] = font
        resources[NameObject("/Font")] = fonts
        page[NameObject("/Resources")] = resources
        contents = page.get("/Contents")
        existing = contents.get_object() if contents is not None else None
        if isinstance(existing, ArrayObject):
            streams = list(existing)
        elif contents is not None:
            streams = [contents]
        else:
            streams = []
        page[NameObject("/Contents")] = ArrayObject([save_ref, *streams, writer._add_object(stamp)])


# -- laying parts out ------------------------------------------------------------------


class Renderer:
    """Lays parts out to PDF files: (path, pages, anchors) for each (key, html, seconds)."""

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def render(
        self, jobs: list[tuple[str, str, float]], files: Mapping[str, pdf.EmbeddedFile]
    ) -> list[tuple[str, int, dict[str, int]]]:
        raise NotImplementedError


class InProcessRenderer(Renderer):
    """One part after another in this process, each within its own time limit."""

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        self.count = 0

    def render(
        self, jobs: list[tuple[str, str, float]], files: Mapping[str, pdf.EmbeddedFile]
    ) -> list[tuple[str, int, dict[str, int]]]:
        results = []
        for key, html, seconds in jobs:
            with time_limit(seconds):
                rendered = pdf.render_part(html, _files_in(html, files))
            self.count += 1
            path = str(Path(self.workdir) / f"{self.count}-{key}.pdf")
            Path(path).write_bytes(rendered.data)
            results.append((path, rendered.pages, rendered.anchors))
        return results


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop laying a part out after `seconds` (only where signals can be used: the main
    thread, as in a worker; elsewhere the task's own limits apply)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise PartTooLong("A part of the report took longer than its size allows.")

    before = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


def _files_in(html: str, files: Mapping[str, pdf.EmbeddedFile]) -> dict[str, pdf.EmbeddedFile]:
    return {key: f for key, f in files.items() if f"{pdf.FILE_SCHEME}:{key}" in html}


class _Worker:
    """A worker process (reports.render_worker) and how many parts it has laid out."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "reports.render_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=str(settings.BASE_DIR),
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            text=True,
        )
        self.parts = 0
        self.peak_mb = 0.0

    def ask(self, job: dict, seconds: float) -> dict:
        assert self.process.stdin and self.process.stdout  # noqa: S101 - set by Popen
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], seconds)
        if not ready:
            self.stop(kill=True)
            raise PartTooLong("A part of the report took longer than its size allows.")
        line = self.process.stdout.readline()
        if not line:
            self.stop(kill=True)
            raise PartFailed("A worker process stopped while laying out a part.")
        self.parts += 1
        answer = json.loads(line)
        self.peak_mb = max(self.peak_mb, answer.get("peak_mb", 0.0))
        if "error" in answer:
            raise PartFailed(answer["error"])
        return answer

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        elif self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream and not stream.closed:
                stream.close()


class PoolRenderer(Renderer):
    """Parts laid out by `size` worker processes at once, each process replaced after
    PARTS_PER_PROCESS parts so its memory never builds up."""

    peak_mb = 0.0  # the most any worker process held (for the benchmark)

    def __init__(self, size: int, workdir: str, deadline: float) -> None:
        self.size = size
        self.workdir = workdir
        self.deadline = deadline
        self.count = 0

    def render(
        self, jobs: list[tuple[str, str, float]], files: Mapping[str, pdf.EmbeddedFile]
    ) -> list[tuple[str, int, dict[str, int]]]:
        queue: SimpleQueue = SimpleQueue()
        for index, job in enumerate(jobs):
            queue.put((index, job))
        results: list = [None] * len(jobs)
        errors: list[BaseException] = []
        lock = threading.Lock()

        def run() -> None:
            worker = None
            try:
                while not errors:
                    try:
                        index, (key, html, seconds) = queue.get_nowait()
                    except Empty:
                        return
                    with lock:
                        self.count += 1
                        stem = Path(self.workdir) / f"{self.count}-{key}"
                    Path(f"{stem}.html").write_text(html, encoding="utf-8")
                    if worker is None or worker.parts >= PARTS_PER_PROCESS:
                        if worker is not None:
                            worker.stop()
                        worker = _Worker()
                    remaining = self.deadline - time.monotonic()
                    if remaining <= 0:
                        raise PartTooLong("The report took longer than its size allows.")
                    answer = worker.ask(
                        {
                            "html": f"{stem}.html",
                            "out": f"{stem}.pdf",
                            "files": {k: vars(f) for k, f in _files_in(html, files).items()},
                        },
                        min(seconds, remaining),
                    )
                    with lock:
                        PoolRenderer.peak_mb = max(PoolRenderer.peak_mb, worker.peak_mb)
                    results[index] = (f"{stem}.pdf", answer["pages"], answer["anchors"])
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                errors.append(error)
            finally:
                if worker is not None:
                    worker.stop(kill=bool(errors))

        threads = [threading.Thread(target=run) for _ in range(min(self.size, len(jobs)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return results


def scratch_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="peerfolio-report-")
