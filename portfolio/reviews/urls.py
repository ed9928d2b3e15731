"""Progress reviews, their signatures and the emailed signing link."""

from django.urls import path

from portfolio.reviews import views

urlpatterns = [
    path("apprenticeships/<int:pk>/reviews/", views.review_list, name="review-list"),
    path(
        "apprenticeships/<int:pk>/reviews/plan/",
        views.review_schedule_new,
        name="review-schedule",
    ),
    path("apprenticeships/<int:pk>/reviews/new/", views.review_create, name="review-create"),
    path(
        "apprenticeships/<int:pk>/reviews/interval/",
        views.review_interval,
        name="review-interval",
    ),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path(
        "reviews/<int:pk>/versions/<int:number>/",
        views.review_version,
        name="review-version",
    ),
    path("reviews/<int:pk>/record/", views.review_record, name="review-record"),
    path("reviews/<int:pk>/move/", views.review_reschedule, name="review-reschedule"),
    path("reviews/<int:pk>/call-off/", views.review_cancel, name="review-cancel"),
    path("reviews/<int:pk>/sign/", views.review_sign, name="review-sign"),
    path("reviews/<int:pk>/send-link/", views.review_send_link, name="review-send-link"),
    # The emailed signing link: public, no sign-in.
    path(
        "review-signing/<int:pk>/<str:token>/",
        views.review_sign_by_link,
        name="review-sign-by-link",
    ),
]
