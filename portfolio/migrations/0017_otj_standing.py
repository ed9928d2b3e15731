"""Where each apprenticeship's off-the-job log stands, in columns the log services keep up
to date (portfolio/training/services/standing.py), worked out here once for what exists."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max, Q, Sum

# As portfolio/training/models.py when this was written: rejected entries and English and
# maths study never count.
COUNTED = ~Q(status="rejected") & ~Q(activity_type__in=["english_maths"])
CHUNK = 500


def fill(apps, schema_editor):
    Apprenticeship = apps.get_model("apprenticeship", "Apprenticeship")
    OtjEntry = apps.get_model("portfolio", "OtjEntry")
    OtjStanding = apps.get_model("portfolio", "OtjStanding")
    ids = list(Apprenticeship.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        totals = (
            OtjEntry.objects.filter(apprenticeship_id__in=chunk, is_current=True)
            .order_by()
            .values("apprenticeship_id")
            .annotate(
                logged=Sum("minutes", filter=COUNTED),
                verified=Sum("minutes", filter=COUNTED & Q(status="verified")),
                last_training=Max("date", filter=COUNTED),
            )
        )
        OtjStanding.objects.bulk_create(
            [
                OtjStanding(
                    apprenticeship_id=row["apprenticeship_id"],
                    logged=row["logged"] or 0,
                    verified=row["verified"] or 0,
                    last_training=row["last_training"],
                )
                for row in totals
            ]
        )


class Migration(migrations.Migration):

    dependencies = [
        ("apprenticeship", "0010_crosswalk_suggestion"),
        ("portfolio", "0016_index_only_coverage_and_duty_totals"),
    ]

    operations = [
        migrations.CreateModel(
            name="OtjStanding",
            fields=[
                (
                    "apprenticeship",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="otj_standing",
                        serialize=False,
                        to="apprenticeship.apprenticeship",
                    ),
                ),
                ("logged", models.PositiveIntegerField(default=0)),
                ("verified", models.PositiveIntegerField(default=0)),
                ("last_training", models.DateField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
