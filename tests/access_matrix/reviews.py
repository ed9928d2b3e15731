"""Progress reviews: who may see, plan, record and sign them, and the public link page."""

import datetime as dt

from django.utils import timezone

from portfolio.reviews.models import ReviewParty
from portfolio.reviews.services import reviews, scheduling
from tests.access_matrix.base import (
    FORBIDDEN,
    NOT_FOUND,
    OK,
    REDIRECT,
    VIEWERS,
    Entry,
    everyone,
    only,
)
from tests.helpers.reviews import record, send_link


def _apprenticeship(ctx):
    return [ctx["apprenticeship"].pk]


def _recorded(ctx):
    return [record(ctx).pk]


def _planned(ctx):
    review = scheduling.schedule_review(
        apprenticeship=ctx["apprenticeship"],
        by=ctx["tutor"],
        scheduled_for=timezone.localdate() + dt.timedelta(days=7),
    )
    return [review.pk]


def _version(ctx):
    return [record(ctx).pk, 1]


def _link(ctx):
    review = record(ctx)
    return [review.pk, send_link(ctx, review).token]


def _sign_data(ctx):
    # The view redirects back to the review whether or not this persona may sign as the
    # tutor (a refusal is a message on the page); the signing itself is tested elsewhere.
    return {"party": ReviewParty.TUTOR, "seal": "0" * 64, "confirm": "on"}


def _link_data(ctx):
    review = (
        reviews.Review.objects.with_current().filter(apprenticeship=ctx["apprenticeship"]).first()
    )
    return {"seal": reviews.seal_for(review.current_version, ReviewParty.EMPLOYER), "confirm": "on"}


# Tutors plan, record and change reviews and send links; everyone else on the
# apprenticeship may look (403); the assessor sees nothing before gateway (404).
TUTOR_ONLY = only(
    {"tutor": OK, "apprentice": FORBIDDEN, "employer": FORBIDDEN, "admin": FORBIDDEN}, NOT_FOUND
)
TUTOR_POST = only(
    {"tutor": REDIRECT, "apprentice": FORBIDDEN, "employer": FORBIDDEN, "admin": FORBIDDEN},
    NOT_FOUND,
)
# After gateway the assessor reads the signed reviews in the frozen portfolio only.
AFTER_GATEWAY = only(
    {"apprentice": OK, "employer": OK, "tutor": OK, "assessor": FORBIDDEN, "admin": OK}, NOT_FOUND
)

ENTRIES: list[Entry] = [
    Entry("portfolio:review-list", VIEWERS, args=_apprenticeship),
    Entry(
        "portfolio:review-list",
        AFTER_GATEWAY,
        args=_apprenticeship,
        state="post_gateway",
        label="portfolio:review-list after gateway",
    ),
    Entry("portfolio:review-detail", VIEWERS, args=_recorded),
    Entry(
        "portfolio:review-detail",
        AFTER_GATEWAY,
        args=_recorded,
        state="post_gateway",
        label="portfolio:review-detail after gateway",
    ),
    Entry("portfolio:review-version", VIEWERS, args=_version),
    Entry(
        "portfolio:review-version",
        AFTER_GATEWAY,
        args=_version,
        state="post_gateway",
        label="portfolio:review-version after gateway",
    ),
    Entry("portfolio:review-schedule", TUTOR_ONLY, args=_apprenticeship),
    Entry(
        "portfolio:review-schedule",
        TUTOR_POST,
        args=_apprenticeship,
        method="post",
        data=lambda ctx: {"scheduled_for": timezone.localdate().isoformat()},
        label="portfolio:review-schedule POST",
    ),
    Entry("portfolio:review-create", TUTOR_ONLY, args=_apprenticeship),
    Entry("portfolio:review-interval", TUTOR_ONLY, args=_apprenticeship),
    Entry("portfolio:review-record", TUTOR_ONLY, args=_recorded),
    Entry("portfolio:review-reschedule", TUTOR_ONLY, args=_planned),
    Entry("portfolio:review-cancel", TUTOR_ONLY, args=_planned),
    Entry(
        "portfolio:review-cancel",
        TUTOR_POST,
        args=_planned,
        method="post",
        data=lambda ctx: {"reason": "The apprentice is on leave."},
        label="portfolio:review-cancel POST",
    ),
    # Signing is a POST; the apprentice, the named employer signatory and the tutor sign.
    Entry(
        "portfolio:review-sign", everyone(405), args=_recorded, label="portfolio:review-sign GET"
    ),
    Entry(
        "portfolio:review-sign",
        only(
            {"apprentice": REDIRECT, "employer": REDIRECT, "tutor": REDIRECT, "admin": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_recorded,
        method="post",
        data=_sign_data,
        label="portfolio:review-sign POST",
    ),
    Entry(
        "portfolio:review-send-link",
        everyone(405),
        args=_recorded,
        label="portfolio:review-send-link GET",
    ),
    Entry(
        "portfolio:review-send-link",
        TUTOR_POST,
        args=_recorded,
        method="post",
        label="portfolio:review-send-link POST",
    ),
    # The emailed link works without signing in, for whoever holds it (see PUBLIC).
    Entry("portfolio:review-sign-by-link", everyone(OK), args=_link),
    Entry(
        "portfolio:review-sign-by-link",
        everyone(OK),
        args=_link,
        method="post",
        data=_link_data,
        label="portfolio:review-sign-by-link POST",
    ),
]
