"""Evidence, files, review, sign-off, testimonies and the private list of names."""

from portfolio.evidence.models import Evidence
from portfolio.evidence.services import evidence as services
from portfolio.evidence.services import sign_offs, testimony_requests
from portfolio.evidence.services import testimonies as testimonies_services
from standards.models import CompetenceFramework
from tests import factories, samples
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
from tests.helpers.evidence import make_evidence

# Drafts are the apprentice's alone.
APPRENTICE_ONLY = only({"apprentice": OK}, NOT_FOUND)
# After gateway the assessor reads only the frozen portfolio, never the live one.
AFTER_GATEWAY = only(
    {"apprentice": OK, "employer": OK, "tutor": OK, "assessor": FORBIDDEN, "admin": OK}, NOT_FOUND
)


def _apprenticeship(ctx):
    return [ctx["apprenticeship"].pk]


def _evidence(status, **extra):
    def build(ctx):
        return make_evidence(ctx["apprenticeship"], status=status, tutor=ctx["tutor"], **extra)

    return build


def _pk(build):
    return lambda ctx: [build(ctx).pk]


def _file(build):
    def make(ctx):
        evidence = build(ctx)
        if evidence.status == Evidence.Status.DRAFT:
            (file,) = services.add_files(
                evidence=evidence,
                by=ctx["apprentice"],
                files=[samples.upload("notes.pdf", samples.pdf())],
            )
            return [file.pk]
        draft = make_evidence(ctx["apprenticeship"])
        (file,) = services.add_files(
            evidence=draft, by=ctx["apprentice"], files=[samples.upload("n.pdf", samples.pdf())]
        )
        draft.visible_to_employer = evidence.visible_to_employer
        draft.save()
        services.submit_evidence(
            evidence=draft, by=ctx["apprentice"], own_work=True, names_no_one=True
        )
        return [file.pk]

    return make


def _sign_off(ctx):
    evidence = _evidence(Evidence.Status.ACCEPTED)(ctx)
    duty = evidence.duties.get()
    sign_off = sign_offs.sign_off_duty(
        apprenticeship=ctx["apprenticeship"],
        duty=duty,
        by=ctx["tutor"],
        evidence_versions=[evidence.accepted_version],
        comment="Covered.",
    )
    return [sign_off.pk]


def _duty(ctx):
    a = ctx["apprenticeship"]
    return [a.pk, a.standard_version.duties.order_by("number").first().pk]


def _testimony(ctx):
    return [factories.WitnessTestimonyFactory(apprenticeship=ctx["apprenticeship"]).pk]


def _private_name(ctx):
    return [
        testimonies_services.add_protected_name(apprenticeship=ctx["apprenticeship"], name="Dee").pk
    ]


def _asked(ctx, **witness):
    return testimony_requests.request_testimony(
        apprenticeship=ctx["apprenticeship"],
        by=ctx["apprentice"],
        activity="Running the peer group",
        **witness,
    )


def _asked_of_employer(ctx):
    return [_asked(ctx, witness=ctx["employer"]).pk]


def _testimony_link(ctx):
    asked = _asked(ctx, witness_name="Sam Outside", witness_email="sam@partner.example")
    return [asked.pk, asked.token]


def _testimony_data(ctx):
    return {"author_role": "Partner worker", "witnessed_on": "2024-01-10", "text": "Calm, kind."}


DRAFT = _evidence(Evidence.Status.DRAFT)
SUBMITTED = _evidence(Evidence.Status.SUBMITTED)
HIDDEN = _evidence(Evidence.Status.SUBMITTED, visible_to_employer=False)
ACCEPTED = _evidence(Evidence.Status.ACCEPTED)
APPRENTICE_ACTS = only(
    {"apprentice": REDIRECT, "employer": FORBIDDEN, "tutor": FORBIDDEN, "admin": FORBIDDEN},
    NOT_FOUND,
)
TUTOR_PAGE = only(
    {"tutor": OK, "apprentice": FORBIDDEN, "employer": FORBIDDEN, "admin": FORBIDDEN}, NOT_FOUND
)

ENTRIES: list[Entry] = [
    Entry("portfolio:evidence-list", VIEWERS, args=_apprenticeship),
    Entry(
        "portfolio:evidence-list",
        AFTER_GATEWAY,
        args=_apprenticeship,
        state="post_gateway",
        label="portfolio:evidence-list after gateway",
    ),
    Entry("portfolio:coverage", VIEWERS, args=_apprenticeship),
    Entry(
        "portfolio:evidence-start",
        only(
            {"apprentice": REDIRECT, "employer": FORBIDDEN, "tutor": FORBIDDEN, "admin": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_apprenticeship,
        method="post",
    ),
    Entry("portfolio:evidence-detail", VIEWERS, args=_pk(SUBMITTED)),
    Entry(
        "portfolio:evidence-detail",
        only({"apprentice": OK, "tutor": OK, "admin": OK}, NOT_FOUND),
        args=_pk(HIDDEN),
        label="portfolio:evidence-detail hidden from the employer",
    ),
    Entry(
        "portfolio:evidence-detail",
        APPRENTICE_ONLY,
        args=_pk(DRAFT),
        label="portfolio:evidence-detail draft",
    ),
    Entry(
        "portfolio:evidence-detail",
        AFTER_GATEWAY,
        args=_pk(SUBMITTED),
        state="post_gateway",
        label="portfolio:evidence-detail after gateway",
    ),
    Entry("portfolio:evidence-edit", APPRENTICE_ONLY, args=_pk(DRAFT)),
    Entry(
        "portfolio:evidence-edit",
        APPRENTICE_ACTS,
        args=_pk(SUBMITTED),
        label="portfolio:evidence-edit while waiting for review",
    ),
    Entry(
        "portfolio:evidence-autosave",
        APPRENTICE_ONLY,
        args=_pk(DRAFT),
        method="post",
        data=lambda ctx: {"kind": "work_record", "title": "Autosaved"},
    ),
    Entry(
        "portfolio:evidence-files-add",
        only({"apprentice": REDIRECT}, NOT_FOUND),
        args=_pk(DRAFT),
        method="post",
        # A real file, so the apprentice's upload succeeds (a refusal answers 400).
        data=lambda ctx: {"files": samples.upload("notes.txt", b"My notes from today.\n")},
    ),
    Entry("portfolio:evidence-submit", APPRENTICE_ONLY, args=_pk(DRAFT)),
    Entry("portfolio:evidence-take-back", APPRENTICE_ACTS, args=_pk(SUBMITTED), method="post"),
    Entry("portfolio:evidence-visibility", APPRENTICE_ACTS, args=_pk(SUBMITTED), method="post"),
    Entry("portfolio:evidence-review", TUTOR_PAGE, args=_pk(SUBMITTED)),
    Entry(
        "portfolio:evidence-review",
        only({"tutor": OK, "apprentice": FORBIDDEN, "admin": FORBIDDEN}, NOT_FOUND),
        args=_pk(HIDDEN),
        label="portfolio:evidence-review hidden from the employer",
    ),
    Entry(
        "portfolio:evidence-comment",
        only(
            {"apprentice": REDIRECT, "employer": REDIRECT, "tutor": REDIRECT, "admin": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_pk(SUBMITTED),
        method="post",
        data=lambda ctx: {"body": "Thank you."},
    ),
    Entry(
        "portfolio:evidence-version",
        VIEWERS,
        args=lambda ctx: [ACCEPTED(ctx).pk, 1],
    ),
    Entry("portfolio:file-download", VIEWERS, args=_file(SUBMITTED)),
    Entry(
        "portfolio:file-download",
        only({"apprentice": OK, "tutor": OK, "admin": OK}, NOT_FOUND),
        args=_file(HIDDEN),
        label="portfolio:file-download hidden from the employer",
    ),
    Entry(
        "portfolio:file-download",
        APPRENTICE_ONLY,
        args=_file(DRAFT),
        label="portfolio:file-download draft",
    ),
    Entry(
        "portfolio:file-remove",
        only({"apprentice": REDIRECT}, NOT_FOUND),
        args=_file(DRAFT),
        method="post",
    ),
    Entry("portfolio:duty-detail", VIEWERS, args=_duty),
    Entry("portfolio:duty-sign-off", TUTOR_PAGE, args=_duty),
    Entry("portfolio:sign-off-withdraw", TUTOR_PAGE, args=_sign_off),
    Entry("portfolio:testimony-list", VIEWERS, args=_apprenticeship),
    Entry(
        "portfolio:testimony-create",
        only(
            {"employer": OK, "apprentice": FORBIDDEN, "tutor": FORBIDDEN, "admin": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_apprenticeship,
    ),
    Entry("portfolio:testimony-detail", VIEWERS, args=_testimony),
    Entry(
        "portfolio:testimony-request-create",
        only(
            {"apprentice": OK, "tutor": OK, "employer": FORBIDDEN, "admin": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_apprenticeship,
    ),
    # Only the employer contact it was asked of writes it.
    Entry(
        "portfolio:testimony-request-write",
        only(
            {"employer": OK, "apprentice": FORBIDDEN, "tutor": FORBIDDEN, "admin": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_asked_of_employer,
    ),
    Entry(
        "portfolio:testimony-request-withdraw",
        only(
            {
                "apprentice": REDIRECT,
                "tutor": REDIRECT,
                "employer": FORBIDDEN,
                "admin": FORBIDDEN,
            },
            NOT_FOUND,
        ),
        args=_asked_of_employer,
        method="post",
    ),
    # The emailed link works without signing in, for whoever holds it (see PUBLIC).
    Entry("portfolio:testimony-by-link", everyone(OK), args=_testimony_link),
    Entry(
        "portfolio:testimony-by-link",
        everyone(OK),
        args=_testimony_link,
        method="post",
        data=_testimony_data,
        label="portfolio:testimony-by-link POST",
    ),
    Entry(
        "portfolio:private-names",
        only(
            {"apprentice": OK, "employer": FORBIDDEN, "tutor": FORBIDDEN, "admin": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_apprenticeship,
    ),
    Entry(
        "portfolio:private-name-remove",
        only({"apprentice": REDIRECT}, NOT_FOUND),
        args=_private_name,
        method="post",
    ),
]


def _nccmh(ctx):
    from standards.services import frameworks

    return frameworks.import_framework(
        data=frameworks.load_framework_file(frameworks.NCCMH_FIXTURE)
    )


ENTRIES += [
    Entry(
        "portfolio:framework-coverage",
        only({"apprentice": OK, "employer": OK, "tutor": OK, "admin": OK}, NOT_FOUND),
        args=_apprenticeship,
    ),
    Entry(
        "portfolio:framework-toggle",
        only(
            {"apprentice": FORBIDDEN, "employer": FORBIDDEN, "tutor": REDIRECT, "admin": REDIRECT},
            NOT_FOUND,
        ),
        # The framework is loaded with the arguments, before any request is counted.
        args=lambda ctx: [_nccmh(ctx) and ctx["apprenticeship"].pk],
        method="post",
        data=lambda ctx: {
            "framework": CompetenceFramework.objects.get(code="NCCMH-PSW-MH").pk,
            "on": "yes",
        },
    ),
    Entry("portfolio:evidence-framework-units", APPRENTICE_ONLY, args=_pk(DRAFT)),
    Entry(
        "portfolio:evidence-framework-units",
        only(
            {"apprentice": OK, "employer": FORBIDDEN, "tutor": FORBIDDEN, "admin": FORBIDDEN},
            NOT_FOUND,
        ),
        args=_pk(SUBMITTED),
        label="portfolio:evidence-framework-units on submitted evidence",
    ),
]
