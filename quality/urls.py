from django.urls import include, path

from quality import auditor_views, views
from quality.iqa import urls as iqa_urls

app_name = "quality"

urlpatterns = [
    path(
        "assessment-organisations/<int:pk>/moderation/",
        views.moderation_settings,
        name="moderation-settings",
    ),
    path("moderation/", views.moderation_list, name="moderation-list"),
    path("moderation/<int:pk>/", views.moderation_case, name="moderation-case"),
    path("apprenticeships/<int:pk>/bookings/", views.booking_list, name="booking-list"),
    path("apprenticeships/<int:pk>/bookings/new/", views.booking_add, name="booking-add"),
    path(
        "assessment-bookings/<int:pk>/rearrange/",
        views.booking_rearrange,
        name="booking-rearrange",
    ),
    path(
        "assessment-rounds/<int:pk>/certificate-request/",
        views.certificate_request,
        name="certificate-request",
    ),
    path("iqa/", include(iqa_urls.urlpatterns)),
    # A scoped, time-limited auditor (quality/auditors.py)
    path("auditor/", auditor_views.auditor_home, name="auditor-home"),
    path("auditor/grants/", auditor_views.grant_list, name="auditor-grant-list"),
    path("auditor/grants/new/", auditor_views.grant_add, name="auditor-grant-add"),
    path("auditor/grants/<int:pk>/", auditor_views.grant_detail, name="auditor-grant"),
    path("auditor/grants/<int:pk>/revoke/", auditor_views.grant_revoke, name="auditor-revoke"),
    path(
        "auditor/invitation/<int:pk>/<str:token>/",
        auditor_views.invitation,
        name="auditor-invitation",
    ),
    path("auditor/access/<int:pk>/", auditor_views.scope_list, name="auditor-scope"),
    path(
        "auditor/access/<int:pk>/apprenticeships/<int:apprenticeship_pk>/",
        auditor_views.apprenticeship_summary,
        name="auditor-apprenticeship",
    ),
    path(
        "auditor/access/<int:pk>/apprenticeships/<int:apprenticeship_pk>/portfolio/",
        auditor_views.portfolio,
        name="auditor-portfolio",
    ),
    path(
        "auditor/access/<int:pk>/apprenticeships/<int:apprenticeship_pk>/files/<int:file_pk>/",
        auditor_views.evidence_file,
        name="auditor-file",
    ),
    path(
        "auditor/access/<int:pk>/apprenticeships/<int:apprenticeship_pk>/off-the-job/",
        auditor_views.otj_log,
        name="auditor-otj",
    ),
    path(
        "auditor/access/<int:pk>/apprenticeships/<int:apprenticeship_pk>/reviews/",
        auditor_views.reviews,
        name="auditor-reviews",
    ),
    path(
        "auditor/access/<int:pk>/apprenticeships/<int:apprenticeship_pk>/gateway/",
        auditor_views.gateway,
        name="auditor-gateway",
    ),
    path(
        "auditor/access/<int:pk>/apprenticeships/<int:apprenticeship_pk>/results/",
        auditor_views.results,
        name="auditor-results",
    ),
]
