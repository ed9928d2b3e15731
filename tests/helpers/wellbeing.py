"""A wellbeing plan with every section written and shared with both the tutor and the
employer contact: the most a plan can be shared, for "never seen by" tests."""

from portfolio.wellbeing import services
from portfolio.wellbeing.models import WellbeingAudience, WellbeingSection

PLAN = {
    WellbeingSection.KEEPS_ME_WELL: "Plan: swimming on Thursday mornings.",
    WellbeingSection.STRESSES_ME: "Plan: raised voices in the corridor.",
    WellbeingSection.EARLY_SIGNS: "Plan: I stop answering my phone.",
    WellbeingSection.WHAT_HELPS: "Plan: a quiet check-in, not a meeting.",
    WellbeingSection.WHO_TO_CONTACT: "Plan: my sister Ruth on 07700 900123.",
}


def write_plan(personas, *, share: bool = True) -> None:
    apprenticeship = personas["apprenticeship"]
    services.save_plan(
        apprenticeship=apprenticeship,
        by=personas["apprentice"],
        sections={k.value: v for k, v in PLAN.items()},
    )
    if share:
        for section in WellbeingSection:
            for audience in WellbeingAudience:
                services.set_sharing(
                    apprenticeship=apprenticeship,
                    by=personas["apprentice"],
                    section=section,
                    audience=audience,
                    shared=True,
                )


def assert_no_plan(text: str) -> None:
    for value in PLAN.values():
        assert value not in text
