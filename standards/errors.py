"""What the standards app refuses, with a message that says why and, for a file, where."""

from pydantic import ValidationError

# Said after "'duties' is missing", so the reader knows how to say "none".
MISSING_HINTS = {"duties": "give an empty list if none are loaded"}
# Pydantic's own error types, in plain words.
PLAIN_WORDS = {
    "missing": "is missing",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
}
MAX_PROBLEMS_SHOWN = 5


class StandardImportError(Exception):
    """The file cannot be imported; the message names the problem and where it is."""


class StandardFactError(Exception):
    """A change to a standard's facts that is not allowed; the message says why."""


class ReferenceMoveError(Exception):
    """Records that refer to a KSB or duty cannot be moved as asked; the message says why
    and the caller says what to do instead."""


# -- where in the file -----------------------------------------------------------------


def json_path(loc: tuple[str | int, ...]) -> str:
    """("assessmentPlan", "methods", 0) -> "assessmentPlan.methods[0]"."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else part
    return path


def describe(loc: tuple[str | int, ...], problem: str) -> str:
    """One problem, saying where it is: "skills[3]: 'detail' must be text." for a field of
    an object, "themes[1]: this must be text." for an item of a list."""
    if loc and isinstance(loc[-1], str):
        where, subject = json_path(loc[:-1]), f"'{loc[-1]}' {problem}"
    else:
        where, subject = json_path(loc), f"this {problem}"
    return f"{where}: {subject}." if where else f"{subject}."


def describe_errors(error: ValidationError) -> str:
    """The first few problems pydantic found, in plain words, each naming its place."""
    problems = []
    for item in error.errors(include_url=False):
        problem = PLAIN_WORDS.get(item["type"], item["msg"])
        loc = item["loc"]
        hint = MISSING_HINTS.get(loc[0]) if len(loc) == 1 and isinstance(loc[0], str) else None
        if item["type"] == "missing" and hint:
            problem = f"{problem} ({hint})"
        problems.append(describe(tuple(loc), problem))
    shown = " ".join(problems[:MAX_PROBLEMS_SHOWN])
    hidden = len(problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        shown += f" And {hidden} more problem{'s' if hidden != 1 else ''} like these."
    return shown
