"""Data in and out: exports, bulk enrolment, subject access and retention."""

from tests.access_matrix.base import (
    ADMIN_ONLY,
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    Entry,
    everyone,
    only,
)
from tests.access_matrix.core import NON_ADMINS

# Anyone who tutors someone downloads their own caseload (the second provider's admin tutors
# no one); the outsider and the second provider's tutor get a file of their own apprentices
# only (tests/dataio checks the rows).
TUTORS = only({"tutor": OK, "outsider": OK, "p2_admin": FORBIDDEN}, FORBIDDEN)


def _enrolment_import(ctx):
    """A file of one learner uploaded by the first provider's admin, not yet imported."""
    from dataio import services

    content = (
        "email,full_name,date_of_birth,uln,employer,standard,version,start_date,"
        "planned_end_date,contracted_weekly_hours,tutor_email\n"
        f"matrix.learner@example.org,Matrix Learner,1990-05-17,,Matrix Employer,"
        f"{ctx['apprenticeship'].standard_version.reference},"
        f"{ctx['apprenticeship'].standard_version.version},2026-09-07,2027-12-06,30,\n"
    ).encode()
    upload = services.upload_enrolments(
        provider=ctx["apprenticeship"].provider,
        content=content,
        filename="matrix.csv",
        by=ctx["admin"],
    )
    return [upload.pk]


def _ready_copy(ctx):
    """The apprentice's own copy of their records, ready to download."""
    from django.core.files.base import ContentFile

    from dataio.models import SubjectAccessRequest

    record = SubjectAccessRequest(
        person=ctx["apprentice"],
        requested_by=ctx["apprentice"],
        status=SubjectAccessRequest.Status.READY,
    )
    record.archive.save("matrix-copy.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=False)
    record.save()
    return [record.pk]


def _ready_export(ctx):
    """A large export the first provider's admin asked for, ready to download."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from dataio.models import Export

    export = Export(
        kind=Export.Kind.PROVIDER,
        requested_by=ctx["admin"],
        as_of=dt.date(2026, 12, 7),
        status=Export.Status.READY,
    )
    export.file.save("matrix.csv", ContentFile(b"apprenticeship_id\n"), save=False)
    export.save()
    return [export.pk]


def _apprenticeship(ctx):
    return [ctx["apprenticeship"].pk]


def _provider(ctx):
    return [ctx["apprenticeship"].provider_id]


def _hold(ctx):
    """A legal hold on the first apprenticeship, placed by its provider's admin."""
    from dataio import services

    hold = services.place_legal_hold(
        apprenticeship=ctx["apprenticeship"], reason="appeal", why="Matrix", by=ctx["admin"]
    )
    return [hold.pk]


# The import belongs to the first provider: its admin alone sees it; another provider's
# admin sees nothing (404) and anyone who administers no provider is refused first (403).
IMPORT_OWNER = {"admin": OK, "outsider": NOT_FOUND, **NON_ADMINS}

ENTRIES: list[Entry] = [
    Entry("dataio:caseload-export", TUTORS),
    # The admin's providers only: another provider's admin gets a file of their own.
    Entry("dataio:provider-export", ADMIN_ONLY),
    Entry("dataio:funding-return-export", ADMIN_ONLY),
    Entry("dataio:caseload-export", everyone(NOT_ALLOWED), method="post", label="export POST"),
    # A large export: only the admin who asked for it.
    Entry("dataio:export-detail", only({"admin": OK}, NOT_FOUND), args=_ready_export),
    Entry("dataio:export-download", only({"admin": OK}, NOT_FOUND), args=_ready_export),
    # Bulk enrolment: any provider admin, for their own providers.
    Entry("dataio:enrolment-import", ADMIN_ONLY),
    Entry("dataio:enrolment-import-template", ADMIN_ONLY),
    Entry("dataio:enrolment-import-preview", only(IMPORT_OWNER, FORBIDDEN), args=_enrolment_import),
    Entry("dataio:enrolment-import-status", only(IMPORT_OWNER, FORBIDDEN), args=_enrolment_import),
    Entry(
        "dataio:enrolment-import-preview",
        only({**IMPORT_OWNER, "admin": REDIRECT}, FORBIDDEN),
        args=_enrolment_import,
        method="post",
        label="dataio:enrolment-import-preview POST (confirm)",
    ),
    # Subject access: an apprentice asks for their own records; the provider admin asks on
    # their behalf; only the person (or the admin who asked) downloads the copy.
    Entry(
        "dataio:my-data",
        only(
            {"apprentice": OK, "p2_apprentice": OK, "auditor": FORBIDDEN, "iqa_lead": FORBIDDEN},
            FORBIDDEN,
        ),
    ),
    Entry(
        "dataio:subject-access-on-behalf",
        only(
            {"admin": OK, "apprentice": FORBIDDEN, "employer": FORBIDDEN, "tutor": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_apprenticeship,
    ),
    Entry("dataio:subject-access-download", only({"apprentice": OK}, NOT_FOUND), args=_ready_copy),
    # Keeping records: the provider's admins alone see and set its policy (another
    # provider's admin sees nothing; anyone who administers no provider is refused first).
    Entry("dataio:retention-policy", only(IMPORT_OWNER, FORBIDDEN), args=_provider),
    Entry(
        "dataio:retention-policy",
        only({**IMPORT_OWNER, "admin": REDIRECT}, FORBIDDEN),
        args=_provider,
        method="post",
        data=lambda ctx: {"years": "7", "applies_automatically": "on"},
        label="dataio:retention-policy POST",
    ),
    # A legal hold: the provider admin places and lifts it, as they manage the people.
    Entry(
        "dataio:legal-hold",
        only(
            {"admin": OK, "apprentice": FORBIDDEN, "employer": FORBIDDEN, "tutor": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_apprenticeship,
    ),
    Entry(
        "dataio:legal-hold",
        only(
            {
                "admin": REDIRECT,
                "apprentice": FORBIDDEN,
                "employer": FORBIDDEN,
                "tutor": FORBIDDEN,
            },
            NOT_FOUND,
        ),
        args=_apprenticeship,
        method="post",
        data=lambda ctx: {"reason": "complaint", "why": "A complaint is open."},
        label="dataio:legal-hold POST",
    ),
    Entry("dataio:legal-hold-lift", everyone(NOT_ALLOWED), args=_hold),
    Entry(
        "dataio:legal-hold-lift",
        only({**IMPORT_OWNER, "admin": REDIRECT}, FORBIDDEN),
        args=_hold,
        method="post",
        data=lambda ctx: {"why": "The appeal was decided."},
        label="dataio:legal-hold-lift POST",
    ),
]
