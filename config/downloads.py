"""The headers on every response that sends a file: evidence files, the frozen
portfolio's files, the PDF reports (the gateway pack is the frozen portfolio as a PDF) and
the CSV exports. A download is never sniffed, cached, embedded by another site or able to
run script, and tells no other site where it came from."""

from typing import TypeVar

from django.http import HttpResponseBase

R = TypeVar("R", bound=HttpResponseBase)

# Even if a browser tried to show a file inline, it could run nothing.
FILE_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": FILE_POLICY,
    "Cache-Control": "no-store, private",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Referrer-Policy": "no-referrer",
}


def protect_download(response: R) -> R:
    """Put the download headers on a response that sends a file."""
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response
