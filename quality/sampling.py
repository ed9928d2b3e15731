"""Reproducible random picks for sampling. A draw is a number in [0, 1) worked out from a
recorded seed and what is being drawn for, so anyone can work the same sample out again
from the record: no hidden random state."""

import hashlib
import secrets
from decimal import ROUND_DOWN, Decimal

PLACES = Decimal("0.0000001")


def new_seed() -> int:
    """A fresh seed, to be recorded before it is used."""
    return secrets.randbits(48)


def draw(seed: int, *parts: object) -> Decimal:
    """The number in [0, 1) that `seed` gives for `parts` (seven decimal places)."""
    text = ":".join(str(part) for part in (seed, *parts))
    value = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return (Decimal(value) / Decimal(2**64)).quantize(PLACES, rounding=ROUND_DOWN)


def picked(value: Decimal, percent: int) -> bool:
    """Whether a draw falls inside a sample of `percent` per cent."""
    return value * 100 < percent
