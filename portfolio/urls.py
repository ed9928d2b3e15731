"""The portfolio's pages, one URL module per part, in one namespace ("portfolio:")."""

from portfolio.evidence import urls as evidence_urls
from portfolio.reviews import urls as reviews_urls
from portfolio.supervision import urls as supervision_urls
from portfolio.training import urls as training_urls
from portfolio.wellbeing import urls as wellbeing_urls

app_name = "portfolio"

urlpatterns = [
    *evidence_urls.urlpatterns,
    *training_urls.urlpatterns,
    *reviews_urls.urlpatterns,
    *supervision_urls.urlpatterns,
    *wellbeing_urls.urlpatterns,
]
