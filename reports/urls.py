from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path(
        "apprenticeships/<int:pk>/reports/<str:kind>/",
        views.report_request,
        name="report-request",
    ),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/status/", views.report_status, name="report-status"),
    path("reports/<int:pk>/download/", views.report_download, name="report-download"),
]
