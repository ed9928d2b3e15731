"""Whether a confirmed result is released to the training provider and the apprentice at
once, or held first.

A higher layer registers a hold here (quality.moderation does, in its AppConfig.ready), so
the assessment never imports it. A hold is called inside the transaction that confirms the
result, with the locked round, and answers whether the result must wait; it may write its
own records (the moderation sample) in that transaction. With no hold registered, or none
that holds, the result is released the moment it is confirmed.
"""

import datetime as dt
from collections.abc import Callable

from epa.models import AssessmentRound

Hold = Callable[[AssessmentRound, dt.datetime], bool]

_HOLDS: list[Hold] = []


def register_hold(hold: Hold) -> None:
    """Add a hold (once; registering the same function again does nothing)."""
    if hold not in _HOLDS:
        _HOLDS.append(hold)


def is_held(round_: AssessmentRound, now: dt.datetime) -> bool:
    """Whether any registered hold keeps this just-confirmed result back. Every hold runs,
    so each can record its own decision."""
    held = False
    for hold in _HOLDS:
        held = hold(round_, now) or held
    return held
