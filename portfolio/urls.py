from django.urls import path

from portfolio.views import otj

app_name = "portfolio"

urlpatterns: list = [
    # Evidence, mapping, review and sign-off
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
]
