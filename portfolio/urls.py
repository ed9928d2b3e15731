from django.urls import path

from portfolio.views import reviews

app_name = "portfolio"

urlpatterns: list = [
    # Evidence, mapping, review and sign-off
    # Off-the-job training
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
