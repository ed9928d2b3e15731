"""A provider's interim off-the-job minimum: its own apprentices only, who entered it and
from what source, refused or flagged when it breaks the rules or looks wrong, and gone the
moment the official figure is imported."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apprenticeship import otj_minimum
from apprenticeship.models import Apprenticeship, InterimOtjMinimum
from audit.models import AuditEvent
from portfolio.training.selectors import otj_summary
from standards.models import Provenance
from tests import factories
from tests.query_counts import INTERIM_MINIMUMS_QUERIES, assert_flat_queries

START_2025 = dt.date(2025, 9, 1)


@pytest.fixture
def two_providers(personas):
    """Both providers' apprentices on the same standard version, started in 2025."""
    mine, theirs = personas["apprenticeship"], personas["other_apprenticeship"]
    Apprenticeship.objects.filter(pk__in=[mine.pk, theirs.pk]).update(
        start_date=START_2025, planned_end_date=dt.date(2026, 12, 1)
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    return mine, theirs


def test_a_providers_interim_figure_applies_to_its_own_apprentices_only(two_providers, personas):
    mine, theirs = two_providers
    otj_minimum.set_interim_otj_minimum(
        provider=mine.provider,
        standard_version=mine.standard_version,
        hours=336,
        source="48 days of 7 hours, from the ST0896 proposal, until the official figure",
        by=personas["admin"],
    )
    summary = otj_summary(mine)
    assert summary.total.required == 336 * 60
    assert not summary.minimum.official
    assert summary.minimum.provenance == Provenance.PROVIDER
    assert "Admin" in summary.minimum.source and "Northfield" in summary.minimum.source
    # The other provider's apprentice on the same standard is untouched.
    assert otj_summary(theirs).total.required is None
    event = AuditEvent.objects.get(action="interim_otj_minimum.set")
    assert event.actor == personas["admin"] and event.after["hours"] == 336


def test_the_official_figure_replaces_the_interim_one(two_providers, personas):
    mine, _ = two_providers
    otj_minimum.set_interim_otj_minimum(
        provider=mine.provider,
        standard_version=mine.standard_version,
        hours=336,
        source="Our estimate",
        by=personas["admin"],
    )
    version = mine.standard_version
    version.otj_minimum_hours = 280
    version.facts = {"otj_minimum_hours": {"provenance": Provenance.VERIFIED}}
    version.save()
    mine.refresh_from_db()
    summary = otj_summary(mine)
    assert summary.total.required == 280 * 60 and summary.minimum.official
    with pytest.raises(ValidationError, match="official minimum of 280 hours is loaded"):
        otj_minimum.set_interim_otj_minimum(
            provider=mine.provider,
            standard_version=version,
            hours=300,
            source="Another estimate",
            by=personas["admin"],
        )


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (150, "under 187 hours, the floor the 2025-26 funding rules set"),
        (2500, "more than 1950 hours, the whole of a full-time contract"),
    ],
)
def test_an_implausible_figure_needs_to_be_confirmed(two_providers, personas, hours, message):
    mine, _ = two_providers
    arguments = {
        "provider": mine.provider,
        "standard_version": mine.standard_version,
        "hours": hours,
        "source": "A figure",
        "by": personas["admin"],
    }
    with pytest.raises(ValidationError, match=message):
        otj_minimum.set_interim_otj_minimum(**arguments)
    assert not InterimOtjMinimum.objects.exists()
    otj_minimum.set_interim_otj_minimum(**arguments, unusual_confirmed=True)
    assert InterimOtjMinimum.objects.get().hours == hours


def test_the_source_is_required(two_providers, personas):
    mine, _ = two_providers
    with pytest.raises(ValidationError, match="Say where the figure comes from"):
        otj_minimum.set_interim_otj_minimum(
            provider=mine.provider,
            standard_version=mine.standard_version,
            hours=300,
            source="  ",
            by=personas["admin"],
        )


def test_the_pages_enter_change_and_remove_a_figure(client, two_providers, personas):
    mine, theirs = two_providers
    client.force_login(personas["admin"])
    listing = client.get(reverse("apprenticeship:interim-minimums")).content.decode()
    assert "Not known yet" in listing
    url = reverse(
        "apprenticeship:interim-minimum", args=[mine.provider_id, mine.standard_version_id]
    )
    refused = client.post(url, {"hours": "150", "source": "A guess"})
    assert refused.status_code == 200 and "I have checked this figure" in refused.content.decode()
    assert not InterimOtjMinimum.objects.exists()
    client.post(url, {"hours": "150", "source": "A guess", "unusual_confirmed": "on"})
    assert InterimOtjMinimum.objects.get().hours == 150
    page = client.get(reverse("portfolio:otj-summary", args=[mine.pk])).content.decode()
    assert "the provider's interim figure applies" in page
    client.post(url, {"part": "remove"})
    assert not InterimOtjMinimum.objects.exists()
    # Another provider's admin cannot reach this provider's figure.
    client.force_login(personas["outsider"])
    assert client.get(url).status_code == 404


def test_a_standard_wide_entered_figure_moves_to_each_provider_using_it(two_providers, personas):
    """The data migration: a minimum someone entered on the standard itself becomes each
    using provider's interim figure, and the standard goes back to not loaded."""
    mine, theirs = two_providers
    version = mine.standard_version
    version.otj_minimum_hours = 320
    version.facts = {"otj_minimum_hours": {"provenance": "provider", "note": "Funding rules"}}
    version.save()
    factories.OrganisationMembershipFactory(
        organisation=theirs.provider, is_admin=True, user=factories.UserFactory()
    )
    migration = importlib.import_module("apprenticeship.migrations.0005_move_entered_otj_minimums")
    migration.forward(apps, None)
    version.refresh_from_db()
    assert version.otj_minimum_hours is None
    assert version.fact_provenance("otj_minimum_hours") == Provenance.NOT_LOADED
    moved = {row.provider_id: row for row in InterimOtjMinimum.objects.all()}
    assert set(moved) == {mine.provider_id, theirs.provider_id}
    assert {row.hours for row in moved.values()} == {320}
    assert moved[mine.provider_id].source == "Funding rules"


def _page_rows(html: str) -> dict[str, list[str]]:
    """The table's rows by standard version, each as its cells' text."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]:
        cells = [
            re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        rows[cells[0]] = cells
    return rows


def test_the_page_counts_each_versions_apprentices_from_august_2025(client, personas):
    """Starts on or after 1 August 2025 count; earlier ones do not, but a version with
    only earlier starts still has its row, with 0; another provider's do not count."""
    mine = personas["apprenticeship"]
    Apprenticeship.objects.filter(pk=mine.pk).update(start_date=dt.date(2025, 8, 1))
    for start in (dt.date(2025, 8, 2), dt.date(2026, 1, 5), dt.date(2025, 7, 31)):
        factories.ApprenticeshipFactory(
            provider=mine.provider, standard_version=mine.standard_version, start_date=start
        )
    older = factories.StandardVersionFactory(reference="ST0001", title="Older standard")
    factories.ApprenticeshipFactory.create_batch(
        2, provider=mine.provider, standard_version=older, start_date=dt.date(2024, 3, 1)
    )
    # The other provider's apprentices on the same versions are theirs, not counted here.
    factories.ApprenticeshipFactory(
        provider=personas["other_apprenticeship"].provider,
        standard_version=older,
        start_date=dt.date(2025, 9, 1),
    )
    Apprenticeship.objects.filter(pk=personas["other_apprenticeship"].pk).update(
        start_date=dt.date(2025, 9, 1)
    )
    client.force_login(personas["admin"])
    rows = _page_rows(client.get(reverse("apprenticeship:interim-minimums")).content.decode())
    assert rows.keys() == {str(mine.standard_version), str(older)}
    assert rows[str(mine.standard_version)][1:3] == ["Northfield Peer Training", "3"]
    assert rows[str(older)][1:3] == ["Northfield Peer Training", "0"]
    assert rows[str(older)][3].startswith("Not known yet")


def test_the_apprentices_are_counted_in_the_database(personas):
    """One grouped count per provider and version, not a row read for each apprentice."""
    mine = personas["apprenticeship"]
    factories.ApprenticeshipFactory.create_batch(
        3, provider=mine.provider, standard_version=mine.standard_version
    )
    with CaptureQueriesContext(connection) as context:
        rows = otj_minimum.interim_minimum_rows([mine.provider])
    assert len(context.captured_queries) == 3
    counting = context.captured_queries[0]["sql"]
    assert "COUNT(" in counting and "GROUP BY" in counting
    assert [(row.standard_version, row.provider) for row in rows] == [
        (mine.standard_version, mine.provider)
    ]


def test_the_page_costs_the_same_with_more_apprentices(client, personas):
    mine = personas["apprenticeship"]
    client.force_login(personas["admin"])

    def grow():
        for version in (mine.standard_version, factories.StandardVersionFactory()):
            factories.ApprenticeshipFactory.create_batch(
                5, provider=mine.provider, standard_version=version
            )

    assert_flat_queries(
        client, reverse("apprenticeship:interim-minimums"), grow, INTERIM_MINIMUMS_QUERIES
    )
