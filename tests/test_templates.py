"""Template source that Django would print to the page instead of reading."""

from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_every_short_comment_ends_on_its_own_line():
    """Django reads `{# ... #}` only within one line: one that goes on to the next line is
    not a comment, and the whole of it shows on the page (as a caseload row's review
    column and the evidence form once did). Longer notes go in {% comment %}."""
    unclosed = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert not unclosed, f"Comments that would show on the page: {unclosed}"
