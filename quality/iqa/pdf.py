"""The IQA report as a PDF for the inspection file, rendered with WeasyPrint from our own
template. The report holds figures and names only; nothing is fetched (no stylesheet, no
image, no URL a user typed)."""

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class FetchNothing(URLFetcher):
    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        raise ValueError(f"Not fetched: {url[:100]}")


def report_html(context: dict) -> str:
    return render_to_string("quality/iqa/report_pdf.html", context)


def render_report_pdf(context: dict) -> bytes:
    return HTML(string=report_html(context), url_fetcher=FetchNothing()).write_pdf()
