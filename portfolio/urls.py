from django.urls import path  # noqa: F401

app_name = "portfolio"

urlpatterns: list = [
    # Evidence, mapping, review and sign-off
    # Off-the-job training
    # Progress reviews
]
