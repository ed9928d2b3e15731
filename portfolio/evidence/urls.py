"""Evidence, mapping, files, review, duty sign-offs and witness testimonies."""

from django.urls import path

from portfolio.evidence.views import duties, evidence, files, frameworks, testimonies

urlpatterns = [
    path("apprenticeships/<int:pk>/evidence/", evidence.evidence_list, name="evidence-list"),
    path("apprenticeships/<int:pk>/evidence/new/", evidence.evidence_start, name="evidence-start"),
    path("apprenticeships/<int:pk>/coverage/", evidence.coverage, name="coverage"),
    path(
        "apprenticeships/<int:pk>/coverage/frameworks/",
        frameworks.framework_coverage,
        name="framework-coverage",
    ),
    path(
        "apprenticeships/<int:pk>/frameworks/",
        frameworks.framework_toggle,
        name="framework-toggle",
    ),
    path(
        "evidence/<int:pk>/framework-units/",
        frameworks.evidence_framework_units,
        name="evidence-framework-units",
    ),
    path("evidence/<int:pk>/", evidence.evidence_detail, name="evidence-detail"),
    path("evidence/<int:pk>/edit/", evidence.evidence_edit, name="evidence-edit"),
    path("evidence/<int:pk>/autosave/", evidence.evidence_autosave, name="evidence-autosave"),
    path("evidence/<int:pk>/files/", files.evidence_files_add, name="evidence-files-add"),
    path("evidence/<int:pk>/submit/", evidence.evidence_submit, name="evidence-submit"),
    path("evidence/<int:pk>/take-back/", evidence.evidence_take_back, name="evidence-take-back"),
    path("evidence/<int:pk>/visibility/", evidence.evidence_visibility, name="evidence-visibility"),
    path("evidence/<int:pk>/review/", evidence.evidence_review, name="evidence-review"),
    path("evidence/<int:pk>/comments/", evidence.evidence_comment, name="evidence-comment"),
    path(
        "evidence/<int:pk>/versions/<int:number>/",
        evidence.evidence_version,
        name="evidence-version",
    ),
    path("files/<int:pk>/", files.file_download, name="file-download"),
    path("files/<int:pk>/remove/", files.file_remove, name="file-remove"),
    path(
        "apprenticeships/<int:pk>/duties/<int:duty_pk>/",
        duties.duty_detail,
        name="duty-detail",
    ),
    path(
        "apprenticeships/<int:pk>/duties/<int:duty_pk>/sign-off/",
        duties.duty_sign_off,
        name="duty-sign-off",
    ),
    path("sign-offs/<int:pk>/withdraw/", duties.sign_off_withdraw, name="sign-off-withdraw"),
    path(
        "apprenticeships/<int:pk>/testimonies/", testimonies.testimony_list, name="testimony-list"
    ),
    path(
        "apprenticeships/<int:pk>/testimonies/new/",
        testimonies.testimony_create,
        name="testimony-create",
    ),
    path("testimonies/<int:pk>/", testimonies.testimony_detail, name="testimony-detail"),
    path(
        "apprenticeships/<int:pk>/testimonies/ask/",
        testimonies.testimony_request_create,
        name="testimony-request-create",
    ),
    path(
        "testimony-requests/<int:pk>/write/",
        testimonies.testimony_request_write,
        name="testimony-request-write",
    ),
    path(
        "testimony-requests/<int:pk>/withdraw/",
        testimonies.testimony_request_withdraw,
        name="testimony-request-withdraw",
    ),
    # The emailed link for a witness from outside: public, no sign-in.
    path(
        "testimony/<int:pk>/<str:token>/",
        testimonies.testimony_by_link,
        name="testimony-by-link",
    ),
    path(
        "apprenticeships/<int:pk>/private-names/",
        testimonies.private_names,
        name="private-names",
    ),
    path(
        "private-names/<int:pk>/remove/",
        testimonies.private_name_remove,
        name="private-name-remove",
    ),
]
