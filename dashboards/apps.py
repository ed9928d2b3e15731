from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The pages that bring every area together: each role's home and the apprenticeship
    page. It sits above the other apps (standards ← apprenticeship ← portfolio ← epa ←
    dashboards) so it can show a summary of each without them importing each other."""

    name = "dashboards"
