"""The funding rules in force for one apprenticeship, as rows a person can check: each rule
with its figure, the sources it rests on and how sure we are of it (its label).

The figures come from apprenticeship.funding_rules, by start date. The sources and their
labels are those of the project's reference facts (`st0896-facts.json`: its `otj`, `epa`
and `sources` sections); a rule no stored source states is labelled so, never shown as
official. The gateway and assessment rules are added on top in epa.selectors.rules.
"""

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from apprenticeship import funding_rules
from apprenticeship.funding_rules import FundingYear, ReviewInterval
from apprenticeship.otj_minimum import MinimumInForce
from apprenticeship.rule_sources import (
    LABEL_HELP,
    LABEL_TEXT,
    PART_TIME_EXTENSION,
    RECORD_RETENTION,
    START_DATE_RULES,
    WHAT_COUNTS,
    Label,
    Source,
    label_of,
    sources,
)
from standards.models import StandardVersion

# The sources the reference facts give for each era's off-the-job rule
# (otj.rules_by_start_date), and for the minimum time on programme
# (standard.minimum_on_programme_duration).
RULES_BEFORE_2022 = sources("SRC-HASO-OTJ", "SRC-HASO-TRAINING", "SRC-FEWEEK-2017")
RULES_2022_TO_2025 = sources(
    "SRC-HASO-OTJ", "SRC-TRIBAL", "SRC-EDCENTRAL", "SRC-DFE-FORUM-PT", "SRC-LINCOLN-ONEFILE"
)
RULES_FROM_2025 = sources(
    "SRC-FEWEEK-OTJ-2025",
    "SRC-FEWEEK-TRANSITION",
    "SRC-FEWEEK-73",
    "SRC-ONEFILE-2025",
    "SRC-CITYGUILDS-2025",
    "SRC-APTEM-2025",
    "SRC-DFE-FORUM-2526",
)
RULES_FROM_2026 = sources("SRC-SKILLSRADAR")
MINIMUM_DURATION_BEFORE_2025 = sources("SRC-PIER", "SRC-DFE-FORUM-PT")
MINIMUM_DURATION_FROM_2025 = sources("SRC-CITYGUILDS-2025", "SRC-APTEM-2025")


class Section(StrEnum):
    FUNDING = "funding"
    GATEWAY = "gateway"
    ASSESSMENT = "assessment"


SECTION_TITLES = {
    Section.FUNDING: "Funding rules",
    Section.GATEWAY: "Gateway",
    Section.ASSESSMENT: "End-point assessment",
}


@dataclass(frozen=True)
class Rule:
    """One rule as it applies to one apprenticeship."""

    key: str
    name: str
    figure: str
    label: str  # a Label value
    sources: tuple[Source, ...] = ()
    # Where the standard's own data says a fact comes from, when it is not one of the
    # reference sources above (the assessment plan's facts carry their source as text).
    source_text: str = ""
    note: str = ""
    section: str = Section.FUNDING

    @property
    def label_text(self) -> str:
        return LABEL_TEXT[Label(self.label)]

    @property
    def label_help(self) -> str:
        return LABEL_HELP[Label(self.label)]

    @property
    def source_line(self) -> str:
        """Every source in one line: the reference ids with their titles, then any text."""
        parts = [str(source) for source in self.sources]
        if self.source_text:
            parts.append(self.source_text)
        return "; ".join(parts)

    @property
    def source_ids(self) -> str:
        """The reference ids alone, then any text (the titles are listed once, below)."""
        parts = [source.id for source in self.sources]
        if self.source_text:
            parts.append(self.source_text)
        return "; ".join(parts)

    def as_data(self) -> dict:
        """Plain data, for the frozen portfolio and the PDF."""
        return {
            "key": self.key,
            "section": str(self.section),
            "name": self.name,
            "figure": self.figure,
            "label": str(self.label),
            "label_text": self.label_text,
            "sources": [{"id": s.id, "title": s.title} for s in self.sources],
            "source_ids": self.source_ids,
            "source_text": self.source_text,
            "note": self.note,
        }


def _not_loaded_note(year: FundingYear) -> str:
    return (
        f"The {year.year} funding rules are not loaded: this is the {year.applied} rule, "
        "applied until they are."
    )


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


# -- the minimum time on programme -----------------------------------------------------


@dataclass(frozen=True)
class MinimumProgramme:
    """The minimum time on programme before gateway, and where it comes from."""

    months: int
    rule_months: int  # the funding rules' minimum for this start
    plan_months: int | None  # a longer minimum the standard's assessment plan sets
    rule: Rule

    @property
    def from_plan(self) -> bool:
        return self.plan_months is not None and self.plan_months > self.rule_months


def _duration_rule(start_date: dt.date, weekly_hours: Decimal) -> Rule:
    year = funding_rules.funding_year(start_date)
    months = funding_rules.minimum_duration_months(start_date, weekly_hours)
    name = "Minimum time on programme"
    if start_date >= funding_rules.RULES_2025:
        note = (
            "8 months for starts from 1 August 2025, with no automatic extension for "
            "part-time contracts. It is also the funding floor."
        )
        if not year.loaded:
            return Rule(
                "minimum_duration",
                name,
                f"{months} months",
                Label.NOT_LOADED,
                MINIMUM_DURATION_FROM_2025,
                note=f"{_not_loaded_note(year)} {note}",
            )
        return Rule(
            "minimum_duration",
            name,
            f"{months} months",
            Label.SECONDARY_SOURCES,
            MINIMUM_DURATION_FROM_2025,
            note=note,
        )
    if weekly_hours >= funding_rules.FULL_TIME_HOURS:
        return Rule(
            "minimum_duration",
            name,
            f"{months} months",
            Label.SECONDARY_SOURCES,
            MINIMUM_DURATION_BEFORE_2025,
            note="12 months for starts before 1 August 2025 on contracts of 30 hours a week "
            "or more.",
        )
    figure = (
        f"{months} months: 12 months extended for {_hours(weekly_hours)} hours a week "
        f"(12 × 30 ÷ {_hours(weekly_hours)}, rounded up)"
    )
    if start_date >= funding_rules.RULES_2022:
        return Rule(
            "minimum_duration",
            name,
            figure,
            Label.SECONDARY_SOURCES,
            MINIMUM_DURATION_BEFORE_2025 + PART_TIME_EXTENSION,
            note="Contracts under 30 hours a week extend the 12 months pro rata (2022-25 rules).",
        )
    return Rule(
        "minimum_duration",
        name,
        figure,
        Label.INFERRED,
        MINIMUM_DURATION_BEFORE_2025 + PART_TIME_EXTENSION,
        note="The stored sources state the part-time extension for starts from 1 August "
        "2022; it is applied to earlier starts too, which is an inference.",
    )


def minimum_programme(
    start_date: dt.date, weekly_hours: Decimal, standard_version: StandardVersion
) -> MinimumProgramme:
    """The minimum time on programme: the funding rules' minimum for the start date, or a
    longer one that the standard's assessment plan sets (StandardVersion's
    `minimum_programme_months`), labelled with that fact's own source."""
    rule = _duration_rule(start_date, weekly_hours)
    rule_months = funding_rules.minimum_duration_months(start_date, weekly_hours)
    plan_months = standard_version.minimum_programme_months
    if plan_months is None or plan_months <= rule_months:
        return MinimumProgramme(rule_months, rule_months, plan_months, rule)
    fact = standard_version.fact("minimum_programme_months")
    return MinimumProgramme(
        months=plan_months,
        rule_months=rule_months,
        plan_months=plan_months,
        rule=Rule(
            "minimum_duration",
            "Minimum time on programme",
            f"{plan_months} months, set by the assessment plan",
            label_of(fact.get("provenance", "")),
            source_text=fact.get("source", ""),
            note=(
                f"Longer than the funding rules' {rule_months} months for this start, so the "
                "assessment plan's figure applies. " + fact.get("note", "")
            ).strip(),
        ),
    )


# -- off-the-job training --------------------------------------------------------------


def otj_rule(
    start_date: dt.date,
    weekly_hours: Decimal,
    standard: StandardVersion,
    minimum: MinimumInForce | None = None,
) -> Rule:
    """How much off-the-job training the rules of the start date require. From 1 August
    2025 that is the minimum in force (apprenticeship/otj_minimum.py): the standard's
    published figure, or the provider's interim one, or none yet."""
    year = funding_rules.funding_year(start_date)
    era = funding_rules.otj_era(start_date)
    name = "Off-the-job training required"
    leave = (
        "Statutory leave is left out (5.6 weeks a year unless the provider sets another figure)."
    )
    if era == funding_rules.OTJ_ERA_BEFORE_2022:
        return Rule(
            "otj_required",
            name,
            f"20% of contracted hours ({_hours(weekly_hours)} a week) over the planned duration",
            Label.SECONDARY_SOURCES,
            RULES_BEFORE_2022,
            note=f"{leave} The stored sources give the 20% rule; leaving out leave for these "
            "starts follows the 2022-25 practice.",
        )
    if era == funding_rules.OTJ_ERA_2022_TO_2025:
        counted = min(weekly_hours, funding_rules.FULL_TIME_HOURS)
        weekly = (counted / 5).quantize(Decimal("0.01"))
        figure = (
            "6 hours a week on average (20% of a 30-hour week)"
            if weekly_hours >= funding_rules.FULL_TIME_HOURS
            else f"{_hours(weekly)} hours a week on average (20% of {_hours(weekly_hours)} "
            "contracted hours)"
        )
        return Rule(
            "otj_required",
            name,
            f"{figure}, over the planned duration",
            Label.SECONDARY_SOURCES,
            RULES_2022_TO_2025,
            note=f"{leave} Recognised prior learning reduces the total.",
        )
    note = (
        "From 1 August 2025 each standard has a published minimum number of hours, no longer "
        "tied to the duration or weekly hours. Recognised prior learning reduces it, never "
        "below the funding floor."
    )
    if not year.loaded:
        note = f"{_not_loaded_note(year)} {note}"
    if minimum is None:
        return Rule(
            "otj_required",
            name,
            "The standard's published minimum: not loaded yet",
            Label.NOT_LOADED,
            RULES_FROM_2025,
            note=f"{note} The figure for {standard.reference} was not found in the stored "
            "sources, and the provider has entered no interim figure.",
        )
    whose = (
        "the standard's published minimum" if minimum.official else "the provider's interim figure"
    )
    return Rule(
        "otj_required",
        name,
        f"{minimum.hours} hours ({whose})",
        Label.NOT_LOADED if not year.loaded else label_of(minimum.provenance),
        RULES_FROM_2025,
        source_text=minimum.source,
        note=" ".join(part for part in (note, minimum.note) if part),
    )


def funding_rules_in_force(
    *,
    start_date: dt.date,
    weekly_hours: Decimal,
    standard_version: StandardVersion,
    otj_minimum: MinimumInForce | None = None,
) -> list[Rule]:
    """The funding rules that apply to a start on `start_date`: which year's rules, the
    minimum time on programme, the off-the-job training required (from 2025, with the
    minimum in force, `otj_minimum`) and how it is judged, the floor, active learning and
    what does not count. No queries."""
    year = funding_rules.funding_year(start_date)
    era = funding_rules.otj_era(start_date)
    rules = [
        Rule(
            "funding_year",
            "Funding rules applied",
            f"{year.applied} (those in force on the start date)",
            Label.SECONDARY_SOURCES if year.loaded else Label.NOT_LOADED,
            START_DATE_RULES if year.loaded else RULES_FROM_2026,
            note="" if year.loaded else year.note,
        ),
        minimum_programme(start_date, weekly_hours, standard_version).rule,
        otj_rule(start_date, weekly_hours, standard_version, otj_minimum),
    ]
    applied_2025 = Label.SECONDARY_SOURCES
    if era == funding_rules.OTJ_ERA_FROM_2025:
        rules.append(
            Rule(
                "floor",
                "Funding floor",
                f"{funding_rules.OTJ_FLOOR_HOURS_FROM_2025} hours of off-the-job training "
                f"and {funding_rules.MINIMUM_MONTHS_FROM_2025} months",
                applied_2025,
                RULES_FROM_2025,
                note="Recognised prior learning cannot take the training below the floor.",
            )
        )
        rules.append(
            Rule(
                "delivery",
                "How the training is spread",
                "May be uneven: judged against the tutor's month-by-month schedule",
                applied_2025,
                RULES_FROM_2025,
                note="Without a schedule the pace is shown for information only.",
            )
        )
    else:
        rules.append(
            Rule(
                "delivery",
                "How the training is spread",
                "Judged against an even spread over the planned duration",
                Label.INFERRED,
                note="The rules set an average over the planned duration; the app expects "
                "an even spread to say whether training is behind. That is the app's "
                "reading, not a stated rule.",
            )
        )
    if era == funding_rules.OTJ_ERA_2022_TO_2025:
        rules.append(
            Rule(
                "active_learning",
                "Active learning",
                f"Evidence of learning at least every 4 weeks: more than "
                f"{funding_rules.ACTIVE_LEARNING_DAYS} days with no training is flagged",
                Label.SECONDARY_SOURCES,
                RULES_2022_TO_2025,
                note="2022-23 funding rules, paragraph P36.2. Days on a break in learning "
                "are left out.",
            )
        )
    rules.append(
        Rule(
            "not_counted",
            "What does not count",
            "English and maths study, and any training after gateway",
            Label.SECONDARY_SOURCES,
            WHAT_COUNTS,
            note="Only training in the training plan, in paid working hours, that teaches "
            "new knowledge, skills and behaviours of the standard counts.",
        )
    )
    rules.append(review_interval_rule(start_date))
    if not year.loaded:
        # Every rule here is the last year's held, applied: none is the start's own.
        rules = [_as_not_loaded(rule, year) for rule in rules]
    return rules


def _as_not_loaded(rule: Rule, year: FundingYear) -> Rule:
    if rule.label in (Label.NOT_LOADED, Label.NO_SOURCE):
        return rule
    return replace(rule, label=Label.NOT_LOADED, note=f"{_not_loaded_note(year)} {rule.note}")


def review_interval_rule(start_date: dt.date, agreed: str = "") -> Rule:
    """The most time allowed between progress reviews, by start date. `agreed` describes
    an interval agreed for this apprenticeship instead, if there is one."""
    interval: ReviewInterval = funding_rules.progress_review_interval(start_date)
    figure = f"At least every {interval}"
    note = (
        "The product's brief gives 12 weeks for starts before 1 August 2025 and 3 calendar "
        "months from then; none of the stored sources states it."
    )
    if agreed:
        figure = f"{figure}; agreed for this apprentice: {agreed}"
    return Rule("reviews", "Progress reviews", figure, Label.NO_SOURCE, note=note)


def retention_rule(years: int = funding_rules.RECORD_RETENTION_YEARS) -> Rule:
    """How long records are kept for the funding audit, with where the figure comes from.
    `years` is the provider's own period when it keeps them longer."""
    default = funding_rules.RECORD_RETENTION_YEARS
    figure = (
        f"{years} years after the end of the funding year (31 July) the apprenticeship ended in"
    )
    note = (
        f"{default} years is the only period the stored sources give: the 2020 to 2021 "
        "funding agreement, quoted by one secondary source. The current funding rules' own "
        "period has not been found, and counting from the end of the funding year is this "
        'app\'s reading of "the end of the agreement period". Check it against your funding '
        "agreement. Learning used as European Social Fund match funding must be kept longer "
        "(the ESF 2014 to 2020 rules): set a longer period if any of yours was."
    )
    if years != default:
        return Rule(
            "retention",
            "Records kept",
            figure,
            Label.PROVIDER_POLICY,
            RECORD_RETENTION,
            note=f"Longer than the default of {default} years. {note}",
        )
    return Rule("retention", "Records kept", figure, Label.INFERRED, RECORD_RETENTION, note=note)
