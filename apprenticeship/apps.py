from django.apps import AppConfig


class ApprenticeshipConfig(AppConfig):
    name = "apprenticeship"
    verbose_name = "Apprenticeships"
