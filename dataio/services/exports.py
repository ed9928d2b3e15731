"""Large CSV exports, built by a worker; and deleting them after a week."""

import csv
import datetime as dt
import io
import logging
import tempfile

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from dataio import erasure, exports
from dataio.models import Export
from outbox import services as outbox

logger = logging.getLogger(__name__)


EXPORT_TASK = "dataio.tasks.build_export"


def export_stalled(export: Export) -> bool:
    """Whether a queued export's job has stopped for good (its tries used up)."""
    return export.status == Export.Status.QUEUED and not outbox.is_waiting(
        EXPORT_TASK, export_id=export.pk
    )


@transaction.atomic
def request_export(*, kind: str, by: User, today: dt.date | None = None) -> Export:
    """Queue a large CSV export for `by`, built by a worker through the outbox. Asking
    again for the same export the same day, while one is being prepared, returns it."""
    today = today or timezone.localdate()
    waiting = Export.objects.filter(
        kind=kind, requested_by=by, as_of=today, status=Export.Status.QUEUED
    ).first()
    if waiting is not None and not export_stalled(waiting):
        return waiting
    if waiting is not None:
        # Its job gave up after every try: say so on it, and start a new one.
        waiting.status = Export.Status.FAILED
        waiting.failure = "It could not be prepared after several tries."
        waiting.save(update_fields=["status", "failure"])
    export = Export(kind=kind, requested_by=by, as_of=today)
    export.full_clean()
    export.save()
    outbox.enqueue(EXPORT_TASK, key=f"export:{export.pk}", export_id=export.pk)
    return export


def build_export(*, export_id: int) -> None:
    """Write the export's CSV to storage (idempotent: a ready export is left as it is).
    The rows are those the person may see now, as of the day they asked."""
    export = Export.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None:
        logger.info("Export %s no longer exists.", export_id)
        return
    if export.status == Export.Status.READY:
        return
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b") as out:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.writer(text)
        count = -1  # the header is not a row
        for line in exports.rows(export.requested_by, export.kind, today=export.as_of):
            writer.writerow(line)
            if not (line and str(line[0]).startswith("#")):
                count += 1
        text.flush()
        size = out.tell()
        out.seek(0)
        export.file.save(export.filename, File(out), save=False)
        text.detach()
    export.rows = max(count, 0)
    export.size = size
    export.status = Export.Status.READY
    export.ready_at = timezone.now()
    export.save(update_fields=["file", "rows", "size", "status", "ready_at"])


EXPORTS_KEPT = dt.timedelta(days=7)


def prune_exports(*, now: dt.datetime | None = None) -> int:
    """Delete exports (and their files) asked for more than EXPORTS_KEPT ago: they are
    copies of records, kept only long enough to download."""
    now = now or timezone.now()
    old = Export.objects.filter(created_at__lt=now - EXPORTS_KEPT)
    paths = [name for name in old.values_list("file", flat=True) if name]
    count, _ = old.delete()
    erasure.delete_files(paths)
    return count
