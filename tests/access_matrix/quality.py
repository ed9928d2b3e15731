"""Quality assurance: moderation at the assessment organisation. Its admin sets the
moderation policy and names moderators; the moderator (MODERATOR persona, who works for the
first apprenticeship's assessment organisation) decides results sampled there; the
assessor reads the case but never decides it. A case at another organisation is out of
scope for everyone here."""

import datetime as dt

from django.utils import timezone

from apprenticeship.models import Role
from quality.models import ModerationCase
from quality.services import moderation
from tests import factories
from tests.access_matrix.base import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Entry, only
from tests.access_matrix.epa import _methods, _ready
from tests.helpers.epa import confirm, pass_gateway, record_method


def _policy(ctx, epao=None):
    epao = epao or ctx["apprenticeship"].epao
    admin = factories.UserFactory()
    factories.OrganisationMembershipFactory(user=admin, organisation=epao, is_admin=True)
    moderation.set_moderation_policy(
        epao=epao, by=admin, is_active=True, all_highest=True, all_fails=True, pass_percent=10
    )


def _held_case(ctx):
    """The first apprenticeship's distinction, waiting for a moderator."""
    _policy(ctx)
    apprenticeship = _ready(ctx)
    methods = _methods(ctx)
    record_method(apprenticeship, methods["AM1"], ctx["assessor"], grade="pass")
    record_method(apprenticeship, methods["AM2"], ctx["assessor"], grade="distinction")
    return [ModerationCase.objects.get(round=confirm(apprenticeship, ctx["assessor"])).pk]


def _case_elsewhere(ctx):
    """A result held at another assessment organisation, on another apprenticeship."""
    _methods(ctx)
    epao = factories.EPAOFactory(name="Elsewhere EPA")
    other = pass_gateway(
        factories.ApprenticeshipFactory(
            standard_version=ctx["apprenticeship"].standard_version, epao=epao
        )
    )
    assessor = factories.UserFactory()
    factories.OrganisationMembershipFactory(user=assessor, organisation=epao)
    factories.MembershipFactory(apprenticeship=other, user=assessor, role=Role.ASSESSOR)
    from epa.services import assessment as services

    services.declare_no_conflict(apprenticeship=other, assessor=assessor)
    _policy(ctx, epao)
    methods = _methods(ctx)
    record_method(other, methods["AM1"], assessor, grade="fail")
    record_method(other, methods["AM2"], assessor, grade="pass")
    return [ModerationCase.objects.get(round=confirm(other, assessor)).pk]


def _epao(ctx):
    return [ctx["apprenticeship"].epao_id]


# The organisation's settings: its admins only; nobody else learns it exists.
SETTINGS = only({"epao_admin": OK, "moderator": NOT_FOUND}, NOT_FOUND)
# The sampled result: those who read the assessment record read it; the apprenticeship's
# other people are refused; the moderator alone decides.
CASE_READERS = only(
    {
        "assessor": OK,
        "epao_admin": OK,
        "moderator": OK,
        "apprentice": FORBIDDEN,
        "employer": FORBIDDEN,
        "tutor": FORBIDDEN,
        "admin": FORBIDDEN,
    },
    NOT_FOUND,
)
CASE_DECIDERS = {
    **CASE_READERS,
    "assessor": FORBIDDEN,
    "epao_admin": FORBIDDEN,
    "moderator": REDIRECT,
}


def _released_pass(ctx):
    """The first apprenticeship's distinction, released at once (no moderation policy)."""
    apprenticeship = _ready(ctx)
    methods = _methods(ctx)
    record_method(apprenticeship, methods["AM1"], ctx["assessor"], grade="pass")
    record_method(apprenticeship, methods["AM2"], ctx["assessor"], grade="distinction")
    return [confirm(apprenticeship, ctx["assessor"]).pk]


# The certificate request: the assessment organisation's admin records it.
CERTIFICATE = only(
    {
        "epao_admin": OK,
        "moderator": FORBIDDEN,
        "assessor": FORBIDDEN,
        "apprentice": FORBIDDEN,
        "employer": FORBIDDEN,
        "tutor": FORBIDDEN,
        "admin": FORBIDDEN,
    },
    NOT_FOUND,
)


def _booking(ctx):
    from quality.services import bookings

    apprenticeship = _ready(ctx)
    booking = bookings.book_session(
        apprenticeship=apprenticeship,
        by=ctx["epao_admin"],
        method=_methods(ctx)["AM1"],
        starts_at=timezone.now() + dt.timedelta(days=14),
        place="Riverside Service, meeting room 2",
        video_link="",
        assessor=ctx["assessor"],
    )
    return [booking.pk]


def _booking_data(ctx):
    return {
        "method": _methods(ctx)["AM2"].pk,
        "starts_at": (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "place": "",
        "video_link": "https://video.example.org/room/7",
        "assessor": ctx["assessor"].pk,
    }


# Booked sessions: everyone on the apprenticeship after gateway sees them; the assessment
# organisation's admin books; the apprentice and the employer ask to rearrange.
BOOKING_READERS = only(
    {
        "apprentice": OK,
        "employer": OK,
        "tutor": OK,
        "admin": OK,
        "assessor": OK,
        "epao_admin": OK,
        "moderator": OK,
    },
    NOT_FOUND,
)
BOOKERS = only(
    {
        "epao_admin": OK,
        "moderator": FORBIDDEN,
        "assessor": FORBIDDEN,
        "apprentice": FORBIDDEN,
        "employer": FORBIDDEN,
        "tutor": FORBIDDEN,
        "admin": FORBIDDEN,
    },
    NOT_FOUND,
)
REARRANGERS = only(
    {
        "apprentice": OK,
        "employer": OK,
        "epao_admin": FORBIDDEN,
        "moderator": FORBIDDEN,
        "assessor": FORBIDDEN,
        "tutor": FORBIDDEN,
        "admin": FORBIDDEN,
    },
    NOT_FOUND,
)

ENTRIES: list[Entry] = [
    Entry(
        "quality:booking-list",
        BOOKING_READERS,
        args=lambda ctx: [_ready(ctx).pk],
        state="post_gateway",
    ),
    Entry(
        "quality:booking-list",
        only({}, NOT_FOUND),
        args=lambda ctx: [ctx["apprenticeship"].pk],
        label="quality:booking-list before gateway",
    ),
    Entry("quality:booking-add", BOOKERS, args=lambda ctx: [_ready(ctx).pk], state="post_gateway"),
    Entry(
        "quality:booking-add",
        {**BOOKERS, "epao_admin": REDIRECT},
        args=lambda ctx: [_ready(ctx).pk],
        state="post_gateway",
        method="post",
        data=_booking_data,
        label="quality:booking-add POST",
    ),
    Entry("quality:booking-rearrange", REARRANGERS, args=_booking, state="post_gateway"),
    Entry(
        "quality:booking-rearrange",
        {**REARRANGERS, "apprentice": REDIRECT, "employer": REDIRECT},
        args=_booking,
        state="post_gateway",
        method="post",
        data=lambda ctx: {"reason": "I am on a training course that week."},
        label="quality:booking-rearrange POST",
    ),
    Entry("quality:certificate-request", CERTIFICATE, args=_released_pass, state="post_gateway"),
    Entry(
        "quality:certificate-request",
        {**CERTIFICATE, "epao_admin": REDIRECT},
        args=_released_pass,
        state="post_gateway",
        method="post",
        data=lambda ctx: {"requested_on": timezone.localdate().isoformat()},
        label="quality:certificate-request POST",
    ),
    Entry("quality:moderation-settings", SETTINGS, args=_epao),
    Entry(
        "quality:moderation-settings",
        {**SETTINGS, "epao_admin": REDIRECT},
        args=_epao,
        method="post",
        data=lambda ctx: {"is_active": "on", "all_fails": "on", "pass_percent": "15"},
        label="quality:moderation-settings POST",
    ),
    Entry(
        "quality:moderation-list",
        only({"epao_admin": OK, "moderator": OK}, FORBIDDEN),
    ),
    Entry("quality:moderation-case", CASE_READERS, args=_held_case, state="post_gateway"),
    Entry(
        "quality:moderation-case",
        CASE_DECIDERS,
        args=_held_case,
        state="post_gateway",
        method="post",
        data=lambda ctx: {"decision": "confirm", "reason": ""},
        label="quality:moderation-case POST (only the moderator decides)",
    ),
    Entry(
        "quality:moderation-case",
        only({"epao_admin": NOT_FOUND, "moderator": NOT_FOUND}, NOT_FOUND),
        args=_case_elsewhere,
        label="quality:moderation-case at another organisation",
    ),
    Entry(
        "quality:moderation-case",
        only({"epao_admin": NOT_FOUND, "moderator": NOT_FOUND}, NOT_FOUND),
        args=_case_elsewhere,
        method="post",
        data=lambda ctx: {"decision": "confirm", "reason": ""},
        label="quality:moderation-case POST at another organisation",
    ),
]
