"""Seals: the SHA-256 digest of a record's canonical JSON, taken when someone signs it.

Recomputing the digest later from the stored record and comparing shows whether what was
signed is still intact. Any change to any sealed field, however small, gives a different
digest. Progress reviews are sealed this way; gateway declarations will be too.

Canonical form (format 1), so that the same content always gives the same bytes:

- JSON, encoded as UTF-8, with no insignificant whitespace (separators "," and ":") and
  non-ASCII characters written as themselves, not as \\u escapes.
- Object keys are strings, sorted (by code point; our keys are plain ASCII names).
- Lists keep their order; tuples are written as lists.
- Dates are ISO strings ("2026-05-03"). Datetimes must be timezone-aware and are written
  in UTC as ISO strings ("2026-05-03T09:30:00+00:00"); a naive datetime is refused.
- Decimals are strings exactly as Python writes them, scale included ("7.50" stays "7.50").
- Strings, integers, true, false and null are themselves. Floats are written the shortest
  way that reads back to the same number; NaN and infinity are refused.
- Anything else (model instances, sets, bytes) is refused with TypeError, so a record
  cannot be sealed by accident in a form that is not stable.

A seal is not a secret: anyone may recompute it. It proves the content is unchanged since
the digest was recorded; the digest itself is also written to the append-only history.
"""

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

SEAL_FORMAT = 1


def _plain(value: Any) -> Any:
    """The value with dates, datetimes and decimals as strings; refuses anything unstable."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"Cannot seal a non-finite decimal: {value}")
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise TypeError("Cannot seal a naive datetime; make it timezone-aware.")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        plain = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"Cannot seal a mapping with a non-string key: {key!r}")
            plain[key] = _plain(item)
        return plain
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError(f"Cannot seal a value of type {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """The canonical JSON text of `value` (see the module docstring for the rules)."""
    return json.dumps(
        _plain(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def digest(value: Any) -> str:
    """The SHA-256 digest, as 64 lower-case hex characters, of the canonical JSON."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def matches(value: Any, expected: str) -> bool:
    """Whether `value` still has the digest recorded when it was sealed."""
    return hmac.compare_digest(digest(value), expected)


def plain(value: Any) -> Any:
    """`value` as it is stored once sealed: JSON types only (dates and decimals as the
    strings above), so what is kept digests exactly as the original did."""
    return json.loads(canonical_json(value))
