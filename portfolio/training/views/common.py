"""What the off-the-job pages share: form errors, the page frame and CSV downloads."""

import csv

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse

from apprenticeship import access
from config.downloads import protect_download


def add_errors(form, error: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's errors on the form: on the field they name, else at the top."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.error_dict.items():
        name = rename.get(field, field)
        form.add_error(name if name in form.fields else None, problems)


def page_context(apprenticeship, **extra) -> dict:
    return {
        "apprenticeship": apprenticeship,
        "can": access.permissions(apprenticeship.viewer_roles),
        **extra,
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return protect_download(response)
