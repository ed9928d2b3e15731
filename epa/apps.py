from django.apps import AppConfig


class EpaConfig(AppConfig):
    name = "epa"
