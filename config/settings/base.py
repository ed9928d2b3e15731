"""All settings. Production differs from development only in environment values.

Every variable read here is listed, with a safe development value, in `.env.example`.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("APP_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "audit",
    "outbox",
    "standards",
    "apprenticeship",
    "portfolio",
    "epa",
    "quality",
    "reports",
    "notifications",
    "dataio",
    "demo",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so it knows who is signed in.
    "config.middleware.NoStoreForSignedInPagesMiddleware",
    # Sends staff who have not set up two-factor sign-in to do so before anything else.
    "accounts.middleware.TwoFactorSetupMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # AxesMiddleware must be last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]
# For bin/benchmark-pages only: each response says how many queries it ran.
if env_bool("QUERY_COUNT_HEADER", False):
    MIDDLEWARE.insert(0, "config.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apprenticeship.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite on disk unless DATABASE_URL points elsewhere (PostgreSQL in production).
if not env_str("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Each thread keeps its connection (checked before each request) for ten minutes:
        # what PostgreSQL has prepared and cached for it goes when the connection does.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
# On PostgreSQL, each query goes to the server with its parameters apart from its text,
# and once a connection has run the same query 5 times it is prepared: PostgreSQL then
# parses it once per connection and, where its generic plan costs no more than planning
# afresh, stops planning it on every request. Planning is a fifth to a half of what the
# busiest pages spend in the database. Set DATABASE_PREPARED_STATEMENTS=false behind a
# connection pooler in transaction mode (PgBouncer without max_prepared_statements).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Invitation and password links stay valid for a week.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_LINK_TIMEOUT_SECONDS", 7 * 24 * 3600)

# Failed logins are throttled per account and client address together: the account is the
# email address stripped and case-folded (accounts/lockout.py), so "Jo@Example.org " and
# "jo@example.org" share one count. Keyed on both together, a correct sign-in clears only
# its own account's count from that address, never another account's.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The sign-in form posts the email address as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_VERBOSE = False

# Two-factor sign-in (TOTP from an authenticator app, with single-use recovery codes).
# Required for provider admins, assessment organisation admins and site operators unless
# this is off (bin/run's demo turns it off); offered to everyone else.
REQUIRE_TWO_FACTOR_FOR_STAFF = env_bool("REQUIRE_TWO_FACTOR_FOR_STAFF", True)
# Who counts as staff: a function of the user, named in a string because it lives in a
# higher layer (apprenticeship) than accounts.
TWO_FACTOR_STAFF_CHECK = "apprenticeship.access.must_use_two_factor"
OTP_TOTP_ISSUER = "Peer worker portfolio"

# Signed out after this long without a request. The session is renewed at most once a
# minute (config.middleware.IdleSessionMiddleware) rather than written on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120) * 60
SESSION_RENEW_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# One language, British English: dates, numbers and form input still follow the en-GB
# formats (LANGUAGE_CODE). The translation machinery is off (USE_I18N, which Django's
# documentation offers "for performance"): nothing here is translated, and Django's en-GB
# catalogue says the same as its source strings, so every page reads the same without it,
# but each date, number and label on a page no longer asks which language is active (the
# caseload's 25 rows render in about four-fifths of the time).
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
# Uploaded files are never served from a public URL; checked views stream them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-is-not-served/"

# Upload size limits in megabytes, per kind of file.
UPLOAD_MAX_MB = {
    "document": env_int("UPLOAD_MAX_MB_DOCUMENT", 20),
    "image": env_int("UPLOAD_MAX_MB_IMAGE", 15),
    "audio": env_int("UPLOAD_MAX_MB_AUDIO", 50),
    "video": env_int("UPLOAD_MAX_MB_VIDEO", 200),
}
# Larger uploads stream to a temporary file here, deleted when the request ends.
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR") or None

# Virus scanning with ClamAV's clamd: its Unix socket, or its host and port. Off when
# neither is set. When it is on and clamd can't give a verdict, uploads are refused.
CLAMAV_SOCKET = env_str("CLAMAV_SOCKET")
CLAMAV_HOST = env_str("CLAMAV_HOST")
CLAMAV_PORT = env_int("CLAMAV_PORT", 3310)
CLAMAV_TIMEOUT_SECONDS = env_int("CLAMAV_TIMEOUT_SECONDS", 120)
if CLAMAV_SOCKET and CLAMAV_HOST:
    raise ImproperlyConfigured("Set CLAMAV_SOCKET or CLAMAV_HOST for virus scanning, not both.")

S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Redis is optional: without it tasks run in-process and the cache is local memory.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "peerfolio"),
            # A frozen Redis must not hold a request: fail fast instead.
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Tasks are acknowledged when they finish, so a job whose worker died is delivered again;
# outbox tasks also set reject_on_worker_lost (they claim their row, so running twice is
# harmless).
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down or frozen answers within seconds, never holds a process. Publishing
# is never retried: the outbox keeps what was not sent and the sweep sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": 5,
    "socket_connect_timeout": 2,
}
CELERY_TIMEZONE = TIME_ZONE

# The outbox (outbox/services.py): how quickly it notices and recovers.
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 5)
# A message sent to the broker that no worker started within this long is sent again.
OUTBOX_RESEND_AFTER_SECONDS = env_int("OUTBOX_RESEND_AFTER_SECONDS", 50)
# A running job whose heartbeat is older than this has lost its worker.
OUTBOX_STALE_AFTER_SECONDS = env_int("OUTBOX_STALE_AFTER_SECONDS", 30)
# First retry after a failure (doubling after that, at most an hour), and how many tries.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 30)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 6)
# An email whose sending broke off may have gone: wait this long before sending it again.
OUTBOX_UNKNOWN_OUTCOME_SECONDS = env_int("OUTBOX_UNKNOWN_OUTCOME_SECONDS", 600)
# Hand new messages to the broker from a thread of the process, so no request waits on it.
OUTBOX_DISPATCH_IN_BACKGROUND = True

CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Sends what waited while the broker was away, re-sends what it lost, and returns jobs
    # whose worker died. A sweep that could not start in time is dropped: the next one runs.
    "outbox-sweep": {
        "task": "outbox.tasks.sweep",
        "schedule": float(OUTBOX_SWEEP_SECONDS),
        "options": {"expires": max(OUTBOX_SWEEP_SECONDS * 2, 10)},
    },
    # Progress reviews due soon, overdue or waiting for a signature: each email goes once.
    # Notifications for the people who chose one email a day.
    "notification-digests": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "review-reminders": {
        "task": "portfolio.reviews.tasks.send_review_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # Each provider's retention policy: records past keeping reduced to the minimal record
    # (dataio/services/retention.py), what it did recorded in the history; and large exports
    # older than a week deleted.
    "apply-retention": {
        "task": "dataio.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=15),
    },
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Where the file email backend (bin/run while it adds the demo data) writes each email.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "emails"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds to wait on the mail server at each step; a stalled server fails the attempt.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Peer worker portfolio <no-reply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. Secure by default; the development command turns these off explicitly.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters in production.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Refused uploads and other security events, kept out of the user-facing history.
        # Always at INFO or above, whatever LOG_LEVEL says; filter on the name "security".
        "security": {"level": "INFO"},
    },
}
