"""Every URL has an access rule, and every rule holds for every persona."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from tests.access_matrix import ENTRIES, PERSONA_NAMES, PUBLIC, Entry


def project_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: list[str]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + [pattern.namespace] if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"<unnamed {pattern.pattern}>"
                names.add(":".join([*namespace, name]))

    walk(get_resolver().url_patterns, [])
    return names


def test_every_url_pattern_has_an_entry_in_the_access_matrix():
    covered = {entry.url_name for entry in ENTRIES}
    missing = project_url_names() - covered
    assert not missing, f"Add these URLs to tests/access_matrix.py: {sorted(missing)}"


def test_every_access_matrix_entry_names_a_real_url():
    unknown = {entry.url_name for entry in ENTRIES} - project_url_names()
    assert not unknown


def _context(request, personas) -> dict:
    ctx = dict(personas)
    invited = factories.UserFactory(email="invited@example.org", full_name="Invited Person")
    invited.set_unusable_password()
    invited.save()
    factories.OrganisationMembershipFactory(
        user=invited, organisation=personas["apprenticeship"].employer
    )
    ctx["invited_person"] = invited
    ctx["operator"] = request.getfixturevalue("site_operator")
    return ctx


def _call(client, entry: Entry, ctx: dict):
    url = reverse(entry.url_name, args=entry.args(ctx)) + entry.query
    return getattr(client, entry.method)(url, entry.data(ctx))


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_access_rule(request, client, personas, entry: Entry, persona: str):
    if entry.state:
        request.getfixturevalue(entry.state)
    ctx = _context(request, personas)
    client.force_login(ctx[persona])
    response = _call(client, entry, ctx)
    assert response.status_code == entry.expected[persona], (
        f"{entry.id} as {persona}: got {response.status_code}"
    )


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if e.method == "get" and not e.state], ids=lambda e: e.id
)
def test_anonymous_visitors_are_sent_to_sign_in(request, client, personas, entry: Entry):
    ctx = _context(request, personas)
    response = _call(client, entry, ctx)
    if entry.url_name in PUBLIC:
        assert response.status_code == PUBLIC[entry.url_name]
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
