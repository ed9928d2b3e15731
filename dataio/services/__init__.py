"""Writes of data in and out, one module per topic: bulk enrolment, subject access,
keeping and not keeping, large exports. Each change is recorded in the history; work that
takes long is queued through the outbox."""

from dataio.services.enrolment import (
    IMPORT_TASK,
    PROGRESS_EVERY,
    BulkEnrolmentError,
    commit_enrolments,
    confirm_enrolments,
    import_progress,
    import_stalled,
    run_enrolment_import,
    upload_enrolments,
)
from dataio.services.exports import (
    EXPORT_TASK,
    EXPORTS_KEPT,
    build_export,
    export_stalled,
    prune_exports,
    request_export,
)
from dataio.services.records import build_subject_access, request_subject_access
from dataio.services.retention import (
    RetentionError,
    RetentionResult,
    apply_retention,
    apply_retention_everywhere,
    lift_legal_hold,
    place_legal_hold,
    set_retention_policy,
)

__all__ = [
    "EXPORTS_KEPT",
    "EXPORT_TASK",
    "IMPORT_TASK",
    "PROGRESS_EVERY",
    "BulkEnrolmentError",
    "RetentionError",
    "RetentionResult",
    "apply_retention",
    "apply_retention_everywhere",
    "build_export",
    "build_subject_access",
    "commit_enrolments",
    "export_stalled",
    "confirm_enrolments",
    "import_progress",
    "import_stalled",
    "lift_legal_hold",
    "place_legal_hold",
    "prune_exports",
    "request_export",
    "request_subject_access",
    "run_enrolment_import",
    "set_retention_policy",
    "upload_enrolments",
]
