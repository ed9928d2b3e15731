"""Results confirmed before a round recorded where its cap came from: say so on them, so
no locked result shows a cap without a word about its basis."""

from django.db import migrations

NOTE = (
    "Capped by the cap in the assessment plan's data when this result was confirmed. Where "
    "that cap came from was not recorded then."
)


def describe_earlier_caps(apps, schema_editor):
    AssessmentRound = apps.get_model("epa", "AssessmentRound")
    AssessmentRound.objects.filter(cap_applied=True, cap_basis="").update(cap_basis=NOTE)


def forget_earlier_caps(apps, schema_editor):
    AssessmentRound = apps.get_model("epa", "AssessmentRound")
    AssessmentRound.objects.filter(cap_basis=NOTE).update(cap_basis="")


class Migration(migrations.Migration):
    dependencies = [("epa", "0003_organisation_policies")]

    operations = [migrations.RunPython(describe_earlier_caps, forget_earlier_caps)]
