"""Importing a file again for a version already loaded never re-points records.

The personas' apprenticeship is on the project's ST0896 v1.0 file, with records made
against its statements: accepted evidence on D1 and S1 with a sign-off of D1, a draft on
S17 and an assessor's note on S3. Each case goes through the command and the page.
"""

import io
import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from apprenticeship.models import Role
from audit.models import AuditEvent
from epa.services import snapshot
from portfolio.evidence import selectors as evidence_selectors
from portfolio.evidence.forms import EvidenceForm
from standards import selectors
from standards.models import KSB, Provenance
from standards.services import imports
from tests import factories
from tests.standards import records
from tests.standards.records import database_rows

S1_TEXT = "Develop and maintain mutual and reciprocal peer relationships"
S2_TEXT = "Mutually establish the purpose and boundaries within the peer relationship"
NEW_S3_TEXT = "Work with the person to agree what they want from peer support"
IMPORT_URL = "standards:standard-import"


@pytest.fixture
def loaded(personas, st0896):
    apprenticeship = personas["apprenticeship"]
    tutor = personas["tutor"]
    d1 = records.duty(st0896, 1)
    accepted = records.evidence(
        apprenticeship, duties=[d1], ksbs=[records.ksb(st0896, "S1")], tutor=tutor
    )
    records.sign_off(apprenticeship, d1, accepted, tutor)
    draft = records.evidence(apprenticeship, ksbs=[records.ksb(st0896, "S17")])
    note = records.ksb_note(apprenticeship, records.ksb(st0896, "S3"))
    return SimpleNamespace(
        version=st0896, apprenticeship=apprenticeship, accepted=accepted, draft=draft, note=note
    )


def changed_file(version, change) -> dict:
    data = selectors.export_standard(standard_version=version)
    change(data)
    return data


def swap_first_two_skills(data):
    data["skills"][0], data["skills"][1] = data["skills"][1], data["skills"][0]


def remove_last_skill(data):
    data["skills"].pop()


def reword_third_skill(data):
    data["skills"][2]["detail"] = NEW_S3_TEXT


def add_official_knowledge_and_behaviours(data):
    data["knowledges"] = [
        {"knowledgeId": "k-1", "detail": "The principles of peer support."},
        {"knowledgeId": "k-2", "detail": "Safeguarding duties and how to raise a concern."},
    ]
    data["behaviours"] = [{"behaviourId": "b-1", "detail": "Acts with honesty and humility."}]
    data["duties"][0]["mappedKnowledge"] = ["k-1"]
    official = {"provenance": Provenance.VERIFIED, "source": "Skills England standards API"}
    for section in ("knowledges", "behaviours", "dutyKsbMap"):
        data["provenance"][section] = official


def run_command(tmp_path, data, *options) -> str:
    path = tmp_path / "standard.json"
    path.write_text(json.dumps(data))
    out = io.StringIO()
    call_command("import_standard", str(path), *options, stdout=out)
    return out.getvalue()


def refused_command(tmp_path, data, *options) -> tuple[str, str]:
    """The command's output and its refusal, after checking the database is unchanged."""
    before = database_rows()
    path = tmp_path / "standard.json"
    path.write_text(json.dumps(data))
    out = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import_standard", str(path), *options, stdout=out)
    assert database_rows() == before
    return out.getvalue(), str(refusal.value)


def mapped(item) -> list[tuple[str, str, bool]]:
    item.refresh_from_db()
    return [(k.code, k.text, k.is_retired) for k in item.ksbs.all()]


def frozen(item) -> list[tuple[str, str, bool]]:
    item.refresh_from_db()
    return [(k.code, k.text, k.is_retired) for k in item.accepted_version.ksbs.all()]


def last_import() -> AuditEvent:
    return AuditEvent.objects.filter(action="standard.imported").order_by("-pk").first()


# -- the swap ----------------------------------------------------------------------------


def test_the_command_refuses_a_swap_with_the_differences_and_changes_nothing(tmp_path, loaded):
    out, refusal = refused_command(tmp_path, changed_file(loaded.version, swap_first_two_skills))
    assert "Changed S1:" in out and "Changed S2:" in out
    assert f"was: {S1_TEXT}" in out and f"now: {S2_TEXT}" in out
    assert "records that refer to it: evidence items: 1; accepted evidence versions: 1" in out
    assert "the old text is S2 in the file" in out
    assert refusal.startswith("Nothing was imported.")
    assert "--keep-retired" in refusal and "--remap" in refusal


def test_the_command_moves_swapped_records_to_where_their_text_went(tmp_path, loaded):
    out = run_command(
        tmp_path, changed_file(loaded.version, swap_first_two_skills), "--remap", "S1=S2,S2=S1"
    )
    assert "S1: moved to S2 (evidence items: 1; accepted evidence versions: 1)." in out
    assert mapped(loaded.accepted) == [("S2", S1_TEXT, False)]
    assert frozen(loaded.accepted) == [("S2", S1_TEXT, False)]
    assert not KSB.objects.retired().exists()
    assert last_import().after["outcomes"]["S1"].startswith("moved to S2")


def test_the_command_keeps_swapped_records_on_the_old_statement_as_retired(tmp_path, loaded):
    run_command(tmp_path, changed_file(loaded.version, swap_first_two_skills), "--keep-retired")
    assert mapped(loaded.accepted) == [("S1", S1_TEXT, True)]
    assert frozen(loaded.accepted) == [("S1", S1_TEXT, True)]
    assert records.ksb(loaded.version, "S1").text == S2_TEXT
    # S2 had no records, so it was simply replaced.
    assert list(KSB.objects.retired().values_list("code", flat=True)) == ["S1"]
    assert last_import().after["outcomes"] == {"S1": "kept as retired", "S2": "replaced"}


def test_the_page_shows_a_swap_and_changes_nothing_until_the_choice(client, site_operator, loaded):
    client.force_login(site_operator)
    before = database_rows()
    response = upload(client, changed_file(loaded.version, swap_first_two_skills))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing has been imported yet." in page
    assert S1_TEXT in page and "evidence items: 1" in page
    assert "This text is <strong>S2</strong> in the file." in page
    assert database_rows() == before


def test_the_page_moves_swapped_records_as_suggested(client, site_operator, loaded):
    client.force_login(site_operator)
    form = upload(client, changed_file(loaded.version, swap_first_two_skills)).context["form"]
    choices = initial_values(form)
    assert (choices["choice_S1"], choices["choice_S2"]) == ("S2", "S1")
    response = client.post(reverse(IMPORT_URL), choices)
    assert response.status_code == 302
    assert mapped(loaded.accepted) == [("S2", S1_TEXT, False)]
    assert last_import().actor == site_operator


def test_the_page_keeps_swapped_records_on_the_retired_statement(client, site_operator, loaded):
    client.force_login(site_operator)
    form = upload(client, changed_file(loaded.version, swap_first_two_skills)).context["form"]
    choices = {**initial_values(form), "choice_S1": "retire", "choice_S2": "retire"}
    assert client.post(reverse(IMPORT_URL), choices).status_code == 302
    assert mapped(loaded.accepted) == [("S1", S1_TEXT, True)]


# -- a removed code with mappings ----------------------------------------------------------


def test_the_command_refuses_to_remove_a_code_that_has_records(tmp_path, loaded):
    out, refusal = refused_command(tmp_path, changed_file(loaded.version, remove_last_skill))
    assert "Removed S17:" in out
    assert "records that refer to it: evidence items: 1" in out
    assert "S17" in refusal


def test_a_removed_code_kept_as_retired_stays_on_its_record_and_out_of_coverage(tmp_path, loaded):
    run_command(tmp_path, changed_file(loaded.version, remove_last_skill), "--keep-retired")
    assert [(code, retired) for code, _text, retired in mapped(loaded.draft)] == [("S17", True)]
    assert not KSB.objects.current().filter(code="S17").exists()
    apprenticeship = loaded.apprenticeship
    apprenticeship.viewer_roles = frozenset({Role.APPRENTICE})
    coverage = evidence_selectors.coverage(apprenticeship)
    assert [row.code for row in coverage.retired] == ["S17 (retired statement)"]
    assert "S17" not in [row.code for row in coverage.missing]
    # Not offered for new mappings; kept on the draft that already names it.
    new_form = EvidenceForm(apprenticeship=apprenticeship)
    draft_form = EvidenceForm(apprenticeship=apprenticeship, evidence=loaded.draft)
    assert "S17" not in [k.code for k in new_form.fields["ksbs"].queryset]
    assert "S17" in [k.code for k in draft_form.fields["ksbs"].queryset]


def test_the_page_keeps_a_removed_code_as_retired(client, site_operator, loaded):
    client.force_login(site_operator)
    response = upload(client, changed_file(loaded.version, remove_last_skill))
    assert "No longer in the file (1)" in response.content.decode()
    choices = initial_values(response.context["form"])
    assert choices["choice_S17"] == "retire"
    assert client.post(reverse(IMPORT_URL), choices).status_code == 302
    assert [retired for _code, _text, retired in mapped(loaded.draft)] == [True]


# -- a changed text ------------------------------------------------------------------------


def test_the_command_refuses_a_changed_text_and_counts_the_assessors_note(tmp_path, loaded):
    out, _refusal = refused_command(tmp_path, changed_file(loaded.version, reword_third_skill))
    assert "Changed S3:" in out and f"now: {NEW_S3_TEXT}" in out
    assert "records that refer to it: assessor's notes: 1" in out


def test_the_command_moves_a_changed_texts_records_when_told_to(tmp_path, loaded):
    run_command(tmp_path, changed_file(loaded.version, reword_third_skill), "--remap", "S3=S3")
    loaded.note.refresh_from_db()
    assert (loaded.note.ksb.code, loaded.note.ksb.text) == ("S3", NEW_S3_TEXT)
    assert not loaded.note.ksb.is_retired
    assert not KSB.objects.retired().exists()


def test_the_page_keeps_a_changed_texts_note_on_the_old_text(client, site_operator, loaded):
    client.force_login(site_operator)
    response = upload(client, changed_file(loaded.version, reword_third_skill))
    assert "assessor&#x27;s notes: 1" in response.content.decode()
    choices = initial_values(response.context["form"])
    assert choices["choice_S3"] == "retire"
    assert client.post(reverse(IMPORT_URL), choices).status_code == 302
    loaded.note.refresh_from_db()
    assert loaded.note.ksb.is_retired and loaded.note.ksb.text != NEW_S3_TEXT
    assert records.ksb(loaded.version, "S3").text == NEW_S3_TEXT


# -- the official knowledge and behaviour lists ----------------------------------------------


def test_the_command_adds_the_official_k_and_b_lists_without_a_question(tmp_path, loaded):
    before = list(loaded.accepted.ksbs.values_list("pk", flat=True))
    out = run_command(tmp_path, changed_file(loaded.version, add_official_knowledge_and_behaviours))
    assert "Added: K1, K2, B1." in out
    assert list(loaded.accepted.ksbs.values_list("pk", flat=True)) == before
    assert list(records.duty(loaded.version, 1).ksbs.values_list("code", flat=True)) == ["K1"]
    loaded.version.refresh_from_db()
    assert loaded.version.fact_provenance("knowledges") == Provenance.VERIFIED
    assert last_import().after["statements"]["added"] == ["K1", "K2", "B1"]


def test_the_page_adds_the_official_k_and_b_lists_without_a_question(client, site_operator, loaded):
    client.force_login(site_operator)
    response = upload(client, changed_file(loaded.version, add_official_knowledge_and_behaviours))
    assert response.status_code == 302
    assert KSB.objects.current().filter(kind=KSB.Kind.KNOWLEDGE).count() == 2
    follow = client.get(response["Location"]).content.decode()
    assert "Added K1, K2, B1." in follow


# -- choices that make no sense, stale pages, who may ----------------------------------------


@pytest.mark.parametrize(
    ("remap", "message"),
    [
        ("S1=S99", "S1 cannot move to S99: choose a KSB code that is in the file."),
        ("S1=D1,S2=S1", "S1 cannot move to D1"),
        ("S5=S6,S1=S2,S2=S1", "S5 is not changed or removed by this file"),
        ("S1", "--remap takes pairs like S3=S5"),
    ],
)
def test_a_choice_that_makes_no_sense_is_refused_and_changes_nothing(
    tmp_path, loaded, remap, message
):
    data = changed_file(loaded.version, swap_first_two_skills)
    _out, refusal = refused_command(tmp_path, data, "--remap", remap)
    assert message in refusal


def test_a_move_onto_a_statement_already_noted_is_refused_and_changes_nothing(tmp_path, loaded):
    # The same assessment already has a note on S4: the notes of S3 cannot join it.
    factories.KsbNoteFactory(
        method_assessment=loaded.note.method_assessment, ksb=records.ksb(loaded.version, "S4")
    )
    data = changed_file(loaded.version, reword_third_skill)
    _out, refusal = refused_command(tmp_path, data, "--remap", "S3=S4")
    assert "The records of S3 cannot move to S4" in refusal
    assert "Keep S3 as retired instead." in refusal


def test_a_dry_run_shows_the_differences_and_changes_nothing(tmp_path, loaded):
    before = database_rows()
    out = run_command(tmp_path, changed_file(loaded.version, reword_third_skill), "--dry-run")
    assert "Changed S3:" in out and "Dry run: nothing was changed." in out
    assert database_rows() == before


def test_a_choice_made_on_differences_that_have_since_changed_is_not_applied(
    client, site_operator, loaded
):
    client.force_login(site_operator)
    form = upload(client, changed_file(loaded.version, swap_first_two_skills)).context["form"]
    choices = initial_values(form)
    # Meanwhile someone imports a file that rewords S3.
    imports.import_standard(
        data=changed_file(loaded.version, reword_third_skill), keep_retired=True
    )
    before = database_rows()
    response = client.post(reverse(IMPORT_URL), choices)
    assert response.status_code == 200
    assert "changed since the differences were shown" in response.content.decode()
    assert database_rows() == before


def test_a_damaged_comparison_imports_nothing(client, site_operator, loaded):
    client.force_login(site_operator)
    before = database_rows()
    response = client.post(reverse(IMPORT_URL), {"pending": "tampered", "plan": "x"})
    assert response.status_code == 302
    assert database_rows() == before


def test_a_provider_admin_cannot_apply_a_choice(client, personas, site_operator, loaded):
    client.force_login(site_operator)
    form = upload(client, changed_file(loaded.version, swap_first_two_skills)).context["form"]
    choices = initial_values(form)
    client.force_login(personas["admin"])
    before = database_rows()
    assert client.post(reverse(IMPORT_URL), choices).status_code == 403
    assert database_rows() == before


# -- retired statements on the records that used them ---------------------------------------


def test_a_retired_statement_still_shows_on_the_records_that_used_it(client, loaded, personas):
    imports.import_standard(
        data=changed_file(loaded.version, swap_first_two_skills), keep_retired=True
    )
    client.force_login(personas["apprentice"])
    detail = client.get(reverse("portfolio:evidence-detail", args=[loaded.accepted.pk]))
    assert "S1 (retired statement)" in detail.content.decode()
    assert S1_TEXT in detail.content.decode()
    version = client.get(loaded.accepted.accepted_version.get_absolute_url())
    assert "S1 (retired statement)" in version.content.decode()
    standard_page = client.get(loaded.version.get_absolute_url()).content.decode()
    assert "Retired statements" in standard_page and S1_TEXT in standard_page
    # The frozen portfolio and the PDF read the same data.
    data = snapshot.build(
        apprenticeship=loaded.apprenticeship, checklist=[], taken_at=loaded.accepted.created_at
    )
    [item] = [e for e in data["evidence"] if e["id"] == loaded.accepted.pk]
    assert item["ksbs"] == ["S1 (retired statement)"]
    retired = {"code": "S1 (retired statement)", "kind": "skill", "text": S1_TEXT, "retired": True}
    assert retired in data["ksbs"]
    # Export writes the standard as it is now, without retired statements.
    exported = selectors.export_standard(standard_version=loaded.version)
    assert exported["skills"][0]["detail"] == S2_TEXT
    assert len(exported["skills"]) == 17


def test_a_retired_duty_keeps_its_sign_off_and_is_no_longer_needed(tmp_path, loaded):
    def reword_first_duty(data):
        data["duties"][0]["dutyDetail"] = "Build trusting relationships with people."

    out, _refusal = refused_command(tmp_path, changed_file(loaded.version, reword_first_duty))
    assert "Changed D1:" in out
    assert "evidence items: 1; accepted evidence versions: 1; sign-offs: 1" in out
    run_command(tmp_path, changed_file(loaded.version, reword_first_duty), "--keep-retired")
    apprenticeship = loaded.apprenticeship
    apprenticeship.viewer_roles = frozenset({Role.TUTOR})
    summary = evidence_selectors.evidence_summary(apprenticeship)
    assert (summary.duties_signed_off, summary.duties_total) == (0, 10)
    coverage = evidence_selectors.coverage(apprenticeship)
    assert [row.code for row in coverage.retired] == ["D1 (retired statement)"]
    assert coverage.retired[0].sign_off is not None


# -- helpers -------------------------------------------------------------------------------


def upload(client, data):
    upload = SimpleUploadedFile("st.json", json.dumps(data).encode(), "application/json")
    return client.post(reverse(IMPORT_URL), {"file": upload})


def initial_values(form) -> dict[str, str]:
    """What the page posts when the operator accepts what it shows."""
    return {name: form[name].value() for name in form.fields}
