import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("peerfolio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The portfolio keeps its background jobs with the part they serve.
app.autodiscover_tasks(["portfolio.reviews", "portfolio.evidence"])
# Services never queue a task directly: they write an outbox message (outbox/services.py),
# which names the task; the outbox hands it to Celery after commit.
