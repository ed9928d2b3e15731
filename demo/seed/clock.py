"""The demo's clock: each demo action happens on the day it is said to have happened.

Many services stamp what they do with `timezone.now()` (the history, a submission, an
acceptance, a sign-off) rather than take `now=`, which is right for people using the app.
The demo tells a story spread over months, so while it builds each step it sets the
clock back to that step's moment: then every stamp, and everything that depends on it
(the frozen portfolio "as it stood" at gateway, the history), comes out in the order it
happened. Only seed_demo uses this; it runs in one thread.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


@contextmanager
def as_of(moment: dt.datetime) -> Iterator[None]:
    """Within the block, `timezone.now()` (and so `localdate()` and model defaults) is
    `moment` plus the time spent in the block, so steps inside it keep their order."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    real = dt.datetime
    started = real.now(dt.UTC)

    class DemoDatetime(real):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            value = moment + (real.now(dt.UTC) - started)
            return value.astimezone(tz) if tz is not None else value.replace(tzinfo=None)

    # django.utils.timezone.now() reads the module's own `datetime`.
    with mock.patch("django.utils.timezone.datetime", DemoDatetime):
        yield
