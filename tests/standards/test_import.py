"""The standards importer: API-shaped JSON in, all or nothing, idempotent, round-trips."""

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from standards import parsing, selectors
from standards.errors import StandardImportError
from standards.models import KSB, AssessmentPlan, Duty, Provenance, StandardVersion
from standards.services import imports

GUIDS = [f"00000000-0000-0000-0000-{n:012d}" for n in range(1, 20)]


def api_file(**overrides) -> dict:
    """A standard as the Skills England API serves it: no provenance, GUID ids."""
    data = {
        "referenceNumber": "ST0999",
        "title": "Example worker",
        "level": 3,
        "version": "1.1",
        "status": "Approved for delivery",
        "larsCode": "999",
        "route": "Health and science",
        "proposedTypicalDuration": 18,
        "proposedMaxFunding": 7000,
        "approvedForDelivery": "2023-01-05T00:00:00",
        "typicalJobTitles": ["Example worker", "Example lead"],
        "knowledges": [
            {"knowledgeId": GUIDS[0], "detail": "Know the first thing."},
            {"knowledgeId": GUIDS[1], "detail": "Know the second thing."},
        ],
        "skills": [{"skillId": GUIDS[2], "detail": "Do the first thing."}],
        "behaviours": [{"behaviourId": GUIDS[3], "detail": "Be kind."}],
        "duties": [
            {
                "dutyId": GUIDS[4],
                "dutyDetail": "Do the job well.",
                "isThisACoreDuty": 1,
                "mappedKnowledge": [GUIDS[0], GUIDS[1]],
                "mappedSkills": [GUIDS[2]],
                "mappedBehaviour": [GUIDS[3]],
            },
            {
                "dutyID": GUIDS[5],
                "dutyDetail": "Keep records.",
                "isThisACoreDuty": 0,
                "mappedKnowledge": [GUIDS[1]],
                "mappedSkills": [],
                "mappedBehaviour": [],
            },
        ],
        "someFieldWeDoNotKnow": {"nested": [1, 2, 3]},
        "eQAProvider": {"providerName": "Ofqual"},
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_api_file_is_imported_with_codes_in_list_order_and_duty_map():
    result = imports.import_standard(data=api_file())
    version = result.standard_version
    assert result.created
    assert (version.reference, version.version, version.title) == (
        "ST0999",
        "1.1",
        "Example worker",
    )
    assert version.typical_duration_months == 18
    assert version.max_funding == 7000
    assert version.approved_for_delivery.isoformat() == "2023-01-05"
    codes = list(version.ksbs.order_by("kind", "number").values_list("code", "text"))
    assert ("K1", "Know the first thing.") in codes
    assert ("K2", "Know the second thing.") in codes
    assert ("S1", "Do the first thing.") in codes
    assert ("B1", "Be kind.") in codes
    first, second = version.duties.order_by("number")
    assert sorted(first.ksbs.values_list("code", flat=True)) == ["B1", "K1", "K2", "S1"]
    assert list(second.ksbs.values_list("code", flat=True)) == ["K2"]
    assert first.is_core is True and second.is_core is False
    # An official API file is labelled as verified, from the API.
    assert version.fact("title") == {
        "provenance": Provenance.VERIFIED,
        "source": parsing.API_SOURCE,
    }
    assert version.fact_provenance("duty_ksb_map") == Provenance.VERIFIED
    # Facts the file does not carry are "not loaded yet".
    assert version.fact_provenance("otj_minimum_hours") == Provenance.NOT_LOADED
    assert not AssessmentPlan.objects.filter(standard_version=version).exists()


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing():
    imports.import_standard(data=api_file())
    before = selectors.export_standard(standard_version=StandardVersion.objects.get())
    ids = sorted(KSB.objects.values_list("pk", flat=True))
    result = imports.import_standard(data=api_file())
    assert not result.created
    assert StandardVersion.objects.count() == 1
    assert sorted(KSB.objects.values_list("pk", flat=True)) == ids
    assert selectors.export_standard(standard_version=result.standard_version) == before


@pytest.mark.django_db
def test_a_new_version_is_a_separate_row():
    imports.import_standard(data=api_file())
    imports.import_standard(data=api_file(version="1.2", title="Example worker (revised)"))
    assert list(StandardVersion.objects.values_list("version", flat=True)) == ["1.1", "1.2"]


@pytest.mark.django_db
def test_export_then_import_round_trips_including_the_assessment_plan(st0896):
    exported = selectors.export_standard(standard_version=st0896)
    StandardVersion.objects.all().delete()
    imports.import_standard(data=copy.deepcopy(exported))
    again = selectors.export_standard(standard_version=StandardVersion.objects.get())
    assert again == exported


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("referenceNumber"), "'referenceNumber' is missing"),
        (lambda d: d.pop("title"), "'title' is missing"),
        (lambda d: d.pop("duties"), "'duties' is missing"),
        (lambda d: d.update(level="three"), "'level' must be a whole number"),
        (lambda d: d["duties"][1].pop("dutyDetail"), "duties[1]: 'dutyDetail' is missing"),
        (lambda d: d["skills"][0].pop("detail"), "skills[0]: 'detail' is missing"),
        (lambda d: d.update(knowledges="not a list"), "'knowledges' must be a list"),
        (
            lambda d: d["duties"][0]["mappedSkills"].append("no-such-id"),
            "duties[0]: 'mappedSkills' names 'no-such-id'",
        ),
        (
            lambda d: d["behaviours"].append(
                {"behaviourId": d["skills"][0]["skillId"], "detail": "x"}
            ),
            "is used twice",
        ),
        (lambda d: d.update(approvedForDelivery="soon"), "'approvedForDelivery' must be a date"),
    ],
)
@pytest.mark.django_db
def test_a_malformed_file_names_the_problem_and_changes_nothing(st0896, change, message):
    before = selectors.export_standard(standard_version=st0896)
    data = selectors.export_standard(standard_version=st0896)
    data["title"] = "Changed title that must not be saved"
    change(data)
    with pytest.raises(StandardImportError) as excinfo:
        imports.import_standard(data=data)
    assert message in str(excinfo.value)
    assert selectors.export_standard(standard_version=StandardVersion.objects.get()) == before


@pytest.mark.django_db
def test_an_incomplete_grade_table_is_refused(st0896):
    data = selectors.export_standard(standard_version=st0896)
    data["assessmentPlan"]["gradeTable"].pop()
    with pytest.raises(StandardImportError, match="covers 5 of the 6 combinations"):
        imports.import_standard(data=data)


@pytest.mark.django_db
def test_a_failure_late_in_the_import_rolls_back_everything_done_before_it(st0896):
    """Duties and KSBs are written before the plan; a bad plan must undo them too."""
    data = selectors.export_standard(standard_version=st0896)
    data["skills"].append({"skillId": "new-skill", "detail": "A new skill"})
    data["assessmentPlan"]["methods"][0]["mappedKsbs"] = ["missing-id"]
    with pytest.raises(StandardImportError):
        imports.import_standard(data=data)
    assert st0896.ksbs.count() == 17


@pytest.mark.django_db
def test_unknown_fields_are_ignored():
    data = api_file(anotherUnknown=[{"deep": True}], overviewOfRole="Does things.")
    data["duties"][0]["criteriaForMeasuringPerformance"] = "Ignored"
    version = imports.import_standard(data=data).standard_version
    assert version.overview == "Does things."


@pytest.mark.django_db
def test_the_st0896_fixture_loads_only_what_the_reference_supports(st0896):
    assert st0896.duties.count() == 10
    assert st0896.ksbs.filter(kind=KSB.Kind.SKILL).count() == 17
    assert not st0896.ksbs.exclude(kind=KSB.Kind.SKILL).exists()
    assert set(st0896.ksbs.values_list("code_provenance", flat=True)) == {Provenance.INFERRED}
    assert st0896.fact_provenance("knowledges") == Provenance.NOT_LOADED
    assert st0896.fact_provenance("behaviours") == Provenance.NOT_LOADED
    assert st0896.fact_provenance("duty_ksb_map") == Provenance.NOT_LOADED
    assert st0896.otj_minimum_hours is None
    assert st0896.fact_provenance("otj_minimum_hours") == Provenance.NOT_LOADED
    assert st0896.fact_provenance("lars_code") == Provenance.INFERRED
    assert set(Duty.objects.values_list("otj_weight_provenance", flat=True)) == {Provenance.SEED}
    plan = st0896.assessment_plan
    assert plan.provenance == Provenance.SECONDARY
    assert plan.fact("gradeTable")["provenance"] == Provenance.INFERRED
    assert [m.code for m in plan.methods.all()] == ["AM1", "AM2"]
    assert len(plan.methods.get(code="AM2").themes) == 4


# -- commands --------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_command_reports_what_it_loaded(tmp_path):
    path = tmp_path / "st.json"
    path.write_text(json.dumps(api_file()))
    out = io.StringIO()
    call_command("import_standard", str(path), stdout=out)
    assert "Created ST0999 Example worker v1.1: 2 duties, 2 knowledge, 1 skills" in out.getvalue()


@pytest.mark.django_db
def test_import_command_with_a_broken_file_fails_clearly_and_changes_nothing(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"referenceNumber": "ST0999", ')
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("import_standard", str(path))
    assert not StandardVersion.objects.exists()


@pytest.mark.django_db
def test_import_command_if_missing_leaves_an_existing_version_alone(tmp_path, st0896):
    st0896.title = "Edited here"
    st0896.save()
    path = tmp_path / "st.json"
    path.write_text(json.dumps(selectors.export_standard(standard_version=st0896)))
    out = io.StringIO()
    call_command("import_standard", str(path), "--if-missing", stdout=out)
    assert "already loaded" in out.getvalue()


@pytest.mark.django_db
def test_export_command_writes_json_that_imports_back(st0896, tmp_path):
    out = io.StringIO()
    call_command("export_standard", "ST0896", "--version", "1.0", stdout=out)
    data = json.loads(out.getvalue())
    assert data["referenceNumber"] == "ST0896" and len(data["duties"]) == 10
    path = tmp_path / "roundtrip.json"
    path.write_text(out.getvalue())
    call_command("import_standard", str(path), stdout=io.StringIO())
    assert selectors.export_standard(standard_version=StandardVersion.objects.get()) == data


@pytest.mark.django_db
def test_export_command_for_an_unknown_standard_fails_clearly():
    with pytest.raises(CommandError, match="No standard ST0001 is loaded"):
        call_command("export_standard", "ST0001")
