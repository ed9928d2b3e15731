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
]
