"""What waits for the tutor, in columns the services keep up to date: the evidence waiting
for review and the oldest of it (portfolio/evidence/services/standing.py), and the
off-the-job entries waiting to be verified (portfolio/training/services/standing.py),
worked out here once for what exists."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Min

CHUNK = 500


def fill(apps, schema_editor):
    Apprenticeship = apps.get_model("apprenticeship", "Apprenticeship")
    Evidence = apps.get_model("portfolio", "Evidence")
    EvidenceStanding = apps.get_model("portfolio", "EvidenceStanding")
    OtjEntry = apps.get_model("portfolio", "OtjEntry")
    OtjStanding = apps.get_model("portfolio", "OtjStanding")
    ids = list(Apprenticeship.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        EvidenceStanding.objects.bulk_create(
            [
                EvidenceStanding(apprenticeship_id=pk, waiting=waiting, oldest_waiting=oldest)
                for pk, waiting, oldest in Evidence.objects.filter(
                    apprenticeship_id__in=chunk, status="submitted"
                )
                .order_by()
                .values("apprenticeship_id")
                .annotate(waiting=Count("status"), oldest=Min("submitted_at"))
                .values_list("apprenticeship_id", "waiting", "oldest")
            ]
        )
        # Every apprenticeship with entries has a standing row (0017 made them).
        pending = (
            OtjEntry.objects.filter(apprenticeship_id__in=chunk, is_current=True, status="pending")
            .order_by()
            .values("apprenticeship_id")
            .annotate(n=Count("status"))
            .values_list("apprenticeship_id", "n")
        )
        OtjStanding.objects.bulk_update(
            [OtjStanding(apprenticeship_id=pk, pending=n) for pk, n in pending], ["pending"]
        )


class Migration(migrations.Migration):

    dependencies = [
        ("apprenticeship", "0010_crosswalk_suggestion"),
        ("portfolio", "0017_otj_standing"),
    ]

    operations = [
        migrations.CreateModel(
            name="EvidenceStanding",
            fields=[
                (
                    "apprenticeship",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="evidence_standing",
                        serialize=False,
                        to="apprenticeship.apprenticeship",
                    ),
                ),
                ("waiting", models.PositiveIntegerField(default=0)),
                ("oldest_waiting", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.AddField(
            model_name="otjstanding",
            name="pending",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
