"""Dates in sealed records (the frozen portfolio, a review's progress) are kept as ISO
strings, which is what was sealed; `from_iso` turns them back into dates for display."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def from_iso(value):
    if not isinstance(value, str) or not value:
        return value
    try:
        if "T" in value:
            return timezone.localtime(dt.datetime.fromisoformat(value))
        return dt.date.fromisoformat(value)
    except ValueError:
        return value
