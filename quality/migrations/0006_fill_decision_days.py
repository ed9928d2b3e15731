"""How many decisions each tutor made each day at each provider (`DecisionDay`, which the
four decision services keep up to date through apprenticeship/services.py
`count_decision`), worked out here once from the decisions that exist."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.db.models import Count, F
from django.db.models.functions import TruncDate

BATCH = 1000


def fill(apps, schema_editor):
    # As quality/iqa/selectors.py `decisions` when this was written: what counts as a
    # decision at each stage, who made it, when, and on which provider's apprenticeship.
    stages = [
        (
            "evidence",
            apps.get_model("portfolio", "EvidenceComment").objects.filter(
                kind__in=["accepted", "referred"]
            ),
            "author_id",
            "created_at",
            "evidence__apprenticeship__provider_id",
        ),
        (
            "sign_off",
            apps.get_model("portfolio", "DutySignOff").objects.all(),
            "signed_by_id",
            "signed_at",
            "apprenticeship__provider_id",
        ),
        (
            "review",
            apps.get_model("portfolio", "ReviewSignature").objects.filter(party="tutor"),
            "signer_id",
            "signed_at",
            "version__review__apprenticeship__provider_id",
        ),
        (
            "gateway",
            apps.get_model("epa", "GatewayDeclaration").objects.filter(party="provider"),
            "declared_by_id",
            "declared_at",
            "apprenticeship__provider_id",
        ),
    ]
    DecisionDay = apps.get_model("apprenticeship", "DecisionDay")
    zone = ZoneInfo(settings.TIME_ZONE)
    for stage, rows, who, at, provider in stages:
        counted = (
            rows.order_by()
            .annotate(p=F(provider), m=F(who), d=TruncDate(at, tzinfo=zone))
            .values("p", "m", "d")
            .annotate(n=Count("pk"))
        )
        DecisionDay.objects.bulk_create(
            (
                DecisionDay(
                    provider_id=r["p"], made_by_id=r["m"], stage=stage, day=r["d"], decisions=r["n"]
                )
                for r in counted.iterator()
            ),
            batch_size=BATCH,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("apprenticeship", "0011_decision_day"),
        ("epa", "0006_release_earlier_results"),
        ("portfolio", "0018_waiting_standing"),
        ("quality", "0005_auditor_grant"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
