"""The test settings on SQLite, the zero-setup default a newcomer runs with `bin/run`.

Every figure a page shows is tested here too, so the two engines cannot give different
answers unnoticed. Tests that need PostgreSQL itself (row locks under concurrency, its
constraints and triggers) are marked `postgres_only` and skipped here.
"""

import tempfile

from config.settings.test import *  # noqa: F403

DATABASES = {  # noqa: F405
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tempfile.mkdtemp(prefix="peerfolio-test-sqlite-")) + "/db.sqlite3",
        "TEST": {"NAME": None},
    }
}
