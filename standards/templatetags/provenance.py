"""Marks for codes, rules and figures whose source is not verified: a short mark after the
value, explained by one legend on the page (and in the PDF), so a reader never mistakes an
inferred code or rule for an official one."""

from django import template
from django.utils.html import format_html

from standards.models import Provenance

register = template.Library()

# A letter per label, as short as a footnote mark; the legend spells each out.
MARKS: dict[str, tuple[str, str]] = {
    Provenance.INFERRED: ("i", "inferred, not official"),
    Provenance.SECONDARY: ("s", "from a secondary source, not the official text"),
    Provenance.SEED: ("d", "worked out from the documents the project started from"),
    Provenance.PROVIDER: ("p", "entered by the training provider"),
    Provenance.NOT_LOADED: ("n", "not loaded yet"),
}


@register.filter
def code_mark(provenance: str | None) -> str:
    """The mark for `provenance` ("" when verified or unknown)."""
    mark = MARKS.get(provenance or Provenance.VERIFIED)
    if mark is None:
        return ""
    letter, meaning = mark
    return format_html(
        '<sup class="prov-mark" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden"> ({})</span></sup>',
        meaning.capitalize(),
        letter,
        meaning,
    )


@register.inclusion_tag("includes/_provenance_legend.html")
def provenance_legend() -> dict:
    return {"marks": [(letter, meaning) for letter, meaning in MARKS.values()]}


@register.filter
def mark_of(marks: dict | None, code: str) -> str:
    """The mark of `code` in a {code: provenance} mapping (portfolio snapshots keep codes
    as text)."""
    return code_mark((marks or {}).get(code))


def code_marks(ksbs: list[dict]) -> dict[str, str]:
    """{code: its provenance} from the KSBs of a portfolio snapshot."""
    return {k["code"]: k.get("code_provenance", "") for k in ksbs}
