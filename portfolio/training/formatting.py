"""How off-the-job figures and days are written for people."""

import datetime as dt


def format_minutes(minutes: int | None) -> str:
    """'12 hours 30 minutes', '45 minutes', '0 hours'."""
    if minutes is None:
        return "not known"
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours or not rest:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def day_text(day: dt.date) -> str:
    return f"{day:%-d %B %Y}"
