"""Formatting for off-the-job figures, which are whole minutes."""

from django import template

from portfolio.training.formatting import format_minutes

register = template.Library()


@register.filter
def hm(minutes: int | None) -> str:
    """Short form for tables: '12 h 30 min', '45 min', '0 h'."""
    if minutes is None:
        return "—"
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if rest:
        return f"{rest} min"
    return f"{hours} h"


@register.filter
def duration(minutes: int | None) -> str:
    """Long form for sentences: '12 hours 30 minutes'."""
    return format_minutes(minutes)


@register.filter
def whole_hours(minutes: int | None) -> str:
    """Whole hours, for tight spaces: '195 h'."""
    if minutes is None:
        return "—"
    return f"{minutes // 60} h"
