"""Where each apprenticeship's reviews stand, in columns the review services keep up to
date (portfolio/reviews/services/standing.py), worked out here once for what exists."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

# As schedule.LATE_SIGNATURE_DAYS when this was written.
LATE_SIGNATURE_DAYS = 14


def fill(apps, schema_editor):
    Review = apps.get_model("portfolio", "Review")
    AgreedReviewInterval = apps.get_model("portfolio", "AgreedReviewInterval")
    ReviewStanding = apps.get_model("portfolio", "ReviewStanding")
    standing = {}

    def row(pk):
        if pk not in standing:
            standing[pk] = ReviewStanding(apprenticeship_id=pk)
        return standing[pk]

    for review in Review.objects.select_related("current_version").order_by("pk").iterator():
        one = row(review.apprenticeship_id)
        held_on = review.current_version.held_on if review.current_version else None
        held = review.status in ("awaiting_signatures", "signed") and held_on is not None
        if held and (one.last_held_on is None or held_on > one.last_held_on):
            one.last_held_on = held_on
        planned = review.scheduled_for if review.status == "scheduled" else None
        if planned is not None and (one.next_planned is None or planned < one.next_planned):
            one.next_planned = planned
        if review.status == "awaiting_signatures":
            one.awaiting_signatures += 1
        if review.status == "signed" and review.signed_at and held_on is not None:
            days = (timezone.localdate(review.signed_at) - held_on).days
            one.signed_late = one.signed_late or days > LATE_SIGNATURE_DAYS
    for agreed in AgreedReviewInterval.objects.filter(ended_at__isnull=True):
        one = row(agreed.apprenticeship_id)
        one.agreed_months = agreed.every if agreed.unit == "months" else 0
        one.agreed_weeks = 0 if agreed.unit == "months" else agreed.every
    ReviewStanding.objects.bulk_create(standing.values(), batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("apprenticeship", "0010_crosswalk_suggestion"),
        ("portfolio", "0012_testimony_requests"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewStanding",
            fields=[
                (
                    "apprenticeship",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="review_standing",
                        serialize=False,
                        to="apprenticeship.apprenticeship",
                    ),
                ),
                ("last_held_on", models.DateField(blank=True, null=True)),
                ("agreed_months", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("agreed_weeks", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("next_planned", models.DateField(blank=True, null=True)),
                ("awaiting_signatures", models.PositiveIntegerField(default=0)),
                ("signed_late", models.BooleanField(default=False)),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
