from django.urls import include, path

from quality import views
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
]
