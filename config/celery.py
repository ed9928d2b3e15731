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
    if name not in app.tasks:
        # Only a worker imports the tasks modules by itself; a web process or a management
        # command has to load them (autodiscovered above) before it can queue one.
        app.loader.import_default_modules()
    return app.tasks[name]
