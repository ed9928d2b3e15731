"""Foundation pages: accounts, dashboards, enrolments, organisations, standards."""

from apprenticeship.models import Role
from tests.access_matrix.base import (
    ADMIN_ONLY,
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    OPERATOR_ONLY,
    REDIRECT,
    VIEWERS,
    Entry,
    everyone,
    only,
)


def _apprenticeship(ctx):
    return [ctx["apprenticeship"].pk]


def _tutor_membership(ctx):
    return [ctx["apprenticeship"].memberships.get(role=Role.TUTOR).pk]


def _employer_org(ctx):
    return [ctx["apprenticeship"].employer_id]


def _standard(ctx):
    return [ctx["apprenticeship"].standard_version_id]


def _framework(ctx):
    from standards.services import frameworks

    data = frameworks.load_framework_file(frameworks.NCCMH_FIXTURE)
    return [frameworks.import_framework(data=data).pk]


def _provider_and_standard(ctx):
    a = ctx["apprenticeship"]
    return [a.provider_id, a.standard_version_id]


def _crosswalk(ctx):
    a = ctx["apprenticeship"]
    return [a.provider_id, _framework(ctx)[0], a.standard_version_id]


def _crosswalk_duty(ctx):
    a = ctx["apprenticeship"]
    return [a.provider_id, _framework(ctx)[0], a.standard_version.duties.first().pk]


def _one_unit(ctx):
    from standards.models import FrameworkUnit

    return {"units": [FrameworkUnit.objects.get(code="2.4").pk]}


def _invited_person(ctx):
    return [ctx["invited_person"].pk]


def _tutors_invitation(ctx):
    """A pending invitation for the tutor to work for the assessment organisation."""
    from apprenticeship.models import OrganisationInvitation

    invitation = OrganisationInvitation.objects.create(
        user=ctx["tutor"], organisation=ctx["apprenticeship"].epao, invited_by=ctx["admin"]
    )
    return [invitation.pk]


def _employer_with_two_factor(ctx):
    """The employer contact, with an authenticator app set up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=ctx["employer"], name="Authenticator app", confirmed=True)
    return [ctx["employer"].pk]


def _failed_job(about_apprenticeship: bool):
    def make(ctx):
        from outbox.models import OutboxMessage

        job = OutboxMessage.objects.create(
            task="outbox.tasks.send_email",
            key=f"matrix-{about_apprenticeship}",
            payload={"to": ["someone@example.org"], "subject": "Hello", "body": "Hello"},
            apprenticeship_id=ctx["apprenticeship"].pk if about_apprenticeship else None,
            status=OutboxMessage.Status.FAILED,
            last_error="The mail server refused the address.",
        )
        return [job.pk]

    return make


# Reachable without signing in. Anonymous requests to anything else must redirect to login.
PUBLIC = {
    "accounts:login": OK,
    "accounts:logout": NOT_ALLOWED,  # sign-out is a POST
    "accounts:invitation": OK,  # shows "this link no longer works" for a bad token
    "accounts:password-reset": OK,
    # The code after the password; without a password given first it goes back to sign in.
    "accounts:two-factor-verify": REDIRECT,
    "accounts:password-reset-sent": OK,
    "accounts:password-reset-confirm": OK,
    "accounts:password-reset-complete": OK,
    "healthz": OK,
    "favicon": OK,
    # An employer contact signs a progress review through a single-use emailed link.
    "portfolio:review-sign-by-link": OK,
    # A witness from outside writes a testimony through a single-use emailed link.
    "portfolio:testimony-by-link": OK,
}

# The second provider's people who administer nothing.
NON_ADMINS = dict.fromkeys(("p2_tutor", "p2_employer", "p2_apprentice"), FORBIDDEN)

ENTRIES: list[Entry] = [
    # Public pages, signed in: the login page sends a signed-in person home.
    Entry("accounts:login", everyone(REDIRECT)),
    Entry("accounts:logout", everyone(NOT_ALLOWED)),
    Entry("accounts:logout", everyone(REDIRECT), method="post", label="accounts:logout POST"),
    Entry("accounts:invitation", everyone(OK), args=lambda ctx: ["MQ", "bad-token"]),
    Entry("accounts:password-reset", everyone(OK)),
    Entry("accounts:password-reset-sent", everyone(OK)),
    Entry("accounts:password-reset-confirm", everyone(OK), args=lambda ctx: ["MQ", "bad"]),
    Entry("accounts:password-reset-complete", everyone(OK)),
    Entry("accounts:password-change", everyone(OK)),
    Entry("accounts:password-change-done", everyone(OK)),
    # Two-factor sign-in: everyone manages their own (no ids); the code page needs a
    # password given first, so a signed-in visit goes back to sign in (and on home).
    Entry("accounts:two-factor", everyone(OK)),
    Entry("accounts:two-factor-setup", everyone(OK)),
    Entry("accounts:two-factor-verify", everyone(REDIRECT)),
    Entry("healthz", everyone(OK)),
    Entry("favicon", everyone(OK)),
    # Home sends everyone to the page for their main role; someone with no role (the site
    # operator here) gets a welcome page.
    Entry("dashboards:home", only({"operator": OK, "epao_admin": REDIRECT}, REDIRECT)),
    # Role home pages list only what the role covers; anyone may open their own.
    Entry("dashboards:caseload", everyone(OK)),
    Entry("dashboards:employer-home", everyone(OK)),
    Entry("dashboards:assessor-home", everyone(OK)),
    Entry("dashboards:my-apprenticeships", everyone(OK)),
    # Site operators open the overview too, for the emails and jobs about no apprenticeship.
    Entry("dashboards:overview", only({"admin": OK, "outsider": OK, "operator": OK}, FORBIDDEN)),
    # Retrying a failed email or job: the provider admin of its apprenticeship only. A job
    # about no apprenticeship (an invitation) is for site operators only.
    Entry(
        "dashboards:job-retry",
        # Only admins look jobs up: anyone else is refused before that.
        only(
            {"admin": REDIRECT, "outsider": NOT_FOUND, "operator": NOT_FOUND, **NON_ADMINS},
            FORBIDDEN,
        ),
        args=_failed_job(about_apprenticeship=True),
        method="post",
    ),
    Entry(
        "dashboards:job-retry",
        only(
            {"admin": NOT_FOUND, "outsider": NOT_FOUND, "operator": REDIRECT, **NON_ADMINS},
            FORBIDDEN,
        ),
        args=_failed_job(about_apprenticeship=False),
        method="post",
        label="dashboards:job-retry about no apprenticeship",
    ),
    Entry(
        "dashboards:job-retry",
        everyone(NOT_ALLOWED),
        args=_failed_job(True),
        label="dashboards:job-retry GET",
    ),
    # One apprenticeship.
    Entry("dashboards:apprenticeship-detail", VIEWERS, args=_apprenticeship),
    Entry(
        "dashboards:apprenticeship-detail",
        only(
            {
                "apprentice": OK,
                "employer": OK,
                "tutor": OK,
                "assessor": OK,
                "admin": OK,
                "epao_admin": OK,
            },
            NOT_FOUND,
        ),
        args=_apprenticeship,
        state="post_gateway",
        label="dashboards:apprenticeship-detail after gateway",
    ),
    Entry(
        "apprenticeship:apprenticeship-history",
        only({"apprentice": OK, "tutor": OK, "admin": OK, "employer": FORBIDDEN}, NOT_FOUND),
        args=_apprenticeship,
    ),
    Entry(
        "apprenticeship:apprenticeship-edit",
        only(
            {"admin": OK, "apprentice": FORBIDDEN, "employer": FORBIDDEN, "tutor": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_apprenticeship,
    ),
    # Moving an enrolment to another version of its standard: the provider admin.
    Entry(
        "apprenticeship:apprenticeship-move-version",
        only(
            {"admin": OK, "apprentice": FORBIDDEN, "employer": FORBIDDEN, "tutor": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_apprenticeship,
    ),
    Entry("apprenticeship:apprenticeship-create", ADMIN_ONLY),
    Entry(
        "apprenticeship:member-add",
        only(
            {"admin": OK, "apprentice": FORBIDDEN, "employer": FORBIDDEN, "tutor": FORBIDDEN},
            NOT_FOUND,
        ),
        args=lambda ctx: [ctx["apprenticeship"].pk, "tutor"],
    ),
    Entry(
        "apprenticeship:member-end",
        only(
            {"admin": OK, "apprentice": FORBIDDEN, "employer": FORBIDDEN, "tutor": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_tutor_membership,
    ),
    # Organisations and people: admins of the managing provider only.
    Entry("apprenticeship:organisation-list", ADMIN_ONLY),
    # A provider's interim off-the-job minimums: its own admins only.
    Entry("apprenticeship:interim-minimums", ADMIN_ONLY),
    Entry(
        "apprenticeship:interim-minimum",
        only({"admin": OK}, NOT_FOUND),
        args=_provider_and_standard,
    ),
    Entry(
        "apprenticeship:interim-minimum",
        only({"admin": REDIRECT}, NOT_FOUND),
        args=_provider_and_standard,
        method="post",
        data=lambda ctx: {"hours": "336", "source": "48 days of 7 hours, the seed proposal"},
        label="apprenticeship:interim-minimum POST",
    ),
    # A provider's own settings: the supervision interval and its mapping of duties to
    # framework units. Its own admins only; another provider's admin sees nothing (404).
    Entry(
        "apprenticeship:supervision-interval",
        only({"admin": OK}, NOT_FOUND),
        args=lambda ctx: [ctx["apprenticeship"].provider_id],
    ),
    Entry(
        "apprenticeship:supervision-interval",
        only({"admin": REDIRECT}, NOT_FOUND),
        args=lambda ctx: [ctx["apprenticeship"].provider_id],
        method="post",
        data=lambda ctx: {"weeks": "8"},
        label="apprenticeship:supervision-interval POST",
    ),
    Entry(
        "apprenticeship:crosswalk-list",
        only({"admin": OK}, NOT_FOUND),
        args=lambda ctx: [ctx["apprenticeship"].provider_id],
    ),
    Entry("apprenticeship:crosswalk", only({"admin": OK}, NOT_FOUND), args=_crosswalk),
    Entry(
        "apprenticeship:crosswalk",
        only({"admin": REDIRECT}, NOT_FOUND),
        args=_crosswalk,
        method="post",
        label="apprenticeship:crosswalk POST",
    ),
    Entry("apprenticeship:crosswalk-duty", only({"admin": OK}, NOT_FOUND), args=_crosswalk_duty),
    Entry(
        "apprenticeship:crosswalk-duty",
        only({"admin": REDIRECT}, NOT_FOUND),
        args=_crosswalk_duty,
        method="post",
        data=_one_unit,
        label="apprenticeship:crosswalk-duty POST",
    ),
    Entry("apprenticeship:organisation-create", ADMIN_ONLY),
    Entry(
        "apprenticeship:organisation-detail",
        only({"admin": OK}, NOT_FOUND),
        args=_employer_org,
    ),
    Entry("apprenticeship:person-invite", ADMIN_ONLY),
    Entry(
        "apprenticeship:person-resend-invitation",
        only({"admin": REDIRECT}, NOT_FOUND),
        args=_invited_person,
        method="post",
    ),
    # Resetting a lost phone: admins of the organisations the person works for.
    Entry(
        "apprenticeship:person-reset-two-factor",
        only({"admin": REDIRECT}, NOT_FOUND),
        args=_employer_with_two_factor,
        method="post",
    ),
    # Invitations to work for an organisation: only the invited person answers theirs.
    Entry("apprenticeship:invitation-list", everyone(OK)),
    Entry(
        "apprenticeship:invitation-accept",
        only({"tutor": REDIRECT}, NOT_FOUND),
        args=_tutors_invitation,
        method="post",
    ),
    Entry(
        "apprenticeship:invitation-decline",
        only({"tutor": REDIRECT}, NOT_FOUND),
        args=_tutors_invitation,
        method="post",
    ),
    # Standards are reference data: everyone signed in reads them; the site operator imports.
    Entry("standards:standard-list", everyone(OK)),
    Entry("standards:standard-detail", everyone(OK), args=_standard),
    Entry("standards:framework-detail", everyone(OK), args=_framework),
    Entry("standards:standard-import", OPERATOR_ONLY),
]
