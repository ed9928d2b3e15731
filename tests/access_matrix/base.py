"""The access matrix, the pieces every area uses: for every URL, who gets which status.

Every URL pattern in the project must appear here (test_access_matrix checks it), so a new
view cannot ship without saying who may reach it. Personas are those of tests/conftest.py:
the apprentice, their employer contact, tutor and assessor, their provider's admin, and an
outsider (admin and tutor at another provider); and the site operator, who changes the
reference data every provider shares and has no role on any apprenticeship. Anonymous
visitors are checked too: every URL not listed in PUBLIC must send them to sign in.

An entry gives the URL name, how to build its arguments from the personas, the expected
status for each persona, and optionally the HTTP method, form data and a state fixture to
apply first (for example "post_gateway").
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405
PERSONA_NAMES = ("apprentice", "employer", "tutor", "assessor", "admin", "outsider", "operator")


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONA_NAMES, status)


def only(allowed: dict[str, int], otherwise: int) -> dict[str, int]:
    return {name: allowed.get(name, otherwise) for name in PERSONA_NAMES}


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
