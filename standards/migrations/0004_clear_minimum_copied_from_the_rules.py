"""StandardVersion.minimum_programme_months used to be "the minimum time on programme",
and overrode the funding rules by start date. It now holds only a LONGER minimum that the
standard's assessment plan sets.

A stored value of 12 months or less is never longer than the funding rules' minimum for a
start before 1 August 2025 (12 months, or more for a part-time contract): it is that rule
copied into the standard (the ST0896 file stored 12), and it would wrongly hold a start from
1 August 2025 (8 months) to it. Those values are cleared, and the fact says why; the value
is kept in the fact so the reverse puts it back. Longer values stay: they can only have come
from an assessment plan.
"""

from django.db import migrations

FACT = "minimum_programme_months"
NOTE = (
    "The minimum time on programme is a funding rule by start date. This field now holds "
    "only a longer minimum set by the assessment plan; the {months} months stored before "
    "was the funding rules' figure for starts before 1 August 2025, so it was cleared."
)


def clear_copied_minimum(apps, schema_editor):
    StandardVersion = apps.get_model("standards", "StandardVersion")
    for version in StandardVersion.objects.filter(minimum_programme_months__lte=12):
        months = version.minimum_programme_months
        facts = dict(version.facts or {})
        facts[FACT] = {
            "provenance": "not_loaded",
            "note": NOTE.format(months=months),
            "cleared_value": months,
            "cleared_record": facts.get(FACT) or {},
        }
        version.facts = facts
        version.minimum_programme_months = None
        version.save(update_fields=["facts", "minimum_programme_months"])


def restore_copied_minimum(apps, schema_editor):
    StandardVersion = apps.get_model("standards", "StandardVersion")
    for version in StandardVersion.objects.filter(minimum_programme_months__isnull=True):
        record = (version.facts or {}).get(FACT) or {}
        if "cleared_value" not in record:
            continue
        facts = dict(version.facts)
        if record.get("cleared_record"):
            facts[FACT] = record["cleared_record"]
        else:
            facts.pop(FACT)
        version.facts = facts
        version.minimum_programme_months = record["cleared_value"]
        version.save(update_fields=["facts", "minimum_programme_months"])


class Migration(migrations.Migration):
    dependencies = [("standards", "0003_plan_rules_and_longer_minimum")]

    operations = [migrations.RunPython(clear_copied_minimum, restore_copied_minimum)]
