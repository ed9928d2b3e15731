"""The duty sign-off page lists a page of accepted evidence, not every item the portfolio
maps to the duty, and finds older items by their title without losing what was ticked."""

import re

from django.urls import reverse

from portfolio.evidence.models import DutySignOff, Evidence
from tests.helpers.evidence import make_evidence
from tests.query_counts import count_queries


def _accepted(apprenticeship, tutor, n, *, title="Group session"):
    return [
        make_evidence(
            apprenticeship,
            status=Evidence.Status.ACCEPTED,
            tutor=tutor,
            title=f"{title} {i + 1}",
        )
        for i in range(n)
    ]


def _boxes(response) -> dict[str, bool]:
    """{version id: ticked} for each evidence checkbox on the page."""
    found = re.findall(
        r'<input type="checkbox"[^>]*name="evidence_versions"[^>]*>', response.content.decode()
    )
    return {re.search(r'value="(\d+)"', box).group(1): " checked" in box for box in found}


def _url(apprenticeship, duty):
    return reverse("portfolio:duty-sign-off", args=[apprenticeship.pk, duty.pk])


def test_the_sign_off_page_lists_a_page_not_every_accepted_item(
    client, apprenticeship, duty, personas
):
    client.force_login(personas["tutor"])
    url = _url(apprenticeship, duty)
    _accepted(apprenticeship, personas["tutor"], 3, title="Recent")
    few = count_queries(client, url)
    older = _accepted(apprenticeship, personas["tutor"], 32)
    assert count_queries(client, url) == few

    response = client.get(url)
    boxes = _boxes(response)
    assert len(boxes) == 30
    # The most recently accepted first: the first two of these 35 are left out.
    assert str(older[0].accepted_version_id) not in boxes
    assert str(older[-1].accepted_version_id) in boxes
    page = response.content.decode()
    assert "The 30 pieces of evidence for this duty you accepted most recently" in page
    assert 'name="find_evidence"' in page


def test_a_few_accepted_items_are_all_listed_with_no_search(client, apprenticeship, duty, personas):
    items = _accepted(apprenticeship, personas["tutor"], 2)
    client.force_login(personas["tutor"])
    response = client.get(_url(apprenticeship, duty))
    assert set(_boxes(response)) == {str(e.accepted_version_id) for e in items}
    assert 'name="find_evidence"' not in response.content.decode()


def test_finding_older_evidence_keeps_what_was_ticked_and_typed_and_saves_nothing(
    client, apprenticeship, duty, personas
):
    tutor = personas["tutor"]
    wanted = make_evidence(
        apprenticeship, status=Evidence.Status.ACCEPTED, tutor=tutor, title="Boundaries workshop"
    )
    recent = _accepted(apprenticeship, tutor, 31)
    client.force_login(tutor)
    url = _url(apprenticeship, duty)
    assert str(wanted.accepted_version_id) not in _boxes(client.get(url))

    ticked = str(recent[-1].accepted_version_id)
    response = client.post(
        url,
        {
            "evidence_versions": [ticked],
            "comment": "Typed before searching.",
            "evidence_search": "boundaries",
            "find_evidence": "1",
        },
    )
    assert response.status_code == 200
    # The match, and the item already ticked (still ticked), though it does not match.
    assert _boxes(response) == {str(wanted.accepted_version_id): False, ticked: True}
    page = response.content.decode()
    assert "Typed before searching." in page
    assert 'name="evidence_search" value="boundaries"' in page
    assert "Accepted evidence whose title contains “boundaries”." in page
    assert not DutySignOff.objects.exists()

    # The found item, older than any listed at first, is relied on with the ticked one.
    response = client.post(
        url,
        {
            "evidence_versions": [ticked, str(wanted.accepted_version_id)],
            "comment": "Clear evidence.",
            "evidence_search": "boundaries",
        },
    )
    assert response.status_code == 302
    sign_off = DutySignOff.objects.active().get(duty=duty)
    assert {v.pk for v in sign_off.evidence_versions.all()} == {
        int(ticked),
        wanted.accepted_version_id,
    }


def test_a_search_that_finds_nothing_says_so_and_keeps_the_ticked_items(
    client, apprenticeship, duty, personas
):
    items = _accepted(apprenticeship, personas["tutor"], 2)
    client.force_login(personas["tutor"])
    ticked = str(items[0].accepted_version_id)
    response = client.post(
        _url(apprenticeship, duty),
        {"evidence_versions": [ticked], "evidence_search": "nothing like it", "find_evidence": "1"},
    )
    assert _boxes(response) == {ticked: True}
    assert "No accepted evidence for this duty has “nothing like it” in its title." in (
        response.content.decode()
    )
    assert not DutySignOff.objects.exists()


def test_a_missing_comment_keeps_the_ticks_and_the_search(client, apprenticeship, duty, personas):
    items = _accepted(apprenticeship, personas["tutor"], 2, title="Peer group")
    client.force_login(personas["tutor"])
    ticked = str(items[1].accepted_version_id)
    response = client.post(
        _url(apprenticeship, duty),
        {"evidence_versions": [ticked], "comment": "", "evidence_search": "group 2"},
    )
    assert response.status_code == 200
    assert _boxes(response) == {ticked: True}
    assert "This field is required." in response.content.decode()
    assert not DutySignOff.objects.exists()
