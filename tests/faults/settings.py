"""Settings of the Celery worker the fault tests start as a process of its own: the test
settings, with real SMTP to the test's mail server and a sweep every half second."""

import os

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("FAULT_SMTP_PORT", "25"))
OUTBOX_DISPATCH_IN_BACKGROUND = True
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "outbox.tasks.sweep", "schedule": 0.5, "options": {"expires": 5}}
}
