"""Test settings: real PostgreSQL and Redis on localhost, nothing eager."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peerfolio")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="peerfolio-test-media-"))
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)

from config.settings.base import *  # noqa: E402, F403

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests hand outbox messages to the broker in the committing thread, so what a test sees
# does not depend on a thread's timing; the fault tests turn the background thread on.
OUTBOX_DISPATCH_IN_BACKGROUND = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME")}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "peerfolio-test"  # noqa: F405
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="peerfolio-test-static-"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
