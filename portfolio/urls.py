from django.urls import path

from portfolio.views import evidence, otj, reviews, testimonies

app_name = "portfolio"

urlpatterns = [
    # Evidence, mapping, review and sign-off
    path("apprenticeships/<int:pk>/evidence/", evidence.evidence_list, name="evidence-list"),
    path("apprenticeships/<int:pk>/evidence/new/", evidence.evidence_start, name="evidence-start"),
    path("apprenticeships/<int:pk>/coverage/", evidence.coverage, name="coverage"),
    path("evidence/<int:pk>/", evidence.evidence_detail, name="evidence-detail"),
    path("evidence/<int:pk>/edit/", evidence.evidence_edit, name="evidence-edit"),
    path("evidence/<int:pk>/autosave/", evidence.evidence_autosave, name="evidence-autosave"),
    path("evidence/<int:pk>/files/", evidence.evidence_files_add, name="evidence-files-add"),
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
    path("files/<int:pk>/", evidence.file_download, name="file-download"),
    path("files/<int:pk>/remove/", evidence.file_remove, name="file-remove"),
    path(
        "apprenticeships/<int:pk>/duties/<int:duty_pk>/",
        evidence.duty_detail,
        name="duty-detail",
    ),
    path(
        "apprenticeships/<int:pk>/duties/<int:duty_pk>/sign-off/",
        evidence.duty_sign_off,
        name="duty-sign-off",
    ),
    path("sign-offs/<int:pk>/withdraw/", evidence.sign_off_withdraw, name="sign-off-withdraw"),
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
        "apprenticeships/<int:pk>/private-names/",
        testimonies.private_names,
        name="private-names",
    ),
    path(
        "private-names/<int:pk>/remove/",
        testimonies.private_name_remove,
        name="private-name-remove",
    ),
    # Off-the-job training
    path("apprenticeships/<int:pk>/off-the-job/", otj.otj_summary, name="otj-summary"),
    path("apprenticeships/<int:pk>/off-the-job/log/", otj.otj_log, name="otj-log"),
    path("apprenticeships/<int:pk>/off-the-job/log/new/", otj.otj_entry_add, name="otj-entry-add"),
    path(
        "apprenticeships/<int:pk>/off-the-job/log/verify/",
        otj.otj_verify_many,
        name="otj-verify-many",
    ),
    path("apprenticeships/<int:pk>/off-the-job/log.csv", otj.otj_log_csv, name="otj-log-csv"),
    path(
        "apprenticeships/<int:pk>/off-the-job/summary.csv",
        otj.otj_summary_csv,
        name="otj-summary-csv",
    ),
    path("apprenticeships/<int:pk>/off-the-job/plan/", otj.otj_plan_edit, name="otj-plan"),
    path(
        "apprenticeships/<int:pk>/off-the-job/breaks/new/",
        otj.otj_break_add,
        name="otj-break-add",
    ),
    path("off-the-job/entries/<int:pk>/", otj.otj_entry_detail, name="otj-entry-detail"),
    path("off-the-job/entries/<int:pk>/change/", otj.otj_entry_edit, name="otj-entry-edit"),
    path("off-the-job/entries/<int:pk>/verify/", otj.otj_entry_verify, name="otj-entry-verify"),
    path("off-the-job/entries/<int:pk>/reject/", otj.otj_entry_reject, name="otj-entry-reject"),
    path("off-the-job/breaks/<int:pk>/change/", otj.otj_break_edit, name="otj-break-edit"),
    path("off-the-job/breaks/<int:pk>/cancel/", otj.otj_break_cancel, name="otj-break-cancel"),
    # Progress reviews
    path("apprenticeships/<int:pk>/reviews/", reviews.review_list, name="review-list"),
    path(
        "apprenticeships/<int:pk>/reviews/plan/",
        reviews.review_schedule_new,
        name="review-schedule",
    ),
    path("apprenticeships/<int:pk>/reviews/new/", reviews.review_create, name="review-create"),
    path(
        "apprenticeships/<int:pk>/reviews/interval/",
        reviews.review_interval,
        name="review-interval",
    ),
    path("reviews/<int:pk>/", reviews.review_detail, name="review-detail"),
    path(
        "reviews/<int:pk>/versions/<int:number>/",
        reviews.review_version,
        name="review-version",
    ),
    path("reviews/<int:pk>/record/", reviews.review_record, name="review-record"),
    path("reviews/<int:pk>/move/", reviews.review_reschedule, name="review-reschedule"),
    path("reviews/<int:pk>/call-off/", reviews.review_cancel, name="review-cancel"),
    path("reviews/<int:pk>/sign/", reviews.review_sign, name="review-sign"),
    path("reviews/<int:pk>/send-link/", reviews.review_send_link, name="review-send-link"),
    # The emailed signing link: public, no sign-in.
    path(
        "review-signing/<int:pk>/<str:token>/",
        reviews.review_sign_by_link,
        name="review-sign-by-link",
    ),
]
