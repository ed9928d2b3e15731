"""Results confirmed before moderation existed were shown at once: mark them released
when they were confirmed."""

from django.db import migrations
from django.db.models import F


def release_confirmed(apps, schema_editor):
    AssessmentRound = apps.get_model("epa", "AssessmentRound")
    AssessmentRound.objects.filter(
        confirmed_at__isnull=False, released_at__isnull=True
    ).update(released_at=F("confirmed_at"))


def unrelease(apps, schema_editor):
    AssessmentRound = apps.get_model("epa", "AssessmentRound")
    AssessmentRound.objects.update(released_at=None)


class Migration(migrations.Migration):
    dependencies = [("epa", "0005_result_released_at")]

    operations = [migrations.RunPython(release_confirmed, unrelease)]
