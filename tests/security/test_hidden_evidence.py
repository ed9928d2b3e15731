"""No page shows anything of an evidence item hidden from the viewer.

For each role, a walk of every page of a seeded apprenticeship reachable from the
apprenticeship page through the pages' own links (same host, GET only, bounded) must not
show the title or the text of an item that role may not see, nor link to it. What each role
may see is the rule of the evidence detail page (portfolio/evidence/access.py): the
apprentice sees all their own; the tutor and the provider admin everything submitted; the
employer contact what is submitted and shared with them; the assessor and the assessment
organisation's admin none of the live portfolio. An item on another provider's
apprenticeship is hidden from everyone here.

The rows are built once for the module; each role's walk runs in its own savepoint.
"""

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest

from portfolio.evidence.models import Evidence, EvidenceKind
from portfolio.evidence.services import evidence as services
from portfolio.evidence.services import sign_offs
from tests.helpers.db import kept_for_scope
from tests.helpers.evidence import make_evidence
from tests.helpers.personas import add_more_personas, make_personas, move_to_gateway

MAX_PAGES = 400
HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# Links a walk must not follow: signing out ends the session the walk runs in.
SKIP = ("/accounts/logout", "/logout")

# Each item: its title, its written account, and who may see it.
ITEMS = {
    "shared": ("Shared reflection Quokka", "Quokka account: what I did on the ward."),
    "hidden": ("Hidden reflection Narwhal", "Narwhal account: my own bad week."),
    "draft": ("Draft thoughts Axolotl", "Axolotl account: not ready for anyone."),
    "other": ("Other provider Wombat", "Wombat account: another provider's apprentice."),
}
HIDDEN_FROM = {
    "apprentice": {"other"},
    "tutor": {"draft", "other"},
    "admin": {"draft", "other"},
    "employer": {"draft", "hidden", "other"},
    "assessor": {"shared", "hidden", "draft", "other"},
    "epao_admin": {"shared", "hidden", "draft", "other"},
}


def _seed() -> dict:
    people = add_more_personas(make_personas())
    apprenticeship = people["apprenticeship"]
    tutor = people["tutor"]
    duty = apprenticeship.standard_version.duties.order_by("number").first()
    items = {}
    for key in ("shared", "hidden"):
        title, account = ITEMS[key]
        items[key] = make_evidence(
            apprenticeship,
            status=Evidence.Status.ACCEPTED,
            tutor=tutor,
            title=title,
            account=account,
            visible_to_employer=key == "shared",
        )
    # Hidden after submission too, so the history says so in a line of its own.
    items["hidden"].apprenticeship = apprenticeship
    services.set_employer_visibility(
        evidence=items["hidden"], by=people["apprentice"], visible=False
    )
    title, account = ITEMS["draft"]
    items["draft"] = services.create_evidence(
        apprenticeship=apprenticeship,
        by=people["apprentice"],
        title=title,
        account=account,
        kind=EvidenceKind.REFLECTIVE_ACCOUNT,
        duties=[duty],
    )
    title, account = ITEMS["other"]
    other = people["other_apprenticeship"]
    items["other"] = make_evidence(
        other,
        status=Evidence.Status.ACCEPTED,
        tutor=people["outsider"],
        title=title,
        account=account,
        duties=list(other.standard_version.duties.order_by("number")[:1]),
    )
    sign_offs.sign_off_duty(
        apprenticeship=apprenticeship,
        duty=duty,
        by=tutor,
        evidence_versions=[items["shared"].accepted_version, items["hidden"].accepted_version],
        comment="Covered by the two accepted items.",
    )
    # At gateway, so the assessor has pages to walk.
    move_to_gateway(apprenticeship)
    people["items"] = items
    return people


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with kept_for_scope(django_db_blocker):
        yield _seed()


def _links(base: str, body: str) -> list[str]:
    found = []
    for raw in HREF.findall(body):
        href = html.unescape(raw).strip()
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.netloc not in ("", "testserver"):
            continue
        if parts.path.startswith(("/static/", "/media/")) or parts.path.startswith(SKIP):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def walk(client, start: str) -> dict[str, str]:
    """{url: HTML} of every page reachable from `start` by GET through the pages' links."""
    pages: dict[str, str] = {}
    queue, seen = [start], {start}
    while queue and len(seen) <= MAX_PAGES:
        url = queue.pop(0)
        response = client.get(url)
        assert response.status_code != 500, f"{url} answered 500"
        if "html" in response.get("Content-Type", ""):
            # No signed-in page may be kept by the browser or a proxy.
            assert "no-store" in response.get("Cache-Control", ""), url
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        pages[url] = body
        for link in _links(url, body):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return pages


def hidden_traces(pages: dict[str, str], items: dict, hidden: set[str]) -> list[str]:
    """Each place a hidden item's title, text or link appears."""
    traces = []
    for key in sorted(hidden):
        title, account = ITEMS[key]
        evidence = items[key]
        # Any page of the item (its versions, files, edit page) begins with this.
        link = f'"{evidence.get_absolute_url()}'
        for url, body in pages.items():
            text = html.unescape(body)
            for needle, what in ((title, "title"), (account, "text"), (link, "link")):
                if needle in text or (what == "link" and needle in body):
                    traces.append(f"{what} of the {key} item on {url}")
    return traces


@pytest.mark.parametrize("role", sorted(HIDDEN_FROM))
def test_no_page_shows_an_item_hidden_from_the_viewer(client, db, seeded, role):
    client.force_login(seeded[role])
    pages = walk(client, seeded["apprenticeship"].get_absolute_url())
    assert len(pages) > 3, f"the walk as {role} found only {sorted(pages)}"
    traces = hidden_traces(pages, seeded["items"], HIDDEN_FROM[role])
    assert not traces, "\n".join(traces)
    # The walk reaches the pages of what the role may see, so a walk that found too
    # little would not pass unnoticed.
    visible = set(ITEMS) - HIDDEN_FROM[role]
    texts = [html.unescape(body) for body in pages.values()]
    assert {key for key in visible if any(ITEMS[key][0] in text for text in texts)} == visible
