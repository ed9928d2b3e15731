"""Every URL has an access rule, and every rule holds for every persona.

The personas are built once for this module, and each entry's state and the rows its URL
names once for its six personas (see tests/helpers/db.py and the fixtures below). Every
test still runs in its own savepoint on top, rolled back when it ends, and gets its own
copy of the objects: a POST that changes data changes it for that test alone."""

import copy
import hashlib

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix import ENTRIES, PERSONA_NAMES, PUBLIC, STATES, Entry
from tests.access_matrix.base import FORBIDDEN, NOT_FOUND, SECOND_PROVIDER, matrix_personas
from tests.helpers.db import kept_for_scope


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


@pytest.fixture(scope="module")
def module_personas(django_db_setup, django_db_blocker):
    """The personas and a person invited but not yet signed up, kept for the module."""
    with kept_for_scope(django_db_blocker):
        yield matrix_personas()


@pytest.fixture(scope="class")
def prepared(entry: Entry, module_personas, django_db_blocker):
    """The entry's state and the rows its URL names, built once and kept while the tests
    of this entry run. `entry` is parametrised per class, so pytest runs a class's tests
    entry by entry and rebuilds this when the entry changes; the class scope ends it
    before another class's tests run."""
    with kept_for_scope(django_db_blocker):
        ctx = copy.deepcopy(module_personas)
        if entry.state:
            STATES[entry.state](ctx)
        url = reverse(entry.url_name, args=entry.args(ctx)) + entry.query
        yield ctx, url


@pytest.fixture
def ctx_and_url(db, prepared) -> tuple[dict, str]:
    """This test's own copy of the objects (its rows roll back with the test)."""
    ctx, url = prepared
    return copy.deepcopy(ctx), url


class TestEveryPersona:
    @pytest.mark.parametrize("persona", PERSONA_NAMES)
    @pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id, scope="class")
    def test_access_rule(self, client, ctx_and_url, entry: Entry, persona: str):
        ctx, url = ctx_and_url
        client.force_login(ctx[persona])
        response = getattr(client, entry.method)(url, entry.data(ctx))
        assert response.status_code == entry.expected[persona], (
            f"{entry.id} as {persona}: got {response.status_code}"
        )


class TestAnonymous:
    @pytest.mark.parametrize(
        "entry",
        [e for e in ENTRIES if e.method == "get" and not e.state],
        ids=lambda e: e.id,
        scope="class",
    )
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, ctx_and_url, entry: Entry):
        ctx, url = ctx_and_url
        response = getattr(client, entry.method)(url, entry.data(ctx))
        if entry.url_name in PUBLIC:
            assert response.status_code == PUBLIC[entry.url_name]
        else:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))


def _fingerprint() -> dict[str, str]:
    """Every row of every table the product keeps (sign-in bookkeeping left out), hashed per
    table."""
    skip = {"sessions", "axes", "contenttypes", "auth"}
    prints = {}
    for model in apps.get_models():
        if model._meta.app_label in skip:
            continue
        rows = list(model.objects.order_by("pk").values_list())
        prints[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints


class TestAnotherProviderChangesNothing:
    """No write another provider's people can reach changes anything of the first
    provider's, or anything the first provider reads (shared reference data included)."""

    @pytest.mark.parametrize("persona", ["outsider", *SECOND_PROVIDER])
    @pytest.mark.parametrize(
        "entry", [e for e in ENTRIES if e.method == "post"], ids=lambda e: e.id, scope="class"
    )
    def test_a_refused_write_changes_nothing(self, client, ctx_and_url, entry: Entry, persona):
        if entry.expected[persona] not in (FORBIDDEN, NOT_FOUND):
            pytest.skip("open to everyone (signing out, a public signing link)")
        ctx, url = ctx_and_url
        client.force_login(ctx[persona])
        before = _fingerprint()
        client.post(url, entry.data(ctx))
        changed = [table for table, digest in _fingerprint().items() if before[table] != digest]
        assert not changed, f"{entry.id} as {persona} changed {changed}"
