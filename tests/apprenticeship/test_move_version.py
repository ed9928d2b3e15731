"""A new version of a standard is a new version: apprenticeships stay on theirs until the
provider admin moves one, saying where each duty and KSB its records refer to goes."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from apprenticeship import services, versions
from apprenticeship.models import Apprenticeship
from audit.models import AuditEvent
from portfolio.training.models import OtjEntry
from standards import selectors
from standards.services import imports
from tests import factories
from tests.standards import records
from tests.standards.records import database_rows

REWORDED_S2 = "Agree with the person the purpose and limits of the peer relationship"


@pytest.fixture
def two_versions(personas, st0896):
    """Records on ST0896 v1.0 for the personas' apprentice and for another, then v1.1
    imported beside it with S2 reworded."""
    apprenticeship = personas["apprenticeship"]
    tutor = personas["tutor"]
    d1, d2 = records.duty(st0896, 1), records.duty(st0896, 2)
    s1, s2 = records.ksb(st0896, "S1"), records.ksb(st0896, "S2")
    accepted = records.evidence(apprenticeship, duties=[d1], ksbs=[s1, s2], tutor=tutor)
    sign_off = records.sign_off(apprenticeship, d1, accepted, tutor)
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship, duty=d2)
    others = records.evidence(personas["other_apprenticeship"], ksbs=[s1])
    data = selectors.export_standard(standard_version=st0896)
    data["version"] = "1.1"
    data["skills"][1]["detail"] = REWORDED_S2
    new = imports.import_standard(data=data).standard_version
    return SimpleNamespace(
        old=st0896,
        new=new,
        apprenticeship=apprenticeship,
        accepted=accepted,
        sign_off=sign_off,
        entry=entry,
        others=others,
    )


def move_url(apprenticeship, to=None) -> str:
    url = reverse("apprenticeship:apprenticeship-move-version", args=[apprenticeship.pk])
    return f"{url}?to={to.pk}" if to else url


def test_importing_a_new_version_leaves_apprenticeships_on_theirs(two_versions):
    two_versions.apprenticeship.refresh_from_db()
    assert two_versions.apprenticeship.standard_version == two_versions.old
    assert two_versions.new.version == "1.1"
    assert records.ksb(two_versions.old, "S2").text != REWORDED_S2


def test_the_admin_sees_each_statement_with_records_set_to_the_same_code(
    client, personas, two_versions
):
    client.force_login(personas["admin"])
    choose = client.get(move_url(two_versions.apprenticeship)).content.decode()
    assert "Version 1.1" in choose
    response = client.get(move_url(two_versions.apprenticeship, two_versions.new))
    form = response.context["form"]
    new = two_versions.new
    s1, s2 = records.ksb(two_versions.old, "S1"), records.ksb(two_versions.old, "S2")
    assert form[f"ksb_{s1.pk}"].value() == records.ksb(new, "S1").pk
    assert form[f"ksb_{s2.pk}"].value() == records.ksb(new, "S2").pk
    d2 = records.duty(two_versions.old, 2)
    assert "off-the-job entries: 1" in form.fields[f"duty_{d2.pk}"].help_text
    page = response.content.decode()
    assert "evidence items: 1; accepted evidence versions: 1" in page


def test_moving_takes_this_apprenticeships_records_along_and_no_one_elses(
    client, personas, two_versions
):
    client.force_login(personas["admin"])
    url = move_url(two_versions.apprenticeship, two_versions.new)
    form = client.get(url).context["form"]
    response = client.post(url, {name: form[name].value() for name in form.fields})
    assert response.status_code == 302
    new, old = two_versions.new, two_versions.old
    apprenticeship = Apprenticeship.objects.get(pk=two_versions.apprenticeship.pk)
    assert apprenticeship.standard_version == new
    accepted = two_versions.accepted
    assert {k.standard_version_id for k in accepted.ksbs.all()} == {new.pk}
    assert [k.text for k in accepted.ksbs.order_by("number")][1] == REWORDED_S2
    accepted.refresh_from_db()
    assert [d.standard_version_id for d in accepted.accepted_version.duties.all()] == [new.pk]
    two_versions.sign_off.refresh_from_db()
    assert two_versions.sign_off.duty == records.duty(new, 1)
    assert OtjEntry.objects.get(pk=two_versions.entry.pk).duty == records.duty(new, 2)
    # The other provider's apprentice stays on version 1.0 with everything they mapped.
    assert list(two_versions.others.ksbs.all()) == [records.ksb(old, "S1")]
    event = AuditEvent.objects.get(action="apprenticeship.standard_version_moved")
    assert event.apprenticeship_id == apprenticeship.pk and event.actor == personas["admin"]
    assert event.after["mapping"] == {"D1": "D1", "D2": "D2", "S1": "S1", "S2": "S2"}
    assert event.after["moved"]["D1"] == {
        "evidence items": 1,
        "accepted evidence versions": 1,
        "sign-offs": 1,
    }


def test_mapping_two_statements_onto_one_merges_the_evidence_mapping(two_versions, personas):
    old, new = two_versions.old, two_versions.new
    mapping = {
        ("duty", records.duty(old, 1).pk): records.duty(new, 1).pk,
        ("duty", records.duty(old, 2).pk): records.duty(new, 2).pk,
        ("ksb", records.ksb(old, "S1").pk): records.ksb(new, "S1").pk,
        ("ksb", records.ksb(old, "S2").pk): records.ksb(new, "S1").pk,
    }
    versions.move_to_standard_version(
        apprenticeship=two_versions.apprenticeship,
        to_version=new,
        mapping=mapping,
        by=personas["admin"],
    )
    assert list(two_versions.accepted.ksbs.all()) == [records.ksb(new, "S1")]


def test_a_statement_left_without_a_destination_is_refused_and_nothing_changes(
    client, personas, two_versions
):
    client.force_login(personas["admin"])
    url = move_url(two_versions.apprenticeship, two_versions.new)
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data[f"ksb_{records.ksb(two_versions.old, 'S2').pk}"] = ""
    before = database_rows()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose where these records go." in response.content.decode()
    assert database_rows() == before


def test_two_sign_offs_cannot_land_on_one_duty(two_versions, personas):
    apprenticeship = two_versions.apprenticeship
    old, new = two_versions.old, two_versions.new
    second = records.evidence(
        apprenticeship, duties=[records.duty(old, 2)], tutor=personas["tutor"]
    )
    records.sign_off(apprenticeship, records.duty(old, 2), second, personas["tutor"])
    mapping = {
        ("duty", records.duty(old, 1).pk): records.duty(new, 1).pk,
        ("duty", records.duty(old, 2).pk): records.duty(new, 1).pk,
        ("ksb", records.ksb(old, "S1").pk): records.ksb(new, "S1").pk,
        ("ksb", records.ksb(old, "S2").pk): records.ksb(new, "S2").pk,
    }
    before = database_rows()
    with pytest.raises(services.EnrolmentError, match="sign-offs already refer to both"):
        versions.move_to_standard_version(
            apprenticeship=apprenticeship, to_version=new, mapping=mapping, by=personas["admin"]
        )
    assert database_rows() == before


def test_an_apprenticeship_past_gateway_stays_on_its_version(
    client, personas, two_versions, post_gateway
):
    client.force_login(personas["admin"])
    url = move_url(two_versions.apprenticeship, two_versions.new)
    form = client.get(url).context["form"]
    before = database_rows()
    response = client.post(url, {name: form[name].value() for name in form.fields})
    assert "Only an apprenticeship in training can move" in response.content.decode()
    assert database_rows() == before


def test_with_no_other_version_the_page_says_so(client, personas, st0896):
    client.force_login(personas["admin"])
    page = client.get(move_url(personas["apprenticeship"])).content.decode()
    assert "No other version of ST0896 is loaded." in page


def test_the_tutor_may_not_move_an_apprenticeship(client, personas, two_versions):
    client.force_login(personas["tutor"])
    url = move_url(two_versions.apprenticeship, two_versions.new)
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
