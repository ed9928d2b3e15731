"""The off-the-job training log, its plan and breaks in learning."""

from django.urls import path

from portfolio.training.views import log, plan, summary

urlpatterns = [
    path("apprenticeships/<int:pk>/off-the-job/", summary.otj_summary, name="otj-summary"),
    path("apprenticeships/<int:pk>/off-the-job/log/", log.otj_log, name="otj-log"),
    path("apprenticeships/<int:pk>/off-the-job/log/new/", log.otj_entry_add, name="otj-entry-add"),
    path(
        "apprenticeships/<int:pk>/off-the-job/log/verify/",
        log.otj_verify_many,
        name="otj-verify-many",
    ),
    path("apprenticeships/<int:pk>/off-the-job/log.csv", log.otj_log_csv, name="otj-log-csv"),
    path(
        "apprenticeships/<int:pk>/off-the-job/summary.csv",
        summary.otj_summary_csv,
        name="otj-summary-csv",
    ),
    path("apprenticeships/<int:pk>/off-the-job/plan/", plan.otj_plan_edit, name="otj-plan"),
    path(
        "apprenticeships/<int:pk>/off-the-job/schedule/",
        plan.otj_schedule_edit,
        name="otj-schedule",
    ),
    path(
        "apprenticeships/<int:pk>/off-the-job/breaks/new/",
        plan.otj_break_add,
        name="otj-break-add",
    ),
    path("off-the-job/entries/<int:pk>/", log.otj_entry_detail, name="otj-entry-detail"),
    path("off-the-job/entries/<int:pk>/change/", log.otj_entry_edit, name="otj-entry-edit"),
    path("off-the-job/entries/<int:pk>/verify/", log.otj_entry_verify, name="otj-entry-verify"),
    path("off-the-job/entries/<int:pk>/reject/", log.otj_entry_reject, name="otj-entry-reject"),
    path("off-the-job/breaks/<int:pk>/change/", plan.otj_break_edit, name="otj-break-edit"),
    path("off-the-job/breaks/<int:pk>/cancel/", plan.otj_break_cancel, name="otj-break-cancel"),
]
