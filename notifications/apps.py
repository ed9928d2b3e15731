from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Telling people about the events they wait on: an in-app list with unread marks and
    emails (each one, a daily digest, or none). The services below it queue one outbox
    job per event by name; this app works out who may see the object and writes one
    notification per person. It sits just below dashboards, above reports and epa."""

    name = "notifications"
    verbose_name = "Notifications"
