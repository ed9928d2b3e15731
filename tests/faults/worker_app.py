"""The Celery app of the fault tests' worker process: the project's app, plus the test
job, and (FAULT_BUILD_SECONDS) report builds slowed down so a test can kill the worker in
the middle of one."""

import os
import time

import django

django.setup()

from config.celery import app  # noqa: E402
from reports import pdf  # noqa: E402
from tests.outbox import jobs  # noqa: E402, F401 - registers the test job

__all__ = ["app"]

_delay = float(os.environ.get("FAULT_BUILD_SECONDS", "0"))
if _delay:
    _render = pdf.render_pdf

    def _slow_render(*args, **kwargs):
        time.sleep(_delay)
        return _render(*args, **kwargs)

    pdf.render_pdf = _slow_render
