"""Jamie's wellbeing plan: written early on, changed later (two versions), with "What
helps" shared with the tutor and "Early signs" shared once with the employer and then
withdrawn. Made through the services, so the history records the sharing."""

from django.db import transaction

from portfolio.wellbeing import services
from portfolio.wellbeing.models import ReasonableAdjustment, WellbeingPlan

FIRST = {
    "keeps_me_well": "Walking the dog before work. Seeing my peer support group on Mondays.",
    "stresses_me": "Back-to-back visits without a break. Hearing stories close to my own.",
    "early_signs": "I go quiet in team meetings and stop eating lunch.",
    "what_helps": "A short check-in at the end of the day. Time to write things down.",
    "who_to_contact": "My partner, Alex. The employee support line.",
}


@transaction.atomic
def seed(context) -> None:
    jamie = context.apprenticeships["apprentice"]
    if WellbeingPlan.objects.filter(apprenticeship=jamie).exists():
        return
    apprentice = context.people["apprentice"]
    services.save_plan(apprenticeship=jamie, by=apprentice, sections=FIRST)
    for section, audience, shared in (
        ("what_helps", "tutor", True),
        ("early_signs", "employer", True),
        ("early_signs", "employer", False),
    ):
        services.set_sharing(
            apprenticeship=jamie, by=apprentice, section=section, audience=audience, shared=shared
        )
    services.save_plan(
        apprenticeship=jamie,
        by=apprentice,
        sections={**FIRST, "what_helps": FIRST["what_helps"] + " A quiet room after crisis calls."},
    )


@transaction.atomic
def seed_adjustments(context) -> None:
    """Jamie's adjustments: one at work agreed by Eleanor, one in learning agreed by the
    tutor, and an assessment request that goes with the gateway when the provider confirms
    it. Priya has asked for hers too. (Marcus's went with his gateway: see demo/seed/epa.py.)"""
    jamie = context.apprenticeships["apprentice"]
    apprentice = context.people["apprentice"]
    if not ReasonableAdjustment.objects.filter(apprenticeship=jamie).exists():
        work = services.request_adjustment(
            apprenticeship=jamie,
            by=apprentice,
            area="work",
            description="A ten-minute break after each crisis call before the next one.",
        )
        services.decide_adjustment(adjustment=work, by=context.people["employer"], agreed=True)
        learning = services.request_adjustment(
            apprenticeship=jamie,
            by=apprentice,
            area="learning",
            description="Workshop slides the day before, so I can read them at my own pace.",
        )
        services.decide_adjustment(adjustment=learning, by=context.people["tutor"], agreed=True)
        services.request_adjustment(
            apprenticeship=jamie,
            by=apprentice,
            area="assessment",
            description="Questions in writing before the professional discussion, and a break.",
        )
    priya = context.apprenticeships["priya"]
    if not ReasonableAdjustment.objects.filter(apprenticeship=priya).exists():
        services.request_adjustment(
            apprenticeship=priya,
            by=context.people["priya"],
            area="assessment",
            description="Extra time for the observation questions, and a quiet room.",
        )
