"""The sampling draw: a recorded draw must be worked out again exactly, years later, from
its seed. The whole-number form the IQA draw uses for each decision gives the same draws
and the same picks as the published rule (a SHA-256 hash's first 64 bits as a fraction of
2**64, rounded down to seven decimal places), written out here as the reference."""

import hashlib
import random
from decimal import ROUND_DOWN, Decimal

from quality import sampling


def reference(seed: int, *parts: object) -> Decimal:
    text = ":".join(str(part) for part in (seed, *parts))
    value = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return (Decimal(value) / Decimal(2**64)).quantize(Decimal("0.0000001"), rounding=ROUND_DOWN)


def test_draws_are_the_published_rule_to_the_last_place():
    rng = random.Random(4)  # noqa: S311 - test inputs
    for _ in range(20000):
        seed, stage, pk = (
            rng.getrandbits(48),
            rng.choice(["evidence", "round"]),
            rng.randrange(10**9),
        )
        expected = reference(seed, stage, pk)
        assert sampling.draw(seed, stage, pk) == expected
        assert str(sampling.draw(seed, stage, pk)) == str(expected)
        units = sampling.draw_units(seed, stage, pk)
        assert sampling.as_decimal(units) == expected
        for percent in (1, 5, 10, 50, 100):
            assert sampling.picked_units(units, percent) == sampling.picked(expected, percent)
    # Draws recorded before stay as they were.
    assert str(sampling.draw(20250705, "evidence", 3001)) == "0.8811517"
    assert str(sampling.draw(1, "round", 7)) == "0.9289926"


def test_a_draw_on_the_edge_of_the_share_is_outside_it():
    assert sampling.picked_units(499_999, 5) and not sampling.picked_units(500_000, 5)
    assert sampling.picked(Decimal("0.0499999"), 5) and not sampling.picked(Decimal("0.05"), 5)
    assert sampling.picked_units(9_999_999, 100) and not sampling.picked_units(0, 0)
