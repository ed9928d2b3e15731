"""The access matrix, the pieces every area uses: for every URL, who gets which status.

Every URL pattern in the project must appear here (test_access_matrix checks it), so a new
view cannot ship without saying who may reach it. Personas are those of
tests/helpers/personas.py: the apprentice, their employer contact, tutor and assessor, their
provider's admin, and an outsider (admin and tutor at another provider); and the site
operator, who changes the reference data every provider shares and has no role on any
apprenticeship; an auditor; and the first provider's IQA lead, who holds no other role.
Anonymous visitors are checked too: every URL not listed in PUBLIC must send
them to sign in.

An entry gives the URL name, how to build its arguments from the personas, the expected
status for each persona, and optionally the HTTP method, form data and a state to apply
first (a name in STATES, which is also the name of the fixture that does the same). The
state and the arguments are built once per entry and shared by its six personas' requests
(each request's changes are rolled back), so they must not depend on the persona.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests import factories
from tests.helpers.auditor import give_access, make_auditor
from tests.helpers.iqa import make_lead
from tests.helpers.personas import add_more_personas, make_personas, move_to_gateway

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405
# The people of the first provider's apprenticeship, the outsider, the site operator, the
# admin of the first apprenticeship's assessment organisation, and a second provider's
# admin, tutor, employer contact and apprentice (on the second provider's own
# apprenticeship), who must never reach the first provider's records; and an auditor with
# open read-only access to the first apprenticeship (tests/access_matrix/auditor.py); and
# the first provider's IQA lead, who works for it and holds no other role
# (tests/access_matrix/iqa.py).
FIRST_PROVIDER = ("apprentice", "employer", "tutor", "assessor", "admin")
SECOND_PROVIDER = ("p2_admin", "p2_tutor", "p2_employer", "p2_apprentice")
PERSONA_NAMES = (
    *FIRST_PROVIDER,
    "outsider",
    "operator",
    "epao_admin",
    "moderator",
    *SECOND_PROVIDER,
    "auditor",
    "iqa_lead",
)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONA_NAMES, status)


# Personas whose status an entry may leave out, worked out by `derived` from the others.
DERIVED = ("epao_admin", "moderator", *SECOND_PROVIDER, "auditor", "iqa_lead")


def only(allowed: dict[str, int], otherwise: int) -> dict[str, int]:
    return {
        name: allowed.get(name, otherwise)
        for name in PERSONA_NAMES
        if name in allowed or name not in DERIVED
    }


def derived(expected: dict[str, int]) -> dict[str, int]:
    """Fill in what an entry does not say for the derived personas.

    The assessment organisation's admin is refused (403) where the assessor gets in or is
    refused, and sees nothing (404) where the assessor sees nothing: entries where the admin
    gets in name them. Its moderator gets what the admin gets unless named. The second
    provider's admin is treated as the outsider is (an admin at another provider); its
    tutor, employer contact and apprentice get the outsider's status where that is a refusal
    (they see nothing of the first provider's), and where the outsider gets in, what the
    first provider's tutor, employer contact and apprentice get. The auditor and the first
    provider's IQA lead get what the second provider's apprentice gets unless named.
    """
    filled = dict(expected)
    assessor = expected["assessor"]
    filled.setdefault("epao_admin", NOT_FOUND if assessor == NOT_FOUND else FORBIDDEN)
    # The organisation's moderator reads what its admin reads and does none of the admin's
    # work: entries where they differ name the moderator.
    filled.setdefault("moderator", filled["epao_admin"])
    filled.setdefault("p2_admin", expected["outsider"])
    refused = expected["outsider"] in (FORBIDDEN, NOT_FOUND)
    for name in ("p2_tutor", "p2_employer", "p2_apprentice"):
        # Where the outsider gets in, the page is not about the first provider's records
        # (a home page, the admin's own lists): they get what their counterpart gets.
        counterpart = name.removeprefix("p2_")
        filled.setdefault(name, expected["outsider"] if refused else expected[counterpart])
    # The auditor holds open access to the first apprenticeship (all areas) and no role
    # anywhere: outside the auditor pages it gets what a person with no role of the first
    # provider's gets, like the second provider's apprentice.
    filled.setdefault("auditor", filled["p2_apprentice"])
    # The IQA lead works for the first provider and has no role on any apprenticeship:
    # outside the IQA pages it reaches none of the provider's records either, and gets what
    # a person with no role of the first provider's gets (the auditor's pages included).
    # Entries where it differs (the IQA pages, its home) name it.
    filled.setdefault("iqa_lead", filled["p2_apprentice"])
    return filled


def matrix_personas() -> dict:
    """Every persona the matrix names, and a person invited but not yet signed up."""
    people = make_personas()
    invited = factories.UserFactory(email="invited@example.org", full_name="Invited Person")
    invited.set_unusable_password()
    invited.save()
    factories.OrganisationMembershipFactory(
        user=invited, organisation=people["apprenticeship"].employer
    )
    people["invited_person"] = invited
    # The site operator changes the reference data every provider shares.
    people["operator"] = factories.UserFactory(
        email="operator@example.org", full_name="Olu Operator", is_superuser=True
    )
    people = add_more_personas(people)
    # The auditor: open access to the first apprenticeship, every area (tests/helpers).
    people["auditor"] = make_auditor()
    give_access(
        auditor=people["auditor"], by=people["admin"], apprenticeships=[people["apprenticeship"]]
    )
    # The IQA lead: works for the first provider, named its IQA lead by the admin.
    people["iqa_lead"] = make_lead(
        people["apprenticeship"].provider, admin=people["admin"], full_name="Ines Iqa"
    )
    return people


# The states an entry may ask for, applied to the personas before its arguments are built.
STATES: dict[str, Callable[[dict], Any]] = {
    "post_gateway": lambda ctx: move_to_gateway(ctx["apprenticeship"]),
}

ADMIN_ONLY = only({"admin": OK, "outsider": OK}, FORBIDDEN)
# Shared reference data (standards): changed by the site operator alone.
OPERATOR_ONLY = only({"operator": OK}, FORBIDDEN)
# Everyone on the apprenticeship before gateway (the assessor sees nothing until then).
VIEWERS = only({"apprentice": OK, "employer": OK, "tutor": OK, "admin": OK}, NOT_FOUND)


@dataclass(frozen=True)
class Entry:
    url_name: str
    expected: dict[str, int]
    args: Callable[[dict], list[Any]] = lambda ctx: []
    method: str = "get"
    data: Callable[[dict], dict] = lambda ctx: {}
    state: str | None = None
    label: str = ""
    query: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", derived(self.expected))

    @property
    def id(self) -> str:
        return self.label or self.url_name
