"""The history of an apprenticeship as its viewer may read it.

A history line names the record it is about ("Submitted “My first week”"), so it obeys the
rule of that record's own page: a line about a record the viewer may not see is left out.
The areas above this app own those rules, so each registers, when Django starts (its
AppConfig.ready), a function giving the lines to leave out for a viewer:
`register_hidden_events(portfolio_hidden_events)`.
"""

from collections.abc import Callable

from django.db.models import Q

from apprenticeship.models import Apprenticeship
from audit.models import AuditEvent, AuditEventQuerySet

# Each takes the apprenticeship as loaded by `get_apprenticeship_for` (it carries the
# viewer's roles) and returns a condition matching the events that viewer may not read,
# or None when it hides nothing.
HiddenEvents = Callable[[Apprenticeship], Q | None]

_hidden_events: list[HiddenEvents] = []


def register_hidden_events(rule: HiddenEvents) -> None:
    if rule not in _hidden_events:
        _hidden_events.append(rule)


def visible_events(apprenticeship: Apprenticeship) -> AuditEventQuerySet:
    """The apprenticeship's history, newest first, without the lines about records its
    viewer may not see."""
    events = AuditEvent.objects.with_actor().filter(apprenticeship_id=apprenticeship.pk)
    for rule in _hidden_events:
        hidden = rule(apprenticeship)
        if hidden is not None:
            events = events.exclude(hidden)
    return events
