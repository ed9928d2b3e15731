from django.urls import path

from dataio import views

app_name = "dataio"

urlpatterns = [
    path("caseload/export.csv", views.caseload_export, name="caseload-export"),
    path("overview/export.csv", views.provider_export, name="provider-export"),
    path(
        "overview/funding-return-off-the-job.csv",
        views.funding_return_export,
        name="funding-return-export",
    ),
    path("exports/<int:pk>/", views.export_detail, name="export-detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
    path("enrolments/import/", views.enrolment_import_upload, name="enrolment-import"),
    path(
        "enrolments/import/template.csv",
        views.enrolment_import_template,
        name="enrolment-import-template",
    ),
    path(
        "enrolments/import/<int:pk>/",
        views.enrolment_import_preview,
        name="enrolment-import-preview",
    ),
    path(
        "enrolments/import/<int:pk>/status/",
        views.enrolment_import_status,
        name="enrolment-import-status",
    ),
    path("my-records/", views.my_data, name="my-data"),
    path(
        "apprenticeships/<int:pk>/records-copy/",
        views.subject_access_on_behalf,
        name="subject-access-on-behalf",
    ),
    path(
        "records-copies/<int:pk>/download/",
        views.subject_access_download,
        name="subject-access-download",
    ),
    path("providers/<int:pk>/retention/", views.retention_policy, name="retention-policy"),
    path("apprenticeships/<int:pk>/legal-hold/", views.legal_hold, name="legal-hold"),
    path("legal-holds/<int:pk>/lift/", views.legal_hold_lift, name="legal-hold-lift"),
]
