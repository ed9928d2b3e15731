"""Demo data, built in steps: each step adds one area of the product and is idempotent."""

from dataclasses import dataclass, field

from demo.seed import (
    auditor,
    core,
    epa,
    eras,
    evidence,
    frameworks,
    iqa,
    notifications,
    otj,
    quality,
    reviews,
    second_provider,
    supervision,
    wellbeing,
)


@dataclass
class DemoContext:
    password: str
    people: dict = field(default_factory=dict)
    organisations: dict = field(default_factory=dict)
    apprenticeships: dict = field(default_factory=dict)
    frameworks: dict = field(default_factory=dict)


PEOPLE_TO_PRINT = [
    ("admin", "Provider admin:"),
    ("tutor", "Tutor:"),
    ("employer", "Employer contact:"),
    ("assessor", "Assessor:"),
    ("epao_admin", "Assessment admin:"),
    ("moderator", "Moderator:"),
    ("iqa_lead", "IQA lead:"),
    ("auditor", "Auditor (read-only):"),
    ("apprentice", "Apprentice:"),
    ("operator", "Site operator:"),
    ("p2_admin", "Another provider's admin:"),
]

STEPS = [
    core.seed,
    frameworks.seed,
    evidence.seed,
    otj.seed,
    reviews.seed,
    supervision.seed,
    wellbeing.seed,
    wellbeing.seed_adjustments,
    frameworks.seed_mapping,
    epa.seed,
    eras.seed,
    quality.seed,
    iqa.seed,
    auditor.seed,
    second_provider.seed,
    notifications.seed,
]


def seed_all(*, password: str) -> DemoContext:
    context = DemoContext(password=password)
    for step in STEPS:
        step(context)
    return context
