"""Turning report HTML into PDF with WeasyPrint, fetching nothing we did not put there.

The renderer may load exactly two kinds of URL: `static:<path>` (our own static files,
for the stylesheet) and `portfolio-file:<key>` (a file of this portfolio, listed by the
caller). Everything else (http, https, file, data, ftp, local ports, cloud metadata
addresses) is refused without any network or disk access, and redirects are off. User
text is escaped by the template, so it can never add a URL of its own.
"""

import logging
import mimetypes
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

STATIC_SCHEME = "static"
FILE_SCHEME = "portfolio-file"


@dataclass(frozen=True)
class EmbeddedFile:
    """A stored file the PDF may embed (an evidence image, say)."""

    storage_name: str
    content_type: str


class BlockedURL(ValueError):
    pass


class PortfolioURLFetcher(URLFetcher):
    """Serves our static files and the listed files of one portfolio; refuses the rest."""

    def __init__(self, files: Mapping[str, EmbeddedFile]) -> None:
        super().__init__(
            allowed_protocols=(STATIC_SCHEME, FILE_SCHEME), allow_redirects=False, timeout=5
        )
        self._files = dict(files)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme, _, rest = url.partition(":")
        scheme = scheme.lower()
        if scheme == STATIC_SCHEME:
            return self._static(url, rest)
        if scheme == FILE_SCHEME and rest in self._files:
            embedded = self._files[rest]
            with default_storage.open(embedded.storage_name, "rb") as handle:
                body = handle.read()
            return URLFetcherResponse(url, body, {"Content-Type": embedded.content_type})
        self.refused.append(url)
        raise BlockedURL(f"Not fetched: {url[:100]}")

    def _static(self, url: str, path: str) -> URLFetcherResponse:
        clean = posixpath.normpath(path.lstrip("/"))
        found = None if clean.startswith("..") else finders.find(clean)
        if not found:
            self.refused.append(url)
            raise BlockedURL(f"No such static file: {clean[:100]}")
        content_type = mimetypes.guess_type(clean)[0] or "application/octet-stream"
        with open(found, "rb") as handle:
            return URLFetcherResponse(url, handle.read(), {"Content-Type": content_type})


_font_config: FontConfiguration | None = None


def _fonts() -> FontConfiguration:
    """One font configuration for every document this process lays out (a report's
    parts): finding the system's fonts is done once, not once a part."""
    global _font_config  # noqa: PLW0603 - a per-process cache
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


def lay_out(html: str, files: Mapping[str, EmbeddedFile]) -> Document:
    """Report HTML laid out in pages (the boxes WeasyPrint draws), fetching nothing but our
    own stylesheet and the listed files."""
    fetcher = PortfolioURLFetcher(files)
    document = HTML(string=html, url_fetcher=fetcher).render(font_config=_fonts())
    if fetcher.refused:
        logger.warning("Report rendering refused %d URL(s).", len(fetcher.refused))
    return document


def render_pdf(html: str, files: Mapping[str, EmbeddedFile]) -> tuple[bytes, int]:
    """The PDF bytes and page count for report HTML."""
    document = lay_out(html, files)
    return document.write_pdf(), len(document.pages)


@dataclass(frozen=True)
class Rendered:
    """One part of a report as a PDF: its page count, and the page (counted from 0 within
    the part) on which each anchored item starts."""

    data: bytes
    pages: int
    anchors: dict[str, int]


def render_part(html: str, files: Mapping[str, EmbeddedFile]) -> Rendered:
    """The PDF of one part of a report, with where its anchors fall."""
    document = lay_out(html, files)
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
    return Rendered(data=document.write_pdf(), pages=len(document.pages), anchors=anchors)
