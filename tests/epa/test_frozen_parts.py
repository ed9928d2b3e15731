"""The frozen portfolio read a part at a time (epa/selectors/frozen.py): each part the
database sends is exactly that part of the sealed document, on both engines, and the seal
still shows any change to the row."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from epa.models import GatewayDeclaration, GatewaySnapshot
from epa.selectors import frozen
from epa.services import gateway as services
from portfolio.evidence.models import Evidence
from portfolio.evidence.services import evidence as evidence_services
from tests import samples
from tests.helpers.evidence import make_evidence

EMPLOYER, PROVIDER = GatewayDeclaration.Party.EMPLOYER, GatewayDeclaration.Party.PROVIDER


@pytest.fixture
def passed(ready, personas) -> GatewaySnapshot:
    """A portfolio of 30 submitted items or more (one with two files, some titles beyond
    ASCII), frozen at gateway."""
    for n in range(29):
        make_evidence(ready, status=Evidence.Status.SUBMITTED, title=f"Séance {n} · café ☕")
    with_files = make_evidence(ready)
    evidence_services.add_files(
        evidence=with_files,
        by=personas["apprentice"],
        files=[samples.upload("a.png", samples.png()), samples.upload("b.png", samples.png())],
    )
    evidence_services.submit_evidence(
        evidence=with_files, by=personas["apprentice"], own_work=True, names_no_one=True
    )
    services.declare(apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True)
    services.declare(apprenticeship=ready, party=PROVIDER, by=personas["tutor"], confirmed=True)
    return GatewaySnapshot.objects.get(apprenticeship=ready)


def test_each_part_is_exactly_that_part_of_the_document(passed):
    content = passed.content
    items = content["evidence"]
    assert len(items) >= 30
    portfolio = frozen.frozen_portfolio(passed)
    assert portfolio.head == {k: v for k, v in content.items() if k not in frozen.NOT_IN_HEAD}
    assert len(portfolio.evidence) == len(items) and portfolio.intact
    assert portfolio.evidence[0:25] == items[:25]
    assert portfolio.evidence[25:50] == items[25:]
    assert portfolio.evidence[len(items) : len(items) + 25] == []
    last = items[-1]
    assert frozen.item(passed, last["id"]) == (last, content["ksbs"])
    assert frozen.item(passed, 10**9) == (None, content["ksbs"])
    (with_files,) = [i for i in items if len(i["files"]) == 2]
    assert frozen.file_record(passed, with_files["files"][1]["id"]) == with_files["files"][1]
    assert frozen.file_record(passed, 10**9) is None
    assert frozen.part(passed, "checklist") == content["checklist"]


def test_a_change_to_the_frozen_portfolio_shows_on_the_next_view(client, passed, personas):
    client.force_login(personas["assessor"])
    url = reverse("epa:snapshot", args=[passed.apprenticeship_id])
    assert "Seal intact" in client.get(url).content.decode()
    assert "Seal intact" in client.get(url).content.decode()
    content = passed.content
    content["evidence"][0]["title"] = "Changed afterwards"
    GatewaySnapshot.objects.filter(pk=passed.pk).update(content=content)
    page = client.get(url).content.decode()
    assert "Changed since it was frozen" in page and "Seal intact" not in page


def test_the_seal_is_worked_out_again_only_after_the_row_changed(
    client, passed, personas, monkeypatch
):
    """On PostgreSQL the answer is kept for the row's version, so a page of a long
    portfolio does not read and digest all of it on every view; any change to the row
    (here one that leaves the document as it was) has it worked out again. Other engines
    work it out every time."""
    digested = []
    matches = frozen.seals.matches
    monkeypatch.setattr(frozen.seals, "matches", lambda *a: digested.append(1) or matches(*a))
    client.force_login(personas["assessor"])
    url = reverse("epa:snapshot", args=[passed.apprenticeship_id])
    client.get(url)
    with CaptureQueriesContext(connection) as second:
        assert "Seal intact" in client.get(url).content.decode()
    kept = connection.vendor == "postgresql"
    assert len(digested) == (1 if kept else 2)
    if kept:
        # No query of that view selected the whole document, only parts of it.
        whole = re.compile(r'(SELECT |, )"epa_gatewaysnapshot"\."content"(,| FROM)')
        assert not any(whole.search(q["sql"]) for q in second.captured_queries)
        assert any('"epa_gatewaysnapshot"."content"' in q["sql"] for q in second.captured_queries)
    GatewaySnapshot.objects.filter(pk=passed.pk).update(taken_at=passed.taken_at)
    assert "Seal intact" in client.get(url).content.decode()
    assert len(digested) == (2 if kept else 3)


def test_the_frozen_item_and_file_pages_find_theirs_by_id(client, passed, personas):
    client.force_login(personas["assessor"])
    apprenticeship = passed.apprenticeship_id
    items = passed.content["evidence"]
    (with_files,) = [i for i in items if len(i["files"]) == 2]
    page = client.get(reverse("epa:snapshot-evidence", args=[apprenticeship, items[3]["id"]]))
    assert items[3]["title"] in page.content.decode()
    missing = reverse("epa:snapshot-evidence", args=[apprenticeship, 10**9])
    assert client.get(missing).status_code == 404
    file = with_files["files"][1]
    response = client.get(reverse("epa:snapshot-file", args=[apprenticeship, file["id"]]))
    assert response.status_code == 200 and file["name"] in response["Content-Disposition"]
    other = make_evidence(passed.apprenticeship)
    (later,) = evidence_services.add_files(
        evidence=other, by=personas["apprentice"], files=[samples.upload("c.png", samples.png())]
    )
    # A file added after gateway is not in the frozen portfolio.
    url = reverse("epa:snapshot-file", args=[apprenticeship, later.pk])
    assert client.get(url).status_code == 404
