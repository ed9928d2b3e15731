"""The shape of a standards file, checked by pydantic (DESIGN.md §7).

The models follow the public Skills England standards API (camelCase fields, and the older
names some feeds still use) plus the optional fields this project adds: provenance labels,
the default off-the-job split across duties, the assessment plan as data. Unknown fields are
ignored. Every refusal names where in the file the problem is, as a JSON path in plain
words: "skills[3]: 'detail' must be text." for a field, "assessmentPlan.methods[0].themes[1]:
this must be text." for an item of a list.

The models check each value on its own. What needs the whole file (ids used twice, a duty
mapped to a skill that is not there, a grade table with a gap) is checked in parsing.py.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)
from pydantic_core import PydanticCustomError

from standards.models import Provenance, ResitScope

PROVENANCE_VALUES = frozenset(Provenance.values)
# Older feeds used other names for the same facts: (current name, older name).
OLDER_NAMES = (
    ("proposedTypicalDuration", "typicalDuration"),
    ("proposedMaxFunding", "maxFunding"),
)
T = TypeVar("T")


def _refuse(kind: str, message: str, **context: Any) -> PydanticCustomError:
    # The user's values go in the context, never into the template, so braces are safe.
    return PydanticCustomError(kind, message, context)


def _empty(value: Any) -> bool:
    return value is None or value == ""


# -- values ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _refuse("text", "must be text")
    return str(value).strip()


def _present(value: str) -> str:
    if not value:
        raise _refuse("missing", "is missing")
    return value


def _filled(value: str) -> str:
    if not value:
        raise _refuse("empty", "must not be empty")
    return value


def _loose_text(value: Any) -> str:
    return str(value) if value else ""


def _whole_number(value: Any) -> int | None:
    if _empty(value):
        return None
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise _refuse(
                "whole_number", "must be a whole number, not {value}", value=repr(value)
            ) from None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _refuse("whole_number", "must be a whole number of 0 or more")
    return value


def _date(value: Any) -> dt.date | None:
    if _empty(value):
        return None
    if not isinstance(value, str):
        raise _refuse("date", "must be a date like 2022-07-20")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise _refuse(
            "date", "must be a date like 2022-07-20, not {value}", value=repr(value)
        ) from None


def _provenance(value: Any) -> str | None:
    if _empty(value):
        return None
    if not isinstance(value, str) or value not in PROVENANCE_VALUES:
        raise _refuse(
            "provenance",
            "must be one of {allowed}, not {value}",
            allowed=", ".join(sorted(PROVENANCE_VALUES)),
            value=repr(value),
        )
    return value


def _weight(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        weight = Decimal(str(value))
    except InvalidOperation:
        raise _refuse("number", "must be a number") from None
    if not weight.is_finite():
        raise _refuse("number", "must be a number")
    if weight < 0:
        raise _refuse("number", "cannot be negative")
    return weight


def _job_titles(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [title.strip() for title in value.split("|") if title.strip()]
    if not isinstance(value, list) or not all(isinstance(title, str) for title in value):
        raise _refuse("job_titles", "must be a list of job titles")
    return value


def _list_or_empty(value: Any) -> Any:
    return [] if value is None else value


def _object_or_none(value: Any) -> Any:
    return value or None


def _fact(value: Any) -> Any:
    if not value:
        return None
    if isinstance(value, str):
        return {"provenance": value}
    if not isinstance(value, dict):
        raise _refuse("fact", "must be a provenance label or an object with 'provenance'")
    return value


def _some(problem: str) -> Any:
    def check(items: list) -> list:
        if not items:
            raise _refuse("empty", problem)
        return items

    return check


Text = Annotated[str, BeforeValidator(_text)]
RequiredText = Annotated[str, BeforeValidator(_text), AfterValidator(_present)]
LooseText = Annotated[str, BeforeValidator(_loose_text)]
StrictText = Annotated[str, Strict(), AfterValidator(_filled)]
WholeNumber = Annotated[int | None, BeforeValidator(_whole_number)]
Date = Annotated[dt.date | None, BeforeValidator(_date)]
ProvenanceLabel = Annotated[str | None, BeforeValidator(_provenance)]
Weight = Annotated[Decimal | None, BeforeValidator(_weight)]
JobTitles = Annotated[list[str], BeforeValidator(_job_titles)]
Ids = Annotated[list[Any], BeforeValidator(_list_or_empty)]


# A list that may also be given as null.
ListOf = Annotated[list[T], BeforeValidator(_list_or_empty)]


# -- models ----------------------------------------------------------------------------


class Schema(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class FactRecord(Schema):
    """Where a fact comes from: a label, and optionally its source and a note."""

    provenance: ProvenanceLabel = None
    source: LooseText = ""
    note: LooseText = ""
    code_provenance: ProvenanceLabel = Field(None, alias="codeProvenance")


Fact = Annotated[FactRecord | None, BeforeValidator(_fact)]


class FileProvenance(Schema):
    """The file's "provenance" object: one record per standard-level fact or section.
    Attributes are named as the file's keys, so parsing can look them up by those."""

    title: Fact = None
    level: Fact = None
    status: Fact = None
    route: Fact = None
    larsCode: Fact = None
    occupationReference: Fact = None
    overviewOfRole: Fact = None
    proposedTypicalDuration: Fact = None
    proposedMaxFunding: Fact = None
    approvedForDelivery: Fact = None
    typicalJobTitles: Fact = None
    assessmentPlanUrl: Fact = None
    standardPageUrl: Fact = None
    minimumOnProgrammeMonths: Fact = None
    minimumOffTheJobHours: Fact = None
    knowledges: Fact = None
    skills: Fact = None
    behaviours: Fact = None
    dutyKsbMap: Fact = None


class KsbItem(Schema):
    external_id: str = ""
    detail: RequiredText
    provenance: ProvenanceLabel = None
    code_provenance: ProvenanceLabel = Field(None, alias="codeProvenance")
    source: LooseText = ""


class KnowledgeItem(KsbItem):
    external_id: RequiredText = Field(alias="knowledgeId")


class SkillItem(KsbItem):
    external_id: RequiredText = Field(alias="skillId")


class BehaviourItem(KsbItem):
    external_id: RequiredText = Field(alias="behaviourId")


def _prefer_filled(data: Any, names: tuple[str, ...]) -> Any:
    """Drop an empty field when an older name for it is filled, so the older one is read."""
    if not isinstance(data, dict):
        return data
    current, *older = names
    if _empty(data.get(current)) and any(not _empty(data.get(name)) for name in older):
        return {key: value for key, value in data.items() if key != current}
    return data


class DutyItem(Schema):
    external_id: Text = Field("", validation_alias=AliasChoices("dutyId", "dutyID"))
    detail: RequiredText = Field(alias="dutyDetail")
    is_core: Any = Field(None, alias="isThisACoreDuty")
    mapped_knowledge: Ids = Field(default_factory=list, alias="mappedKnowledge")
    mapped_skills: Ids = Field(default_factory=list, alias="mappedSkills")
    mapped_behaviour: Ids = Field(default_factory=list, alias="mappedBehaviour")
    provenance: ProvenanceLabel = None
    source: LooseText = ""
    otj_weight: Weight = Field(None, alias="offTheJobWeight")
    otj_weight_provenance: ProvenanceLabel = Field(None, alias="offTheJobWeightProvenance")
    otj_weight_note: LooseText = Field("", alias="offTheJobWeightNote")

    @model_validator(mode="before")
    @classmethod
    def _older_id_name(cls, data: Any) -> Any:
        return _prefer_filled(data, ("dutyId", "dutyID"))


class MethodItem(Schema):
    code: RequiredText
    name: RequiredText
    duration_minutes: WholeNumber = Field(None, alias="durationMinutes")
    sessions: WholeNumber = None
    remote_sessions: ListOf[Annotated[int, Strict()]] = Field(
        default_factory=list, alias="remoteSessions"
    )
    min_questions_per_session: WholeNumber = Field(None, alias="minQuestionsPerSession")
    min_questions: WholeNumber = Field(None, alias="minQuestions")
    themes: ListOf[StrictText] = Field(default_factory=list)
    grade_options: Ids = Field(default_factory=list, alias="gradeOptions")
    setting: Text = ""
    provenance: ProvenanceLabel = None
    source: LooseText = ""
    mapped_ksbs: Ids = Field(default_factory=list, alias="mappedKsbs")


class GradeRow(Schema):
    grades: dict[str, Any]
    overall: Any = None


class GatewayRequirement(Schema):
    text: RequiredText
    provenance: ProvenanceLabel = None
    source: LooseText = ""


def _flag(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _refuse("flag", "must be true or false")
    return value


def _resit_scope(value: Any) -> str:
    if _empty(value):
        return ""
    if value not in ResitScope.values:
        raise _refuse(
            "resit_scope",
            "must be one of {allowed}, or empty when the plan does not say",
            allowed=", ".join(ResitScope.values),
        )
    return str(value)


Flag = Annotated[bool, BeforeValidator(_flag)]
ResitScopeValue = Annotated[str, BeforeValidator(_resit_scope)]


class PlanFile(Schema):
    """The assessment plan as data: this project's extra field `assessmentPlan`."""

    reference: Text = ""
    provenance: ProvenanceLabel = None
    source: LooseText = ""
    overall_grades: Annotated[
        list[StrictText],
        BeforeValidator(_list_or_empty),
        AfterValidator(_some("must list the grades, lowest first")),
    ] = Field(default_factory=list, alias="overallGrades", validate_default=True)
    methods: Annotated[
        list[MethodItem],
        BeforeValidator(_list_or_empty),
        AfterValidator(_some("must list at least one assessment method")),
    ] = Field(default_factory=list, validate_default=True)
    grade_table: Annotated[
        list[GradeRow],
        BeforeValidator(_list_or_empty),
        AfterValidator(_some("must list the overall grade for every combination of method grades")),
    ] = Field(default_factory=list, alias="gradeTable", validate_default=True)
    epa_window_months: WholeNumber = Field(None, alias="epaWindowMonths")
    epa_window_is_maximum: Flag = Field(False, alias="epaWindowIsMaximum")
    resit_grade_cap: Text = Field("", alias="resitGradeCap")
    resit_scope: ResitScopeValue = Field("", alias="resitScope")
    every_theme_required: Flag = Field(False, alias="everyThemeRequired")
    gateway_requirements: ListOf[GatewayRequirement] = Field(
        default_factory=list, alias="gatewayRequirements"
    )
    facts: Annotated[dict[str, Fact], BeforeValidator(lambda value: value or {})] = Field(
        default_factory=dict
    )


class StandardFile(Schema):
    """One standard version. Field names are the model fields of StandardVersion."""

    reference: RequiredText = Field(alias="referenceNumber")
    version: RequiredText
    title: RequiredText
    level: WholeNumber = None
    status: Text = ""
    route: Text = ""
    lars_code: Text = Field("", alias="larsCode")
    occupation_reference: Text = Field("", alias="occupationReference")
    overview: Text = Field("", alias="overviewOfRole")
    typical_duration_months: WholeNumber = Field(
        None, validation_alias=AliasChoices(*OLDER_NAMES[0])
    )
    max_funding: WholeNumber = Field(None, validation_alias=AliasChoices(*OLDER_NAMES[1]))
    approved_for_delivery: Date = Field(None, alias="approvedForDelivery")
    typical_job_titles: JobTitles = Field(default_factory=list, alias="typicalJobTitles")
    assessment_plan_url: Text = Field("", alias="assessmentPlanUrl")
    standard_page_url: Text = Field("", alias="standardPageUrl")
    minimum_programme_months: WholeNumber = Field(None, alias="minimumOnProgrammeMonths")
    otj_minimum_hours: WholeNumber = Field(None, alias="minimumOffTheJobHours")
    provenance: Annotated[FileProvenance | None, BeforeValidator(_object_or_none)] = None
    knowledges: ListOf[KnowledgeItem] = Field(default_factory=list)
    skills: ListOf[SkillItem] = Field(default_factory=list)
    behaviours: ListOf[BehaviourItem] = Field(default_factory=list)
    duties: ListOf[DutyItem]
    assessment_plan: PlanFile | None = Field(None, alias="assessmentPlan")

    @model_validator(mode="before")
    @classmethod
    def _older_names(cls, data: Any) -> Any:
        for names in OLDER_NAMES:
            data = _prefer_filled(data, names)
        return data
