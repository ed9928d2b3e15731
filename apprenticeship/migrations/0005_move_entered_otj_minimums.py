"""A standard's off-the-job minimum entered by hand (provenance "provider") used to change
every provider's required totals. It becomes an interim figure of each provider whose
apprentices are on that standard version, entered by the same person where the history
says who, and the standard goes back to "not loaded" until the official figure is imported.
"""

from django.db import migrations

NOT_LOADED = {
    "provenance": "not_loaded",
    "note": "The official minimum has not been loaded. Each training provider can enter an "
    "interim figure for its own apprentices.",
}


def forward(apps, schema_editor):
    StandardVersion = apps.get_model("standards", "StandardVersion")
    Apprenticeship = apps.get_model("apprenticeship", "Apprenticeship")
    OrganisationMembership = apps.get_model("apprenticeship", "OrganisationMembership")
    InterimOtjMinimum = apps.get_model("apprenticeship", "InterimOtjMinimum")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for version in StandardVersion.objects.filter(otj_minimum_hours__isnull=False):
        fact = (version.facts or {}).get("otj_minimum_hours") or {}
        if fact.get("provenance") != "provider":
            continue
        entered = (
            AuditEvent.objects.filter(
                action="standard.otj_minimum_entered",
                object_type="standards.standardversion",
                object_id=str(version.pk),
                actor__isnull=False,
            )
            .order_by("-at")
            .first()
        )
        source = fact.get("note") or fact.get("source") or "Entered before interim figures were kept per provider."
        providers = set(
            Apprenticeship.objects.filter(standard_version=version).values_list(
                "provider_id", flat=True
            )
        )
        for provider_id in providers:
            entered_by_id = entered.actor_id if entered else None
            if entered_by_id is None:
                entered_by_id = (
                    OrganisationMembership.objects.filter(
                        organisation_id=provider_id, is_admin=True
                    )
                    .values_list("user_id", flat=True)
                    .first()
                )
            if entered_by_id is None:
                continue
            InterimOtjMinimum.objects.get_or_create(
                provider_id=provider_id,
                standard_version=version,
                defaults={
                    "hours": version.otj_minimum_hours,
                    "source": source[:300],
                    "entered_by_id": entered_by_id,
                },
            )
        facts = dict(version.facts or {})
        facts["otj_minimum_hours"] = NOT_LOADED
        version.facts = facts
        version.otj_minimum_hours = None
        version.save(update_fields=["facts", "otj_minimum_hours"])


def backward(apps, schema_editor):
    """Put one provider's interim figure back on the standard (the old single figure)."""
    InterimOtjMinimum = apps.get_model("apprenticeship", "InterimOtjMinimum")
    for interim in InterimOtjMinimum.objects.select_related("standard_version").order_by("pk"):
        version = interim.standard_version
        if version.otj_minimum_hours is not None:
            continue
        facts = dict(version.facts or {})
        facts["otj_minimum_hours"] = {
            "provenance": "provider",
            "source": "Entered by a training provider",
            "note": interim.source,
        }
        version.facts = facts
        version.otj_minimum_hours = interim.hours
        version.save(update_fields=["facts", "otj_minimum_hours"])


class Migration(migrations.Migration):
    dependencies = [
        ("apprenticeship", "0004_interim_otj_minimum"),
        ("audit", "0002_append_only"),
        ("standards", "0002_retired_statements"),
    ]

    operations = [migrations.RunPython(forward, backward)]
