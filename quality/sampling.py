"""Reproducible random picks for sampling. A draw is a number in [0, 1) worked out from a
recorded seed and what is being drawn for, so anyone can work the same sample out again
from the record: no hidden random state."""

import hashlib
import secrets
from decimal import Decimal

# Draws have seven decimal places.
PLACES = 7
UNITS = 10**PLACES


def new_seed() -> int:
    """A fresh seed, to be recorded before it is used."""
    return secrets.randbits(48)


def draw_units(seed: int, *parts: object) -> int:
    """The draw that `seed` gives for `parts` in whole ten-millionths (0 to 9,999,999): the
    first 64 bits of a SHA-256 hash as a fraction of 2**64, rounded down to seven decimal
    places. In whole numbers, so a draw over many decisions builds no Decimal for each."""
    text = ":".join(str(part) for part in (seed, *parts))
    value = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return (value * UNITS) >> 64


def draw(seed: int, *parts: object) -> Decimal:
    """The number in [0, 1) that `seed` gives for `parts` (seven decimal places)."""
    return as_decimal(draw_units(seed, *parts))


def as_decimal(units: int) -> Decimal:
    return Decimal(units).scaleb(-PLACES)


def picked(value: Decimal, percent: int) -> bool:
    """Whether a draw falls inside a sample of `percent` per cent."""
    return value * 100 < percent


def picked_units(units: int, percent: int) -> bool:
    """`picked` for a draw in ten-millionths (`draw_units`)."""
    return units * 100 < percent * UNITS
