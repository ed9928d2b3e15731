"""A second framework: the tutor turns it on, the apprentice maps evidence to its units,
and the coverage page's second tab counts what each viewer may see."""

import pytest
from django.urls import reverse

from apprenticeship.access import Action, get_apprenticeship_for
from portfolio.evidence import frameworks
from portfolio.evidence.models import Evidence
from standards.models import FrameworkUnit
from standards.services import frameworks as framework_data
from tests.helpers.evidence import make_evidence
from tests.query_counts import assert_flat_queries


@pytest.fixture
def nccmh(db):
    return framework_data.import_framework(
        data=framework_data.load_framework_file(framework_data.NCCMH_FIXTURE)
    )


def _unit(code):
    return FrameworkUnit.objects.get(code=code)


def _turn_on(client, personas, nccmh):
    client.force_login(personas["tutor"])
    return client.post(
        reverse("portfolio:framework-toggle", args=[personas["apprenticeship"].pk]),
        {"framework": nccmh.pk, "on": "yes"},
    )


def test_evidence_mapped_to_a_unit_shows_on_the_second_tab(client, personas, nccmh):
    a = personas["apprenticeship"]
    assert _turn_on(client, personas, nccmh).status_code == 302
    evidence = make_evidence(a, status=Evidence.Status.SUBMITTED, title="Group supervision")
    client.force_login(personas["apprentice"])
    url = reverse("portfolio:evidence-framework-units", args=[evidence.pk])
    assert client.post(url, {"units": [_unit("3.2").pk]}).status_code == 302
    assert list(evidence.framework_units.values_list("code", flat=True)) == ["3.2"]
    page = client.get(reverse("portfolio:framework-coverage", args=[a.pk])).content.decode()
    assert "Ability to make effective use of supervision" in page
    rows = {r.unit.code: r for r in frameworks.framework_coverage(_viewer(a, personas["tutor"]))}
    assert len(rows) == 29
    assert (rows["3.2"].submitted, rows["3.2"].accepted) == (1, 0)
    assert rows["1.1"].submitted == 0


def _viewer(apprenticeship, user):
    return get_apprenticeship_for(user, apprenticeship.pk, Action.VIEW_EVIDENCE)


def test_the_employer_counts_only_evidence_shared_with_them(personas, nccmh):
    a = personas["apprenticeship"]
    frameworks.set_framework(apprenticeship=a, framework=nccmh, on=True, by=personas["tutor"])
    hidden = make_evidence(a, status=Evidence.Status.SUBMITTED, visible_to_employer=False)
    shown = make_evidence(a, status=Evidence.Status.SUBMITTED, visible_to_employer=True)
    for item in (hidden, shown):
        item.framework_units.add(_unit("2.4"))
    rows = {r.unit.code: r for r in frameworks.framework_coverage(_viewer(a, personas["employer"]))}
    assert rows["2.4"].submitted == 1
    rows = {r.unit.code: r for r in frameworks.framework_coverage(_viewer(a, personas["tutor"]))}
    assert rows["2.4"].submitted == 2


def test_units_of_a_framework_not_turned_on_are_refused(personas, nccmh):
    evidence = make_evidence(personas["apprenticeship"])
    evidence.apprenticeship = personas["apprenticeship"]
    with pytest.raises(frameworks.FrameworkMappingError):
        frameworks.map_framework_units(
            evidence=evidence, units=[_unit("1.1")], by=personas["apprentice"]
        )
    assert not evidence.framework_units.exists()


def test_nothing_is_mapped_automatically_when_a_framework_is_turned_on(client, personas, nccmh):
    make_evidence(personas["apprenticeship"], status=Evidence.Status.SUBMITTED)
    _turn_on(client, personas, nccmh)
    assert not Evidence.framework_units.through.objects.exists()


# Sign-in and navigation, the apprenticeship, the frameworks on and off, the units with counts.
FRAMEWORK_COVERAGE_QUERIES = 7


def test_the_second_tab_keeps_a_flat_query_count(client, personas, nccmh):
    a = personas["apprenticeship"]
    frameworks.set_framework(apprenticeship=a, framework=nccmh, on=True, by=personas["tutor"])
    client.force_login(personas["tutor"])

    def grow():
        for code in ("1.1", "2.2", "4.14"):
            item = make_evidence(a, status=Evidence.Status.SUBMITTED)
            item.framework_units.add(_unit(code))

    assert_flat_queries(
        client,
        reverse("portfolio:framework-coverage", args=[a.pk]),
        grow,
        FRAMEWORK_COVERAGE_QUERIES,
    )
