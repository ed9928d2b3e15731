"""The rules in force for one apprenticeship, each with its figure, its source and its label,
as the "Rules in force" panel and the PDF show them: the funding rules of the start date
(apprenticeship.rules), then the gateway's (the assessment plan's requirements, English and
maths, the provider's own policy) and the end-point assessment's (the plan's period, grade
table, theme coverage, and the resit rules from the plan or the assessment organisation's
policy). One function builds the rows for every page and report."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from apprenticeship import funding_rules, rule_sources, rules
from apprenticeship.models import Apprenticeship
from apprenticeship.otj_minimum import minimum_in_force
from apprenticeship.rule_sources import Label, Source
from apprenticeship.rules import Rule, Section
from epa.grading import FROM_EPAO, FROM_PLAN, ResitRules, resit_rules, window_is_maximum
from epa.models import GatewayPolicy, ResitPolicy
from epa.selectors.assessment import every_theme_required, plan_of
from epa.selectors.gateway import ENGLISH_MATHS_SOURCES, gateway_policy
from portfolio.reviews import schedule as review_schedule
from portfolio.reviews.models import AgreedReviewInterval
from portfolio.training import selectors as otj_selectors
from standards.models import AssessmentPlan, ResitScope


@dataclass(frozen=True)
class RulesInForce:
    funding_year: funding_rules.FundingYear
    rules: list[Rule]

    @property
    def sections(self) -> list[tuple[str, list[Rule]]]:
        return [
            (rules.SECTION_TITLES[section], [r for r in self.rules if r.section == section])
            for section in Section
            if any(r.section == section for r in self.rules)
        ]

    @property
    def sources_cited(self) -> list[Source]:
        """Every reference source the rules cite, once each, in the order first cited."""
        cited: dict[str, Source] = {}
        for rule in self.rules:
            for source in rule.sources:
                cited.setdefault(source.id, source)
        return list(cited.values())

    def as_data(self) -> dict:
        """Plain data, for the frozen portfolio and the PDF."""
        year = self.funding_year
        return {
            "funding_year": {
                "year": year.year,
                "applied": year.applied,
                "loaded": year.loaded,
                "note": year.note,
            },
            "sections": [
                {"title": title, "rules": [rule.as_data() for rule in rows]}
                for title, rows in self.sections
            ],
            "sources_cited": [{"id": s.id, "title": s.title} for s in self.sources_cited],
        }


def _fact_source(fact: dict) -> str:
    """A plan fact's source, unless the fact is not loaded (its record then falls back to
    the plan's own source, which does not state it)."""
    return "" if fact.get("provenance") == Label.NOT_LOADED else fact.get("source", "")


def _date(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


def _agreed_words(agreed: AgreedReviewInterval, rule: funding_rules.ReviewInterval) -> str:
    words = f"every {agreed.interval}, recorded by {agreed.agreed_by.full_name} on " + _date(
        agreed.agreed_at
    )
    if agreed.employer_agreed_by_id:
        employer = agreed.employer_agreed_by
        words += (
            f"; the employer agreed ({employer.full_name if employer else ''}, "
            f"{agreed.employer_agreed_on:%-d %B %Y})"
        )
    elif agreed.interval.longer_than(rule):
        words += "; longer than the rule, and the employer's agreement is not recorded"
    return words


def _review_rule(apprenticeship: Apprenticeship, agreed: AgreedReviewInterval | None) -> Rule:
    rule = funding_rules.progress_review_interval(apprenticeship.start_date)
    return rules.review_interval_rule(
        apprenticeship.start_date, agreed=_agreed_words(agreed, rule) if agreed else ""
    )


def _gateway_rules(
    apprenticeship: Apprenticeship, plan: AssessmentPlan | None, policy: GatewayPolicy
) -> list[Rule]:
    found = []
    if plan is None:
        found.append(
            Rule(
                "gateway_requirements",
                "The assessment plan's gateway requirements",
                "Not loaded yet",
                Label.NOT_LOADED,
                section=Section.GATEWAY,
            )
        )
    else:
        for number, requirement in enumerate(plan.gateway_requirements, start=1):
            found.append(
                Rule(
                    f"gateway_requirement_{number}",
                    "The assessment plan's gateway requirement",
                    requirement.get("text", ""),
                    rule_sources.label_of(requirement.get("provenance") or plan.provenance),
                    source_text=requirement.get("source") or plan.source,
                    section=Section.GATEWAY,
                )
            )
    found.append(
        Rule(
            "english_maths",
            "English and maths",
            "Level 2 needed for apprentices aged 16 to 18 at the start; optional from 19 since "
            "11 February 2025. Entry Level 3 counts with an EHC plan; a BSL qualification can "
            "stand for English.",
            Label.SECONDARY,
            ENGLISH_MATHS_SOURCES,
            note="The February 2025 change is on an official DfE page; the Level 2 requirement "
            "for this standard comes from a provider's summary of the assessment plan.",
            section=Section.GATEWAY,
        )
    )
    provider = apprenticeship.provider.name
    for name, label in GatewayPolicy.ITEMS:
        on = getattr(policy, name)
        found.append(
            Rule(
                f"policy_{name}",
                label,
                "Required before gateway" if on else "Not required",
                Label.PROVIDER_POLICY,
                source_text=f"{provider}'s own gateway policy",
                note="No stored source requires this; the provider chooses.",
                section=Section.GATEWAY,
            )
        )
    found.append(
        Rule(
            "provider_declaration",
            "The training provider confirms readiness",
            "Required before gateway, once every other item holds",
            Label.PROVIDER_POLICY,
            source_text=f"{provider}, with the employer's confirmation",
            note="No stored source states it for this standard: it is how the provider says "
            "its own requirements are met.",
            section=Section.GATEWAY,
        )
    )
    return found


def _period_rule(plan: AssessmentPlan) -> Rule:
    fact = plan.fact("epaWindowMonths")
    maximum_fact = plan.fact("epaWindowIsMaximum")
    months = plan.epa_window_months
    if not months:
        return Rule(
            "epa_period",
            "End-point assessment period",
            "Not loaded yet",
            Label.NOT_LOADED,
            note=fact.get("note", ""),
            section=Section.ASSESSMENT,
        )
    if window_is_maximum(plan):
        return Rule(
            "epa_period",
            "End-point assessment period",
            f"At most {months} months after gateway: a deadline",
            rule_sources.label_of(maximum_fact["provenance"]),
            source_text=_fact_source(maximum_fact),
            note=maximum_fact.get("note", ""),
            section=Section.ASSESSMENT,
        )
    notes = [fact.get("note", ""), maximum_fact.get("note", "")]
    return Rule(
        "epa_period",
        "End-point assessment period",
        f"Typically within {months} months after gateway: guidance, not a deadline",
        rule_sources.label_of(fact["provenance"]),
        source_text=_fact_source(fact),
        note=" ".join(n for n in notes if n),
        section=Section.ASSESSMENT,
    )


def _resit_rules_rows(plan: AssessmentPlan, resit: ResitRules) -> list[Rule]:
    def label_and_source(came_from: str, fact: dict) -> tuple[str, str]:
        if came_from == FROM_PLAN:
            return rule_sources.label_of(fact["provenance"]), _fact_source(fact)
        if came_from == FROM_EPAO and resit.policy is not None:
            return Label.EPAO_POLICY, f"{resit.policy.epao.name}: {resit.policy.name}"
        return Label.NOT_LOADED, ""

    cap_label, cap_source = label_and_source(resit.cap_from, resit.cap_fact)
    scope_label, scope_source = label_and_source(resit.scope_from, resit.scope_fact)
    return [
        Rule(
            "resit_cap",
            "Cap on a resit or retake",
            f"Capped at {resit.cap}" if resit.cap else "No cap",
            cap_label,
            source_text=cap_source,
            note=resit.cap_basis
            + ("" if resit.cap_from != "none" else f" {resit.cap_fact.get('note', '')}"),
            section=Section.ASSESSMENT,
        ),
        Rule(
            "resit_scope",
            "What a resit or retake assesses again",
            ResitScope(resit.scope).label,
            scope_label,
            source_text=scope_source,
            note=resit.scope_basis,
            section=Section.ASSESSMENT,
        ),
    ]


def _assessment_rules(plan: AssessmentPlan | None, resit_policy: ResitPolicy | None) -> list[Rule]:
    if plan is None:
        return [
            Rule(
                "assessment_plan",
                "The assessment plan",
                "Not loaded yet: nothing can be recorded",
                Label.NOT_LOADED,
                section=Section.ASSESSMENT,
            )
        ]
    table = plan.fact("gradeTable")
    themes = plan.fact("everyThemeRequired")
    return [
        _period_rule(plan),
        Rule(
            "grade_table",
            "Overall grade",
            f"From the plan's grade table ({len(plan.grade_table)} combinations of method grades)",
            rule_sources.label_of(table["provenance"]),
            source_text=_fact_source(table),
            note=table.get("note", ""),
            section=Section.ASSESSMENT,
        ),
        *_resit_rules_rows(plan, resit_rules(plan, resit_policy)),
        Rule(
            "themes",
            "Every theme of a discussion covered",
            "Needed before grading"
            if every_theme_required(plan)
            else "A warning if a theme is not covered, not a stop",
            rule_sources.label_of(themes["provenance"]),
            source_text=_fact_source(themes),
            note=themes.get("note", ""),
            section=Section.ASSESSMENT,
        ),
    ]


def rules_in_force(
    apprenticeship: Apprenticeship,
    *,
    policy: GatewayPolicy | None = None,
    reviews: review_schedule.ReviewSchedule | None = None,
    otj: otj_selectors.OtjSummary | None = None,
) -> RulesInForce:
    """Every rule in force for this apprenticeship, with its figure, source and label.

    Pass the provider's gateway policy, the review schedule and the off-the-job summary
    (for the minimum in force) if the page has them, to save loading them. At most five
    queries; one (the assessment organisation's resit policy) when the apprenticeship was
    loaded with `provider__gateway_policy` and `standard_version__assessment_plan` and the
    rest are passed."""
    standard = apprenticeship.standard_version
    plan = plan_of(standard)
    policy = policy or gateway_policy(apprenticeship)
    agreed = (
        reviews.agreed
        if reviews is not None
        else review_schedule.active_agreed_interval(apprenticeship)
    )
    resit_policy = ResitPolicy.objects.current_for(apprenticeship.epao_id, standard.pk)
    from_2025 = funding_rules.otj_era(apprenticeship.start_date) == funding_rules.OTJ_ERA_FROM_2025
    if otj is not None:
        otj_minimum = otj.minimum
    else:
        otj_minimum = minimum_in_force(apprenticeship) if from_2025 else None
    funding = [
        rule if rule.key != "reviews" else _review_rule(apprenticeship, agreed)
        for rule in rules.funding_rules_in_force(
            start_date=apprenticeship.start_date,
            weekly_hours=apprenticeship.contracted_weekly_hours,
            standard_version=standard,
            otj_minimum=otj_minimum,
        )
    ]
    return RulesInForce(
        funding_year=funding_rules.funding_year(apprenticeship.start_date),
        rules=[
            *funding,
            *_gateway_rules(apprenticeship, plan, policy),
            *_assessment_rules(plan, resit_policy),
        ],
    )
