"""The provider's mapping of the standard's duties to NCCMH units: edited by the provider's
own admins, started (once, on request) from a suggestion labelled as not official, and
shown to apprentices as suggestions only when they map evidence. Nothing is mapped for
them."""

import pytest
from django.urls import reverse

from apprenticeship import crosswalk
from apprenticeship.models import CrosswalkSuggestion
from audit.actions import AuditAction
from audit.models import AuditEvent
from portfolio.evidence import frameworks
from portfolio.evidence.models import Evidence
from standards.models import FrameworkUnit
from standards.services import frameworks as framework_data
from tests import factories
from tests.helpers.evidence import make_evidence
from tests.query_counts import (
    CROSSWALK_LIST_QUERIES,
    CROSSWALK_PAGE_QUERIES,
    assert_flat_queries,
)


@pytest.fixture
def nccmh(db):
    return framework_data.import_framework(
        data=framework_data.load_framework_file(framework_data.NCCMH_FIXTURE)
    )


def _units(*codes):
    return list(FrameworkUnit.objects.filter(code__in=codes).order_by("position"))


def _duty(apprenticeship, number):
    return apprenticeship.standard_version.duties.current().get(number=number)


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_the_admin_starts_from_the_suggestion_once_and_it_is_labelled_not_official(
    client, personas, st0896, nccmh
):
    a = personas["apprenticeship"]
    url = reverse("apprenticeship:crosswalk", args=[a.provider_id, nccmh.pk, st0896.pk])
    code, page = _page(client, personas["admin"], url)
    assert code == 200
    assert "No official crosswalk exists" in page and "not official" in page
    assert "Start from the suggestion" in page
    assert not CrosswalkSuggestion.objects.exists()  # a suggestion is never used unasked
    assert client.post(url).status_code == 302
    rows = crosswalk.crosswalk_rows(provider=a.provider, framework=nccmh, standard_version=st0896)
    assert [u.code for u in rows[7].units] == ["3.1", "3.2"]  # D8: supervision
    assert all(row.units for row in rows)
    count = CrosswalkSuggestion.objects.count()
    client.post(url)  # a second start is refused and changes nothing
    assert CrosswalkSuggestion.objects.count() == count
    assert AuditEvent.objects.filter(action=AuditAction.CROSSWALK_STARTED).count() == 1
    _, page = _page(client, personas["admin"], url)
    assert "Start from the suggestion" not in page and "Provider's mapping" in page


def test_the_admin_changes_one_dutys_units_and_the_history_says_so(client, personas, nccmh):
    a = personas["apprenticeship"]
    duty = _duty(a, 1)
    url = reverse("apprenticeship:crosswalk-duty", args=[a.provider_id, nccmh.pk, duty.pk])
    client.force_login(personas["admin"])
    assert client.post(url, {"units": [u.pk for u in _units("2.2", "2.3")]}).status_code == 302
    assert client.post(url, {"units": [_units("2.3")[0].pk]}).status_code == 302
    assert list(
        CrosswalkSuggestion.objects.filter(duty=duty).values_list("unit__code", flat=True)
    ) == ["2.3"]
    event = AuditEvent.objects.filter(action=AuditAction.CROSSWALK_CHANGED).order_by("pk").last()
    assert event.before["units"] == ["2.2", "2.3"] and event.after["units"] == ["2.3"]


def test_a_unit_that_is_not_the_frameworks_is_refused_on_the_page(client, personas, nccmh):
    a = personas["apprenticeship"]
    duty = _duty(a, 1)
    url = reverse("apprenticeship:crosswalk-duty", args=[a.provider_id, nccmh.pk, duty.pk])
    client.force_login(personas["admin"])
    response = client.post(url, {"units": ["999999"]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not CrosswalkSuggestion.objects.exists()


def test_the_apprentice_sees_suggestions_for_a_duty_and_nothing_is_mapped_for_them(
    client, personas, nccmh
):
    a = personas["apprenticeship"]
    duty = _duty(a, 2)
    crosswalk.set_duty_units(
        provider=a.provider, framework=nccmh, duty=duty, units=_units("2.4"), by=personas["admin"]
    )
    evidence = make_evidence(a, duties=[duty], title="Sharing my story with care")
    edit = reverse("portfolio:evidence-edit", args=[evidence.pk])
    _, page = _page(client, personas["apprentice"], edit)
    assert "crosswalk-hint" not in page  # the framework is not on for this apprenticeship
    frameworks.set_framework(apprenticeship=a, framework=nccmh, on=True, by=personas["tutor"])
    _, page = _page(client, personas["apprentice"], edit)
    assert "crosswalk-hint" in page and "2.4" in page and "not official" in page
    units_url = reverse("portfolio:evidence-framework-units", args=[evidence.pk])
    _, page = _page(client, personas["apprentice"], units_url)
    assert "(suggested for D2)" in page and "Nothing is ticked for you" in page
    assert " checked" not in page
    assert not Evidence.objects.filter(framework_units__isnull=False).exists()


def test_another_providers_mapping_is_never_shown(client, personas, nccmh):
    a = personas["apprenticeship"]
    duty = _duty(a, 2)
    other = factories.ProviderFactory(name="Eastgate Training")
    crosswalk.set_duty_units(
        provider=other, framework=nccmh, duty=duty, units=_units("2.4"), by=personas["admin"]
    )
    frameworks.set_framework(apprenticeship=a, framework=nccmh, on=True, by=personas["tutor"])
    evidence = make_evidence(a, duties=[duty])
    url = reverse("portfolio:evidence-edit", args=[evidence.pk])
    _, page = _page(client, personas["apprentice"], url)
    assert "crosswalk-hint" not in page


def test_the_mapping_pages_keep_a_flat_query_count(client, personas, st0896, nccmh):
    a = personas["apprenticeship"]
    client.force_login(personas["admin"])
    detail = reverse("apprenticeship:crosswalk", args=[a.provider_id, nccmh.pk, st0896.pk])
    duties = list(st0896.duties.current())

    def grow():
        for duty in duties:
            crosswalk.set_duty_units(
                provider=a.provider,
                framework=nccmh,
                duty=duty,
                units=_units("1.1", "2.4", "3.2", "4.7"),
                by=personas["admin"],
            )

    crosswalk.set_duty_units(
        provider=a.provider, framework=nccmh, duty=duties[0], units=_units("1.1"), by=None
    )
    assert_flat_queries(client, detail, grow, CROSSWALK_PAGE_QUERIES)
    listing = reverse("apprenticeship:crosswalk-list", args=[a.provider_id])
    assert_flat_queries(
        client,
        listing,
        lambda: factories.ApprenticeshipFactory.create_batch(3, provider=a.provider),
        CROSSWALK_LIST_QUERIES,
    )


def test_the_mapping_never_holds_up_moving_an_apprenticeship_or_replacing_a_duty(personas, nccmh):
    from standards.services.references import count_references

    a = personas["apprenticeship"]
    duty = _duty(a, 1)
    crosswalk.set_duty_units(
        provider=a.provider, framework=nccmh, duty=duty, units=_units("2.2"), by=None
    )
    assert count_references(type(duty), [duty.pk]) == {}
    duty.delete()  # a re-import deletes a replaced duty nothing relies on
    assert not CrosswalkSuggestion.objects.exists()
