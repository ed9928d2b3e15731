from django.urls import include, path

from config import favicon, health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("standards/", include("standards.urls")),
    path("", include("apprenticeship.urls")),
    path("", include("portfolio.urls")),
    path("", include("epa.urls")),
    path("", include("quality.urls")),
    path("", include("reports.urls")),
    path("", include("notifications.urls")),
    path("", include("dataio.urls")),
    path("", include("dashboards.urls")),
]
