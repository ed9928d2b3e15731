"""Loading a competence framework's structure from a file in the shape that
fixtures/frameworks/build_nccmh.py writes. Idempotent: loading the same file again changes
nothing; a later file with the same code and version updates titles and sources in place
and adds what is new, never deleting a unit evidence may refer to."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from standards.models import (
    CompetenceFramework,
    FrameworkDomain,
    FrameworkSection,
    FrameworkUnit,
    Provenance,
)

NCCMH_FIXTURE = settings.BASE_DIR / "fixtures" / "frameworks" / "nccmh-peer-support-mh.json"


class FrameworkFileError(ValueError):
    """The file is not a framework in the expected shape; the message says what is wrong."""


def load_framework_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FrameworkFileError(f"Could not read {path}: {error}") from error
    for key in ("code", "version", "title", "sections", "units", "domains"):
        if key not in data:
            raise FrameworkFileError(f"The file has no “{key}”.")
    return data


@transaction.atomic
def import_framework(*, data: dict[str, Any]) -> CompetenceFramework:
    """Create or update the framework named by the file's code and version."""
    provenance = data.get("provenance", Provenance.SEED)
    if provenance not in Provenance.values:
        raise FrameworkFileError(f"Unknown provenance “{provenance}”.")
    statements = data.get("statements", {})
    framework, _ = CompetenceFramework.objects.update_or_create(
        code=data["code"],
        version=data["version"],
        defaults={
            "title": data["title"],
            "publisher": data.get("publisher", ""),
            "provenance": provenance,
            "source": data.get("source", ""),
            "statements_loaded": bool(statements.get("loaded", False)),
            "statements_note": statements.get("note", ""),
        },
    )
    sections = {}
    for row in data["sections"]:
        sections[row["number"]], _ = FrameworkSection.objects.update_or_create(
            framework=framework,
            number=row["number"],
            defaults={"title": row["title"], "source": row.get("source", "")},
        )
    for position, row in enumerate(data["units"], start=1):
        section = sections.get(row["section"])
        if section is None:
            raise FrameworkFileError(f"Unit {row['code']} names section {row['section']}.")
        FrameworkUnit.objects.update_or_create(
            section=section,
            code=row["code"],
            defaults={"title": row["title"], "position": position, "source": row.get("source", "")},
        )
    for position, row in enumerate(data["domains"], start=1):
        FrameworkDomain.objects.update_or_create(
            framework=framework,
            position=position,
            defaults={"name": row["name"], "source": row.get("source", "")},
        )
    return framework
