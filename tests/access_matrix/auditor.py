"""Auditor access. The AUDITOR persona holds open access, every area, to the first
apprenticeship (given by its provider's admin, taken up through the link): on every other
URL of the matrix it gets what a person with no role gets (base.derived), so the grant
opens nothing outside these pages and lets it write nothing. Here: its pages in scope, out
of scope (another apprenticeship, another provider's), after its end, after revocation,
for an area not granted, for evidence the apprentice kept private or in draft; and the
grantor's pages (the provider's admin; another provider's admin sees nothing of it)."""

import datetime as dt

from django.utils import timezone

from quality.models import AuditorGrant
from quality.services import auditors as services
from tests.access_matrix.base import (
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    Entry,
    everyone,
    only,
)
from tests.access_matrix.evidence import DRAFT, HIDDEN, SUBMITTED, _file
from tests.helpers.auditor import end_grant, give_access, make_auditor

# The public invitation link, for an anonymous visitor (the grant's account has no password
# yet: they choose one on the page).
PUBLIC = {"quality:auditor-invitation": OK}


def _grant(ctx) -> AuditorGrant:
    return AuditorGrant.objects.get(user=ctx["auditor"], revoked_at__isnull=True)


def _in_scope(ctx):
    return [_grant(ctx).pk, ctx["apprenticeship"].pk]


def _out_of_scope(ctx):
    """Another provider's apprenticeship, through the auditor's open grant."""
    return [_grant(ctx).pk, ctx["other_apprenticeship"].pk]


def _same_provider_unlisted(ctx):
    """Another apprenticeship of the same provider, not listed in the grant."""
    from tests import factories

    other = factories.ApprenticeshipFactory(
        provider=ctx["apprenticeship"].provider,
        employer=ctx["apprenticeship"].employer,
        standard_version=ctx["apprenticeship"].standard_version,
    )
    return [_grant(ctx).pk, other.pk]


def _ended(ctx):
    end_grant(_grant(ctx))
    return _in_scope(ctx)


def _revoked(ctx):
    grant = _grant(ctx)
    services.revoke_access(grant=grant, by=ctx["admin"])
    return [grant.pk, ctx["apprenticeship"].pk]


def _reviews_only(ctx):
    """A second grant of the auditor's, for the progress reviews alone."""
    AuditorGrant.objects.filter(pk=_grant(ctx).pk).update(
        revoked_at=timezone.now(), revoked_by=ctx["admin"]
    )
    grant = give_access(
        auditor=ctx["auditor"],
        by=ctx["admin"],
        apprenticeships=[ctx["apprenticeship"]],
        areas=["reviews"],
    )
    return [grant.pk, ctx["apprenticeship"].pk]


def _file_in(build):
    make = _file(build)
    return lambda ctx: [*_in_scope(ctx), *make(ctx)]


def _invitation(ctx):
    """A grant whose link has not been used, for a new account."""
    grant = give_access(
        auditor=make_auditor("new.auditor@example.org"),
        by=ctx["admin"],
        apprenticeships=[ctx["apprenticeship"]],
        accept=False,
    )
    return [grant.pk, grant.token]


def _grant_data(ctx):
    apprenticeship = ctx["apprenticeship"]
    return {
        "organisation": apprenticeship.provider_id,
        "full_name": "Ivy Inspector",
        "email": "ivy.inspector@example.org",
        "purpose": "Ofsted inspection",
        "scope": AuditorGrant.Scope.STANDARD,
        "standard_reference": apprenticeship.standard_version.reference,
        "areas": ["portfolio", "reviews"],
        "last_day": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
    }


AUDITOR_ONLY = only({"auditor": OK}, NOT_FOUND)
# The auditor's own grant that has ended or been revoked: a page saying so.
ENDED = only({"auditor": FORBIDDEN}, NOT_FOUND)
NOBODY = only({}, NOT_FOUND)
# Those who may give access: admins of a training provider or an assessment organisation.
GRANTORS = only({"admin": OK, "outsider": OK, "epao_admin": OK, "moderator": FORBIDDEN}, FORBIDDEN)
# One grant's page: the admins of the organisation that gave it.
GRANTOR = only({"admin": OK, "epao_admin": NOT_FOUND}, NOT_FOUND)

AREA_PAGES = (
    "quality:auditor-apprenticeship",
    "quality:auditor-portfolio",
    "quality:auditor-otj",
    "quality:auditor-reviews",
    "quality:auditor-gateway",
    "quality:auditor-results",
)


def _area_entries() -> list[Entry]:
    entries = []
    for name in AREA_PAGES:
        entries += [
            Entry(name, AUDITOR_ONLY, args=_in_scope),
            Entry(name, NOBODY, args=_out_of_scope, label=f"{name} another provider's"),
            Entry(name, NOBODY, args=_same_provider_unlisted, label=f"{name} not listed"),
            Entry(name, ENDED, args=_ended, label=f"{name} after the end"),
            Entry(name, ENDED, args=_revoked, label=f"{name} after revocation"),
            # Read-only: a POST is refused before anything else.
            Entry(
                name,
                {**everyone(NOT_ALLOWED), "auditor": NOT_ALLOWED},
                args=_in_scope,
                method="post",
                label=f"{name} POST",
            ),
        ]
    for name in AREA_PAGES[1:]:
        allowed = name in ("quality:auditor-reviews",)
        entries.append(
            Entry(
                name,
                only({"auditor": OK if allowed else FORBIDDEN}, NOT_FOUND),
                args=_reviews_only,
                label=f"{name} with reviews alone granted",
            )
        )
    return entries


ENTRIES: list[Entry] = [
    Entry("quality:auditor-home", everyone(OK)),
    Entry("quality:auditor-grant-list", GRANTORS),
    Entry("quality:auditor-grant-add", GRANTORS),
    Entry(
        "quality:auditor-grant-add",
        {**GRANTORS, "admin": REDIRECT, "outsider": 400, "epao_admin": 400, "p2_admin": 400},
        method="post",
        data=_grant_data,
        label="quality:auditor-grant-add POST",
    ),
    Entry("quality:auditor-grant", GRANTOR, args=lambda ctx: [_grant(ctx).pk]),
    Entry(
        "quality:auditor-revoke",
        {**GRANTOR, "admin": REDIRECT},
        args=lambda ctx: [_grant(ctx).pk],
        method="post",
        label="quality:auditor-revoke POST",
    ),
    # The link: opened signed out (PUBLIC), it offers to take up the access; anyone signed in
    # with another account is refused and told nothing of the grant.
    Entry(
        "quality:auditor-invitation",
        everyone(FORBIDDEN),
        args=_invitation,
        label="quality:auditor-invitation by another account",
    ),
    Entry(
        "quality:auditor-invitation",
        everyone(FORBIDDEN),
        args=_invitation,
        method="post",
        label="quality:auditor-invitation POST by another account",
    ),
    Entry("quality:auditor-scope", AUDITOR_ONLY, args=lambda ctx: [_grant(ctx).pk]),
    Entry(
        "quality:auditor-scope",
        ENDED,
        args=lambda ctx: _ended(ctx)[:1],
        label="quality:auditor-scope after the end",
    ),
    Entry(
        "quality:auditor-scope",
        ENDED,
        args=lambda ctx: _revoked(ctx)[:1],
        label="quality:auditor-scope after revocation",
    ),
    *_area_entries(),
    Entry("quality:auditor-file", AUDITOR_ONLY, args=_file_in(SUBMITTED)),
    Entry(
        "quality:auditor-file",
        NOBODY,
        args=_file_in(HIDDEN),
        label="quality:auditor-file kept from the employer",
    ),
    Entry("quality:auditor-file", NOBODY, args=_file_in(DRAFT), label="quality:auditor-file draft"),
]
