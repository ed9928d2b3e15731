"""The access matrix, the pieces every area uses: for every URL, who gets which status.

Every URL pattern in the project must appear here (test_access_matrix checks it), so a new
view cannot ship without saying who may reach it. Personas are those of
tests/helpers/personas.py: the apprentice, their employer contact, tutor and assessor, their
provider's admin, and an outsider (admin and tutor at another provider); and the site
operator, who changes the reference data every provider shares and has no role on any
apprenticeship. Anonymous visitors are checked too: every URL not listed in PUBLIC must send
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

from tests.helpers.personas import move_to_gateway

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405
PERSONA_NAMES = ("apprentice", "employer", "tutor", "assessor", "admin", "outsider", "operator")


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONA_NAMES, status)


def only(allowed: dict[str, int], otherwise: int) -> dict[str, int]:
    return {name: allowed.get(name, otherwise) for name in PERSONA_NAMES}


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

    @property
    def id(self) -> str:
        return self.label or self.url_name
