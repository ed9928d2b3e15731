"""Subject access: everything held about one apprentice, as one zip.

The zip holds:

- `README.txt`: what is in it and what was left out, in plain words;
- one JSON file per area (`person.json`, `apprenticeships.json`, `evidence.json`,
  `off_the_job.json`, `reviews.json`, `sign_offs.json`, `history.json`), each
  `{"area", "description", "tables": {table: {"fields": {field: description},
  "records": [...]}}}`: the schema is in the file itself, one description per field, taken
  from the model; ids of other records and people are given as numbers;
- `files/`: every file uploaded to their evidence, named `<file id>-<original name>`,
  with `files.json` listing each with its SHA-256 checksum, worked out from the bytes;
- `portfolio-<apprenticeship id>.pdf`: the portfolio report of each apprenticeship, built
  by reports/ as the apprentice downloads it.

Only records of the apprentice's own apprenticeships are read (and their own account), so
another apprentice's records are never in it. What others wrote about them (tutor
feedback, comments, review notes, witness testimonies, sign-off comments) is included.
Left out: the names of the people they support that they listed to be warned about
(`ProtectedName`): they identify other people.
"""

import datetime as dt
import hashlib
import io
import json
import uuid
import zipfile
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from accounts.models import User
from apprenticeship.models import Apprenticeship, Membership, OrganisationMembership
from audit.models import AuditEvent
from portfolio.evidence.models import (
    DutySignOff,
    Evidence,
    EvidenceComment,
    EvidenceFile,
    EvidenceVersion,
    TestimonyRequest,
    WitnessTestimony,
)
from portfolio.reviews.models import Review, ReviewSignature, ReviewTarget, ReviewVersion
from portfolio.training.models import OtjEntry, OtjPlan
from reports import services as reports

# Never written out: secrets and values that mean nothing outside the database, and a
# witness's email address (someone else's, which the apprentice may never have been shown).
LEFT_OUT_FIELDS = {"password", "wellbeing_salt", "token_hash", "extracted_text", "witness_email"}


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in LEFT_OUT_FIELDS and f.attname not in LEFT_OUT_FIELDS
    ]


def table(queryset: QuerySet) -> dict:
    """A table's schema (each field and what it is) and its records."""
    fields = _fields(queryset.model)
    schema = {}
    for f in fields:
        kind = "id of another record" if f.is_relation else f.get_internal_type()
        schema[f.attname] = f"{str(f.verbose_name).capitalize()} ({kind})"
    records = [
        {f.attname: _value(getattr(obj, f.attname)) for f in fields}
        for obj in queryset.order_by("pk")
    ]
    return {"fields": schema, "records": records}


def areas(person: User) -> dict[str, dict]:
    """{file name: its content} for every area held about `person`."""
    mine = Apprenticeship.objects.filter(apprentice=person)
    ids = list(mine.values_list("pk", flat=True))
    evidence = Evidence.objects.filter(apprenticeship_id__in=ids)
    versions = ReviewVersion.objects.filter(review__apprenticeship_id__in=ids)
    return {
        "person.json": {
            "area": "person",
            "description": "Your account and the organisations you work for.",
            "tables": {
                "account": table(User.objects.filter(pk=person.pk)),
                "organisation_memberships": table(
                    OrganisationMembership.objects.filter(user=person)
                ),
            },
        },
        "apprenticeships.json": {
            "area": "apprenticeships",
            "description": "Your enrolments and who holds which role on them.",
            "tables": {
                "apprenticeships": table(mine),
                "roles": table(Membership.objects.filter(apprenticeship_id__in=ids)),
            },
        },
        "evidence.json": {
            "area": "evidence",
            "description": "Your evidence, its versions, the comments and feedback on it, "
            "the witness testimonies written about you and those you asked for.",
            "tables": {
                "evidence": table(evidence),
                "versions": table(EvidenceVersion.objects.filter(evidence__in=evidence)),
                "comments": table(EvidenceComment.objects.filter(evidence__in=evidence)),
                "files": table(EvidenceFile.objects.filter(evidence__in=evidence)),
                "witness_testimonies": table(
                    WitnessTestimony.objects.filter(apprenticeship_id__in=ids)
                ),
                "testimony_requests": table(
                    TestimonyRequest.objects.filter(apprenticeship_id__in=ids)
                ),
            },
        },
        "sign_offs.json": {
            "area": "sign_offs",
            "description": "The duties your tutor signed off, with their comments.",
            "tables": {"sign_offs": table(DutySignOff.objects.filter(apprenticeship_id__in=ids))},
        },
        "off_the_job.json": {
            "area": "off_the_job",
            "description": "Your off-the-job training log and training plan.",
            "tables": {
                "entries": table(OtjEntry.objects.filter(apprenticeship_id__in=ids)),
                "plans": table(OtjPlan.objects.filter(apprenticeship_id__in=ids)),
            },
        },
        "reviews.json": {
            "area": "reviews",
            "description": "Your progress reviews: what was discussed, your wellbeing "
            "check-in, targets and signatures.",
            "tables": {
                "reviews": table(Review.objects.filter(apprenticeship_id__in=ids)),
                "versions": table(versions),
                "targets": table(ReviewTarget.objects.filter(version__in=versions)),
                "signatures": table(ReviewSignature.objects.filter(version__in=versions)),
            },
        },
        "history.json": {
            "area": "history",
            "description": "Every change recorded about you or your apprenticeships: who, "
            "what and when.",
            "tables": {
                "events": table(
                    AuditEvent.objects.filter(
                        Q(apprenticeship_id__in=ids)
                        | Q(object_type=User._meta.label_lower, object_id=str(person.pk))
                    )
                )
            },
        },
    }


README = """Everything held about {name} on the Peer worker portfolio, made {when}.

Each .json file is one area of your records. In each, "tables" lists the records of that
area; for every table, "fields" says what each field is and "records" holds the values.
Numbers ending in _id point to another record (a person, an organisation, a duty).

files/ holds every file uploaded to your evidence; files.json gives each one's SHA-256
checksum, so you can check none has changed.

portfolio-N.pdf is the portfolio report of each of your apprenticeships.

Left out: the names of the people you support that you listed so that the app warns you
if one appears in your evidence. They identify other people. Other apprentices' records
are never in this file.
"""


def build_zip(person: User, *, when: dt.datetime) -> bytes:
    """The whole zip for `person`, in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(name=person.full_name, when=when.isoformat()))
        for name, content in areas(person).items():
            archive.writestr(name, json.dumps(content, indent=2, ensure_ascii=False))
        listing = []
        files = EvidenceFile.objects.filter(evidence__apprenticeship__apprentice=person).order_by(
            "pk"
        )
        for item in files:
            with item.file.open("rb") as handle:
                data = handle.read()
            stored = f"files/{item.pk}-{item.original_name.replace('/', '_')}"
            archive.writestr(stored, data)
            listing.append(
                {
                    "file": stored,
                    "evidence_id": item.evidence_id,
                    "original_name": item.original_name,
                    "uploaded_at": item.uploaded_at.isoformat(),
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        archive.writestr("files.json", json.dumps(listing, indent=2, ensure_ascii=False))
        for apprenticeship in Apprenticeship.objects.filter(apprentice=person).order_by("pk"):
            archive.writestr(
                f"portfolio-{apprenticeship.pk}.pdf",
                reports.build_report_now(
                    apprenticeship=apprenticeship, kind="portfolio", audience="full"
                ),
            )
    return out.getvalue()
