"""The access probe: another provider's people against the first provider's records.

For every URL of the access matrix (tests/access_matrix/) and every persona of the second
provider, the URL is built with the ids of the first provider's records and asked both ways,
GET and POST, whatever the page's own method. The matrix checks each URL's own method and
exact status; this adds the other method, and what a page shows when it does answer:

- where the matrix refuses that persona (the URL is about the first provider's records),
  both methods are refused: 403, 404 or 405, never a 200, a redirect or a 500;
- where it lets them in (their own home page, their provider's lists), the page shows
  nothing of the first provider's: no name, email address or title of theirs (a public
  page reached with an emailed link's token shows what the token opens);
- never a 500.

The personas are built once for the module, each URL's rows once for its four personas
(tests/helpers/db.py), and each probe runs in its own savepoint.
"""

import copy
import html

import pytest
from django.urls import reverse

from tests import factories
from tests.access_matrix import ENTRIES, PUBLIC, STATES, Entry
from tests.access_matrix.base import (
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    SECOND_PROVIDER,
    matrix_personas,
)
from tests.helpers.db import kept_for_scope

REFUSED = (FORBIDDEN, NOT_FOUND, NOT_ALLOWED)
# How the first provider's people and organisations are named: none of it may reach a
# page the second provider's people read.
FIRST_NAMES = {
    "apprentice": "Zebedee Quillfeather",
    "employer": "Marisol Thistlewood",
    "tutor": "Ignatius Pembroke",
    "admin": "Perpetua Oakhanger",
    "assessor": "Barnaby Crowsfoot",
}
FIRST_PROVIDER = "Northfield Peer Training"
FIRST_EMPLOYER = "Riverside Service"
EVIDENCE_TITLE = "Quillfeather's supervision notes"


def _url(entry: Entry, ctx: dict) -> str:
    return reverse(entry.url_name, args=entry.args(ctx)) + entry.query


@pytest.fixture(scope="module")
def probe_personas(django_db_setup, django_db_blocker):
    """The personas, and the first provider's people and records under unmistakable
    names, built once for the module."""
    with kept_for_scope(django_db_blocker):
        ctx = matrix_personas()
        for persona, name in FIRST_NAMES.items():
            person = ctx[persona]
            person.full_name = name
            person.email = f"{name.split()[1].lower()}@northfield.example"
            person.save(update_fields=["full_name", "email"])
        factories.EvidenceFactory(apprenticeship=ctx["apprenticeship"], title=EVIDENCE_TITLE)
        yield ctx


@pytest.fixture(scope="class")
def probed(entry: Entry, probe_personas, django_db_blocker):
    """The entry's state and the rows its URL names (the first provider's), built once and
    kept while the second provider's four personas probe it, as the matrix does."""
    with kept_for_scope(django_db_blocker):
        ctx = copy.deepcopy(probe_personas)
        if entry.state:
            STATES[entry.state](ctx)
        yield ctx, _url(entry, ctx)


def _markers(ctx: dict) -> list[str]:
    people = [ctx[p] for p in FIRST_NAMES]
    return [
        *FIRST_NAMES.values(),
        *(person.email for person in people),
        FIRST_PROVIDER,
        FIRST_EMPLOYER,
        EVIDENCE_TITLE,
    ]


@pytest.mark.parametrize("persona", SECOND_PROVIDER)
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id, scope="class")
def test_another_provider_reaches_nothing_of_the_first(client, db, probed, entry, persona):
    ctx, url = probed
    client.force_login(ctx[persona])
    refused = entry.expected[persona] in (FORBIDDEN, NOT_FOUND)
    data = entry.data(ctx) if entry.method == "post" else {}
    for method in ("get", "post"):
        response = getattr(client, method)(url, data if method == "post" else {})
        where = f"{method.upper()} {entry.id} ({url}) as {persona}"
        assert response.status_code != 500, f"{where}: 500"
        if refused:
            assert response.status_code in REFUSED, f"{where}: {response.status_code}"
            continue
        if entry.url_name in PUBLIC:
            # A public page: an emailed link's token, not the account, decides what it
            # shows (the signing link shows its review to whoever holds the link).
            continue
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            text = html.unescape(response.content.decode())
            shown = [marker for marker in _markers(ctx) if marker in text]
            assert not shown, f"{where} shows the first provider's {shown}"
        # The client may have been signed out (sign-out is open to everyone).
        client.force_login(ctx[persona])
