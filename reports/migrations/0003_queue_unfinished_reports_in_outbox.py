"""Reports waiting or building when the outbox arrived get an outbox job, so they finish."""

from django.db import migrations
from django.utils import timezone


def queue_unfinished(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    OutboxMessage = apps.get_model("outbox", "OutboxMessage")
    now = timezone.now()
    for report in Report.objects.filter(status__in=["queued", "building"]).only(
        "pk", "apprenticeship_id"
    ):
        OutboxMessage.objects.get_or_create(
            key=f"reports.tasks.build_report:migrated:{report.pk}",
            defaults={
                "task": "reports.tasks.build_report",
                "payload": {"report_id": report.pk},
                "apprenticeship_id": report.apprenticeship_id,
                "created_at": now,
                "not_before": now,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_job_queued_through_outbox"),
        ("outbox", "0001_outbox"),
    ]

    operations = [migrations.RunPython(queue_unfinished, migrations.RunPython.noop)]
