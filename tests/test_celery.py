"""The outbox finds Celery tasks by name in any process."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_a_fresh_process_can_queue_tasks_it_never_imported():
    # The web process and management commands never import a tasks module themselves.
    code = (
        "import django; django.setup()\n"
        "from outbox.services import registered_task\n"
        "print(registered_task('portfolio.reviews.tasks.send_signature_requests').name)\n"
        "print(registered_task('reports.tasks.build_report').name)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "portfolio.reviews.tasks.send_signature_requests",
        "reports.tasks.build_report",
    ]
