"""Reading a standards file: every refusal says where in the file the problem is."""

import copy

import pytest

from standards import parsing
from standards.errors import StandardImportError
from standards.models import Provenance
from tests.standards.test_import import GUIDS, api_file


def refusal(data) -> str:
    with pytest.raises(StandardImportError) as excinfo:
        parsing.parse_standard(data)
    return str(excinfo.value)


def plan_file() -> dict:
    data = api_file()
    data["assessmentPlan"] = {
        "overallGrades": ["fail", "pass", "distinction"],
        "methods": [
            {
                "code": "AM1",
                "name": "Observation",
                "sessions": 2,
                "remoteSessions": [2],
                "themes": ["Safety", "Values"],
                "gradeOptions": ["fail", "pass"],
                "mappedKsbs": [GUIDS[2]],
            },
            {"code": "AM2", "name": "Discussion", "gradeOptions": ["fail", "pass"]},
        ],
        "gradeTable": [
            {"grades": {"AM1": a, "AM2": b}, "overall": "pass" if a == b == "pass" else "fail"}
            for a in ("fail", "pass")
            for b in ("fail", "pass")
        ],
        "gatewayRequirements": [{"text": "Employer confirms readiness"}],
    }
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["skills"][0].update(detail=["a list"]), "skills[0]: 'detail' must be text."),
        (
            lambda d: d["knowledges"][1].update(knowledgeId={"an": "object"}),
            "knowledges[1]: 'knowledgeId' must be text.",
        ),
        (lambda d: d["behaviours"].append("Be kind."), "behaviours[1]: this must be an object."),
        (
            lambda d: d["duties"][1].update(offTheJobWeight="a lot"),
            "duties[1]: 'offTheJobWeight' must be a number.",
        ),
        (
            lambda d: d["duties"][0].update(provenance="official"),
            "duties[0]: 'provenance' must be one of",
        ),
        (
            lambda d: d.update(provenance={"larsCode": {"provenance": "guessed"}}),
            "provenance.larsCode: 'provenance' must be one of",
        ),
        (
            lambda d: d.update(typicalDuration="a year", proposedTypicalDuration=None),
            "'typicalDuration' must be a whole number, not 'a year'.",
        ),
        (lambda d: d.pop("duties"), "'duties' is missing (give an empty list if none are loaded)."),
        (
            lambda d: d.update(duties=[{"mappedSkills": []}]),
            "duties[0]: 'dutyDetail' is missing.",
        ),
    ],
)
def test_a_refusal_names_the_json_path_of_the_problem(change, message):
    data = api_file()
    change(data)
    assert message in refusal(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: p["methods"][0].update(sessions="two"),
            "assessmentPlan.methods[0]: 'sessions' must be a whole number, not 'two'.",
        ),
        (
            lambda p: p["methods"][0]["themes"].append(""),
            "assessmentPlan.methods[0].themes[2]: this must not be empty.",
        ),
        (
            lambda p: p["methods"][0]["remoteSessions"].append("1"),
            "assessmentPlan.methods[0].remoteSessions[1]: this must be a whole number.",
        ),
        (
            lambda p: p["methods"][0].update(remoteSessions=[3]),
            "assessmentPlan.methods[0]: 'remoteSessions' must list session numbers from 1 to 2.",
        ),
        (
            lambda p: p["methods"][1].update(code="AM1"),
            "assessmentPlan.methods[1]: 'code' is 'AM1', a method code that is used twice.",
        ),
        (
            lambda p: p["methods"][1].update(mappedKsbs=["nowhere"]),
            "assessmentPlan.methods[1]: 'mappedKsbs' names 'nowhere', which is not in this file.",
        ),
        (
            lambda p: p["gradeTable"][2].update(grades="pass"),
            "assessmentPlan.gradeTable[2]: 'grades' must be an object.",
        ),
        (
            lambda p: p["gradeTable"][3]["grades"].update(AM2="merit"),
            "assessmentPlan.gradeTable[3]: 'grades' gives 'merit' for AM2, which is not one of "
            "its grades.",
        ),
        (
            lambda p: p["gradeTable"].append(copy.deepcopy(p["gradeTable"][0])),
            "assessmentPlan.gradeTable[4]: this repeats a combination of grades listed before.",
        ),
        (
            lambda p: p["gatewayRequirements"][0].update(text="  "),
            "assessmentPlan.gatewayRequirements[0]: 'text' is missing.",
        ),
        (
            lambda p: p.update(facts={"gradeTable": 3}),
            "assessmentPlan.facts: 'gradeTable' must be a provenance label or an object",
        ),
        (lambda p: p.pop("methods"), "assessmentPlan: 'methods' must list at least one"),
    ],
)
def test_a_refusal_in_the_assessment_plan_names_the_json_path(change, message):
    data = plan_file()
    change(data["assessmentPlan"])
    assert message in refusal(data)


def test_several_problems_are_named_together_up_to_a_limit():
    data = api_file(level="three")
    for skill in data["skills"]:
        skill["detail"] = None
    assert (
        refusal(data)
        == "'level' must be a whole number, not 'three'. skills[0]: 'detail' is missing."
    )
    data["duties"] = [{} for _ in range(6)]
    message = refusal(data)
    assert message.startswith("'level' must be a whole number")
    assert message.endswith("And 3 more problems like these.")


def test_a_file_that_is_not_one_object_is_refused_plainly():
    assert refusal([api_file()]) == "The file must hold one JSON object: one standard version."


def test_older_field_names_and_loose_values_are_still_read():
    data = api_file(
        proposedTypicalDuration=None,
        typicalDuration="24",
        proposedMaxFunding="",
        maxFunding=9000,
        level=" 3 ",
        typicalJobTitles="Peer worker | Peer support worker|",
    )
    data["duties"][0].pop("dutyId")
    data["duties"][0]["dutyID"] = GUIDS[4]
    parsed = parsing.parse_standard(data)
    assert parsed.fields["typical_duration_months"] == 24
    assert parsed.fields["max_funding"] == 9000
    assert parsed.fields["level"] == 3
    assert parsed.fields["typical_job_titles"] == ["Peer worker", "Peer support worker"]
    assert parsed.duties[0]["external_id"] == GUIDS[4]
    assert parsed.reference == "ST0999"


def test_labels_in_the_file_are_kept_and_gaps_take_the_section_label():
    data = plan_file()
    data["provenance"] = {
        "title": "seed",
        "skills": {"provenance": "secondary", "codeProvenance": "inferred", "source": "A book"},
    }
    parsed = parsing.parse_standard(data)
    assert parsed.facts["title"] == {"provenance": Provenance.SEED}
    # A labelled file gives no API source to what it leaves unlabelled.
    assert parsed.facts["level"] == {"provenance": Provenance.VERIFIED}
    skill = next(k for k in parsed.ksbs if k["kind"] == "skill")
    assert (skill["provenance"], skill["code_provenance"], skill["source"]) == (
        Provenance.SECONDARY,
        Provenance.INFERRED,
        "A book",
    )
    assert parsed.plan["methods"][0]["ksbs"] == [("skill", 1)]
    assert parsed.plan["methods"][1]["sessions"] == 1
