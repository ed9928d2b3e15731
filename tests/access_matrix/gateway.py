"""Gateway: the checklist, English and maths, confirmations and the frozen portfolio."""

from epa.models import GatewayDeclaration
from epa.services import gateway as services
from portfolio.evidence.models import EvidenceFile
from portfolio.evidence.services import evidence as evidence_services
from tests import samples
from tests.access_matrix.base import (
    FORBIDDEN,
    NOT_FOUND,
    OK,
    REDIRECT,
    VIEWERS,
    Entry,
    only,
)
from tests.helpers.epa import make_ready
from tests.helpers.evidence import make_evidence

EMPLOYER, PROVIDER = GatewayDeclaration.Party.EMPLOYER, GatewayDeclaration.Party.PROVIDER
PROVIDER_PAGE = only(
    {"tutor": OK, "admin": OK, "apprentice": FORBIDDEN, "employer": FORBIDDEN}, NOT_FOUND
)
# After gateway: the frozen portfolio is for the apprentice, the provider and the assessor.
# The assessment organisation's admin and moderator read it too (each read is recorded).
FROZEN = only(
    {
        "apprentice": OK,
        "tutor": OK,
        "admin": OK,
        "assessor": OK,
        "employer": FORBIDDEN,
        "epao_admin": OK,
        "moderator": OK,
    },
    NOT_FOUND,
)


def _apprenticeship(ctx):
    return [ctx["apprenticeship"].pk]


def _passed(ctx):
    """Take the personas' apprenticeship through gateway, with a file in its portfolio."""
    a = make_ready(ctx["apprenticeship"], ctx["tutor"])
    evidence = make_evidence(a)
    evidence_services.add_files(
        evidence=evidence, by=ctx["apprentice"], files=[samples.upload("p.png", samples.png())]
    )
    evidence_services.submit_evidence(
        evidence=evidence, by=ctx["apprentice"], own_work=True, names_no_one=True
    )
    services.declare(apprenticeship=a, party=EMPLOYER, by=ctx["employer"], confirmed=True)
    services.declare(apprenticeship=a, party=PROVIDER, by=ctx["tutor"], confirmed=True)
    a.refresh_from_db()
    return a


def _employer_declaration(ctx):
    a = make_ready(ctx["apprenticeship"], ctx["tutor"])
    declaration = services.declare(
        apprenticeship=a, party=EMPLOYER, by=ctx["employer"], confirmed=True
    )
    return [declaration.pk]


def _frozen_evidence(ctx):
    a = _passed(ctx)
    item = a.gateway_snapshot.content["evidence"][0]
    return [a.pk, item["id"]]


def _frozen_file(ctx):
    a = _passed(ctx)
    file = EvidenceFile.objects.filter(evidence__apprenticeship=a).get()
    return [a.pk, file.pk]


ENTRIES: list[Entry] = [
    Entry("epa:gateway", VIEWERS, args=_apprenticeship),
    Entry("epa:gateway-english-maths", PROVIDER_PAGE, args=_apprenticeship),
    Entry(
        "epa:gateway-declare",
        only(
            {"employer": OK, "apprentice": FORBIDDEN, "tutor": FORBIDDEN, "admin": FORBIDDEN},
            NOT_FOUND,
        ),
        args=lambda ctx: [ctx["apprenticeship"].pk, EMPLOYER],
    ),
    Entry(
        "epa:gateway-declare",
        PROVIDER_PAGE,
        args=lambda ctx: [ctx["apprenticeship"].pk, PROVIDER],
        label="epa:gateway-declare for the provider",
    ),
    Entry(
        "epa:gateway-pass",
        only(
            {"tutor": REDIRECT, "admin": REDIRECT, "apprentice": FORBIDDEN, "employer": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_apprenticeship,
        method="post",
    ),
    Entry(
        "epa:declaration-withdraw",
        only(
            {"employer": OK, "apprentice": FORBIDDEN, "tutor": FORBIDDEN, "admin": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_employer_declaration,
    ),
    # Before gateway there is no frozen portfolio for anyone.
    Entry(
        "epa:snapshot",
        only({"employer": FORBIDDEN}, NOT_FOUND),
        args=_apprenticeship,
        label="epa:snapshot before gateway",
    ),
    Entry("epa:snapshot", FROZEN, args=lambda ctx: [_passed(ctx).pk]),
    Entry("epa:snapshot-evidence", FROZEN, args=_frozen_evidence),
    Entry("epa:snapshot-file", FROZEN, args=_frozen_file),
    # The provider's own gateway policy: its admins only (the outsider runs another one).
    Entry(
        "epa:gateway-policy",
        only({"admin": OK}, NOT_FOUND),
        args=lambda ctx: [ctx["apprenticeship"].provider_id],
    ),
    Entry(
        "epa:gateway-policy",
        only({"admin": REDIRECT}, NOT_FOUND),
        args=lambda ctx: [ctx["apprenticeship"].provider_id],
        method="post",
        data=lambda ctx: {"require_duties_signed_off": "on", "require_otj_verified": "on"},
        label="epa:gateway-policy POST",
    ),
]
