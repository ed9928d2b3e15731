from django.urls import include, path

from apprenticeship import views as apprenticeship_views
from config import health

urlpatterns = [
    path("", apprenticeship_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("standards/", include("standards.urls")),
    path("", include("apprenticeship.urls")),
]
