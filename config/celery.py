import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("peerfolio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The portfolio keeps its background jobs with the part they serve.
app.autodiscover_tasks(["portfolio.reviews"])


def task(name: str) -> Task:
    """The registered task called `name`. Services queue work through this, after commit, so
    they never import a tasks module: tasks import services, never the other way round."""
    return app.tasks[name]
