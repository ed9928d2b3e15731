from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Every side effect that leaves the database (a background job, an email) is written
    here first, in the same transaction as the change that causes it, and handed to Celery
    after commit. It sits at the bottom with audit: everyone writes into it, it imports
    none of them."""

    name = "outbox"
    verbose_name = "Outbox"
