"""The supervision log."""

from django.urls import path

from portfolio.supervision import views

urlpatterns = [
    path("apprenticeships/<int:pk>/supervision/", views.supervision_list, name="supervision-list"),
    path(
        "apprenticeships/<int:pk>/supervision/new/",
        views.supervision_add,
        name="supervision-add",
    ),
    path("supervision/<int:pk>/", views.supervision_detail, name="supervision-detail"),
    path("supervision/<int:pk>/sharing/", views.supervision_sharing, name="supervision-sharing"),
    path(
        "supervision/<int:pk>/use-as-evidence/",
        views.supervision_use_as_evidence,
        name="supervision-use-as-evidence",
    ),
    path(
        "supervision/<int:pk>/off-the-job/",
        views.supervision_log_otj,
        name="supervision-log-otj",
    ),
]
