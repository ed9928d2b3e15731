"""Where each funding rule comes from and how sure we are of it: the labels shown beside a
rule and the stored sources they rest on, from the project's reference facts
(`st0896-facts.json`, its `sources` section). A rule no stored source states is
labelled so, never shown as official."""

from dataclasses import dataclass
from enum import StrEnum


class Label(StrEnum):
    """How sure we are of a rule. The first six match standards.models.Provenance, so a
    fact of the standard's data keeps its own label here."""

    VERIFIED = "verified"
    SECONDARY = "secondary"
    SEED = "seed"
    INFERRED = "inferred"
    PROVIDER = "provider"
    NOT_LOADED = "not_loaded"
    SECONDARY_SOURCES = "secondary_sources"
    NO_SOURCE = "no_source"
    PROVIDER_POLICY = "provider_policy"
    EPAO_POLICY = "epao_policy"


LABEL_TEXT = {
    Label.VERIFIED: "Verified",
    Label.SECONDARY: "Secondary source",
    Label.SEED: "Seed-derived",
    Label.INFERRED: "Inferred, not official",
    Label.PROVIDER: "Entered by the provider",
    Label.NOT_LOADED: "Not loaded yet",
    Label.SECONDARY_SOURCES: "Secondary sources agree",
    Label.NO_SOURCE: "No source held",
    Label.PROVIDER_POLICY: "Provider policy",
    Label.EPAO_POLICY: "Assessment organisation policy",
}


LABEL_HELP = {
    Label.VERIFIED: "Stated by an official page, or two independent sources agree.",
    Label.SECONDARY: "From one secondary source (for example a training provider's summary); "
    "not checked against the official text.",
    Label.SEED: "Worked out from the documents the project started from.",
    Label.INFERRED: "Reasoned, not stated by any source. Not official.",
    Label.PROVIDER: "Entered by the training provider while the official figure is not loaded.",
    Label.NOT_LOADED: "The official rule or figure has not been loaded.",
    Label.SECONDARY_SOURCES: "Trade press, sector bodies and vendors summarising the official "
    "rules agree; the official text itself has not been seen.",
    Label.NO_SOURCE: "None of the stored sources states this. Check it against the official "
    "rules before relying on it.",
    Label.PROVIDER_POLICY: "The training provider's own requirement, not the standard's or the "
    "funding rules'.",
    Label.EPAO_POLICY: "The end-point assessment organisation's own policy, used where the "
    "assessment plan states none.",
}


# The reference facts' status words, as labels.
FACT_STATUS = {
    "verified": Label.VERIFIED,
    "verified_from_secondary_sources": Label.SECONDARY_SOURCES,
    "secondary_only": Label.SECONDARY,
    "seed_only": Label.SEED,
    "inferred": Label.INFERRED,
    "weak": Label.INFERRED,
    "not_found": Label.NOT_LOADED,
}


@dataclass(frozen=True)
class Source:
    """One stored source of the reference facts, by its id and title there."""

    id: str
    title: str

    def __str__(self) -> str:
        return f"{self.id}: {self.title}"


def _source(id_: str, title: str) -> Source:
    return Source(id=id_, title=title)


SOURCES = {
    source.id: source
    for source in (
        _source(
            "SRC-GOVUK-FR",
            "GOV.UK - Apprenticeship funding rules for training providers: What is an "
            "apprenticeship (2022-23 era)",
        ),
        _source(
            "SRC-GOVUK-OTJ", "GOV.UK - Apprenticeships: off-the-job training (publication page)"
        ),
        _source("SRC-HASO-OTJ", "HASO - off-the-job training (pre/post 1 Aug 2022 rules)"),
        _source("SRC-HASO-TRAINING", "HASO - Training page (off-the-job section)"),
        _source("SRC-FEWEEK-2017", "FE Week - Making sense of the 20% off-the-job rule (2017)"),
        _source(
            "SRC-TRIBAL",
            "Tribal - Apprenticeships off the job training: new funding rules (2022/23)",
        ),
        _source("SRC-EDCENTRAL", "ESFA ditches 20% off-the-job requirement (2022-23 rules)"),
        _source(
            "SRC-DFE-FORUM-PT",
            "DfE customer help community - part-time learner (quotes 2023-24 funding rules "
            "paras 65.3, 67.1, 69)",
        ),
        _source(
            "SRC-LINCOLN-ONEFILE",
            "Off-The-Job and ESFA Funding Rules from August 2022 (OneFile portfolio set-up "
            "guidance)",
        ),
        _source(
            "SRC-FEWEEK-OTJ-2025",
            "FE Week - DfE sets minimum off-the-job hours for each apprenticeship standard "
            "(2025-26 rules)",
        ),
        _source(
            "SRC-FEWEEK-TRANSITION",
            "FE Week - DfE agrees 'transitional period' for new off the job policy",
        ),
        _source(
            "SRC-FEWEEK-73",
            "FE Week - Dozens of apprenticeships granted 'transitional' off-the-job hours (v2 "
            "of 2025-26 rules)",
        ),
        _source(
            "SRC-ONEFILE-2025",
            "OneFile - OTJ hours temporarily trimmed (v2 of 2025-26 rules, 15 July 2025)",
        ),
        _source(
            "SRC-CITYGUILDS-2025",
            "City & Guilds - What you need to know about the 2025-26 Apprenticeship funding rules",
        ),
        _source("SRC-APTEM-2025", "Aptem - Off-the-job hours: what changed in August 2025"),
        _source(
            "SRC-DFE-FORUM-2526",
            "DfE customer help community - New funding rules 25/26 (Annex C published hours)",
        ),
        _source(
            "SRC-YORK-OTJ",
            "University of York - apprenticeships off-the-job training (what it can include)",
        ),
        _source(
            "SRC-SKILLSRADAR",
            "'SKILLS RADAR - SHARED DATA' JavaScript data file in a public GitHub repo",
        ),
        _source("SRC-PIER", "Pier Training - L3 Peer Worker course page"),
        _source(
            "SRC-HELP-EM",
            "DfE apprenticeship service help - Changes to English and maths requirements "
            "(11 Feb 2025)",
        ),
        _source("SRC-FEWEEK-EM", "FE Week - English and maths reforms reflected in 2024-25 rules"),
    )
}


def sources(*ids: str) -> tuple[Source, ...]:
    return tuple(SOURCES[id_] for id_ in ids)


PART_TIME_EXTENSION = sources("SRC-DFE-FORUM-PT")


WHAT_COUNTS = sources("SRC-APTEM-2025", "SRC-TRIBAL", "SRC-FEWEEK-2017", "SRC-YORK-OTJ")


START_DATE_RULES = sources("SRC-GOVUK-FR", "SRC-GOVUK-OTJ")


# Keeping records. The reference facts hold no retention period, so these two are not
# among their sources (SOURCES above is theirs alone): stored public pages read for the
# retention policy (dataio/retention.py), one a forum quotation of the funding agreement.
RECORD_RETENTION = (
    _source(
        "SRC-ESFA-AGREEMENT-2021",
        "ESFA education and skills agreements 2020 to 2021, clause 28.3.1 (records kept at "
        "least 6 years after the end of the agreement period, or longer where the funding "
        "rules say), as quoted in the DfE customer help community; not in the reference facts",
    ),
    _source(
        "SRC-DFE-RECORD-KEEPING",
        "DfE - Record keeping and retention information for training providers (13 January "
        "2021): keep learner records until their destruction date; learning used as European "
        "Social Fund match funding follows the ESF 2014 to 2020 rules; not in the reference "
        "facts",
    ),
)


def label_of(provenance: str) -> Label:
    """A standard's fact provenance as a label (the values are shared)."""
    return Label(provenance) if provenance in Label.__members__.values() else Label.NOT_LOADED
