from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """PDF reports (the portfolio and the gateway pack), built by Celery with WeasyPrint.
    It sits above epa (standards ← apprenticeship ← portfolio ← epa ← reports ←
    dashboards) because a report shows every area."""

    name = "reports"
