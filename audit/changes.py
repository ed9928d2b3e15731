"""The shapes every audited change shares, so services don't retype them.

`snapshot` gives the plain values of a row's fields for the history. `end_row` is the one
way a row is withdrawn, cancelled or ended (never deleted): the caller locks the row and
checks its own rules, then `end_row` refuses a row already ended, sets when, who and why
(the fields its model names in `ENDING`), saves just those and records the change in the
same transaction. `EndedQuerySet.active()` is the matching filter.
"""

import datetime as dt
import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from django.db import models
from django.utils import timezone

from accounts.models import User
from audit.actions import AuditAction
from audit.services import record_event


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Plain values of the named fields (ids for relations; dates and decimals as text),
    for a history entry's before and after."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, getattr(field, "attname", name))
        if isinstance(value, dt.date | decimal.Decimal):
            value = str(value)
        values[name] = value
    return values


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only what differs, as (before, after), for the history."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


@dataclass(frozen=True)
class Ending:
    """The fields in which a model records that a row was ended: when, by whom (if it
    keeps that) and why."""

    at: str
    by: str | None
    reason: str


class Endable(Protocol):
    ENDING: ClassVar[Ending]
    pk: Any


class EndedQuerySet(models.QuerySet):
    """For models that name their ending fields in `ENDING`."""

    def active(self):
        return self.filter(**{f"{self.model.ENDING.at}__isnull": True})


def end_row(
    row: models.Model,
    *,
    by: User | None,
    reason: str,
    action: AuditAction,
    summary: str,
    apprenticeship_id: int | None,
    already: Exception,
    also: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> models.Model:
    """End `row` (locked by the caller), with `also` set alongside (a status, a flag).
    Raises `already` when it has ended before; nothing changes then. The history entry says
    `before` and `after` (by default: active, then ended with the reason)."""
    ending: Ending = row.ENDING  # type: ignore[attr-defined]
    if getattr(row, ending.at) is not None:
        raise already
    values: dict[str, Any] = {ending.at: now or timezone.now(), ending.reason: reason}
    if ending.by is not None:
        values[ending.by] = by
    values.update(also or {})
    for name, value in values.items():
        setattr(row, name, value)
    row.save(update_fields=list(values))
    record_event(
        action=action,
        obj=row,
        actor=by,
        apprenticeship_id=apprenticeship_id,
        summary=summary,
        before=before if before is not None else {"active": True},
        after=after if after is not None else {"active": False, "reason": reason},
    )
    return row
