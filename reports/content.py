"""What a report shows: the data gathered for one apprenticeship and one audience, and the
HTML it becomes. The fingerprint is the hash of that HTML, so it covers everything the PDF
shows (embedded files are named by their checksum inside it).

Both kinds of report read the same shape of data, the shape of the portfolio frozen at
gateway (epa.services.snapshot): a portfolio report takes it from the live portfolio now,
a gateway pack from the snapshot itself, so what the assessor reads never changes.
"""

import hashlib
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from audit import seals
from epa.models import GatewaySnapshot
from epa.selectors import gateway as gateway_selectors
from epa.selectors import rules as epa_rules
from epa.selectors import summary as epa_summary
from epa.services import snapshot as snapshots
from portfolio.evidence.models import EvidenceFile
from reports.models import Report
from reports.pdf import EmbeddedFile
from standards.models import KSB
from standards.templatetags.provenance import code_marks


class ReportUnavailable(Exception):
    """This report cannot be built for this apprenticeship (yet); the message says why."""


# How many evidence items one part of the PDF lays out. Items are numbered in date order,
# so a new item usually changes only the last part.
ITEMS_PER_SECTION = 25
# How many rows of the evidence index one part lists: a new item usually changes only the
# last part of the index too.
INDEX_ROWS_PER_SECTION = 200
CLOSE = "</body>\n</html>\n"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Section:
    """One part of the report as an HTML document of its own, laid out on its own and put
    together with the others (reports.sections). `items` is how many evidence items it
    lays out or lists, which sizes its time limit; a part with page references has them
    filled in once the other parts' page counts are known."""

    key: str
    html: str
    items: int = 0

    @property
    def fingerprint(self) -> str:
        return _sha256(self.html)

    @property
    def has_page_refs(self) -> bool:
        return PAGE_REF_MARK in self.html

    def as_job(self) -> dict:
        return {"key": self.key, "html": self.html, "items": self.items}


# Written only by our templates: text people type is escaped, so it never holds a "<".
PAGE_REF_MARK = '<a class="pageref" href="#evidence-'


@dataclass(frozen=True)
class Document:
    """The whole report as one HTML document, the same report in parts, and the files it
    embeds. The fingerprint covers everything the PDF shows."""

    html: str
    files: dict[str, EmbeddedFile] = field(default_factory=dict)
    sections: tuple[Section, ...] = ()

    @property
    def items(self) -> int:
        """How many evidence items the report lays out."""
        return sum(s.items for s in self.sections if s.key.startswith("evidence-"))

    @property
    def fingerprint(self) -> str:
        return _sha256(self.html)


def portfolio_data(apprenticeship: Apprenticeship, kind: str) -> dict:
    """The report's data: the frozen snapshot for a gateway pack, the live portfolio in
    the same shape for a portfolio report."""
    if kind == Report.Kind.GATEWAY_PACK:
        snapshot = GatewaySnapshot.objects.filter(apprenticeship=apprenticeship).first()
        if snapshot is None:
            raise ReportUnavailable(
                "The gateway pack is made from the portfolio frozen at gateway, and this "
                "apprenticeship has not passed gateway yet."
            )
        data = dict(snapshot.content)
        data["seal"] = {
            "digest": snapshot.digest,
            "intact": seals.matches(snapshot.content, snapshot.digest),
        }
        return data
    now = timezone.now()
    checklist = gateway_selectors.checklist(apprenticeship)
    return seals.plain(
        snapshots.build(apprenticeship=apprenticeship, checklist=checklist, taken_at=now)
    )


def for_audience(data: dict, audience: str) -> dict:
    """Leave out what this audience may not read: the employer's copy drops evidence the
    apprentice hid from the employer, and every reference to it."""
    if audience != Report.Audience.EMPLOYER:
        return data
    shown = [
        _without_unshared_supervision(item)
        for item in data["evidence"]
        if item.get("visible_to_employer")
    ]
    kept = {item["id"] for item in shown}
    duties = []
    for duty in data["duties"]:
        sign_off = duty["sign_off"]
        if sign_off:
            sign_off = {**sign_off, "evidence": [e for e in sign_off["evidence"] if e[0] in kept]}
        duties.append({**duty, "sign_off": sign_off})
    return {**data, "evidence": shown, "duties": duties}


def _without_unshared_supervision(item: dict) -> dict:
    """An item for the employer's copy: a supervision record's notes only if the apprentice
    shared the record with the employer."""
    record = item.get("supervision")
    if record is None or record.get("shared_with_employer"):
        return item
    return {key: value for key, value in item.items() if key != "supervision"}


def _coverage(data: dict) -> list[dict]:
    """Rows of the duty and KSB matrix, each with the evidence that covers it."""
    numbered = data["evidence"]
    groups = [("Duties", [(d["code"], d["text"], bool(d["sign_off"]), "") for d in data["duties"]])]
    for kind, label in KSB.Kind.choices:
        rows = [
            (k["code"], k["text"], False, k.get("code_provenance", ""))
            for k in data["ksbs"]
            if k["kind"] == kind
        ]
        groups.append((label, rows))
    result = []
    for label, rows in groups:
        result.append(
            {
                "label": label,
                "rows": [
                    {
                        "code": code,
                        "provenance": provenance,
                        "text": text,
                        "signed_off": signed,
                        "evidence": [
                            item
                            for item in numbered
                            if code in item["duties"] or code in item["ksbs"]
                        ],
                    }
                    for code, text, signed, provenance in rows
                ],
            }
        )
    return result


def _embedded(data: dict) -> dict[str, EmbeddedFile]:
    """The images the PDF embeds, by checksum, from the stored files of this portfolio
    whose bytes still match what the data recorded."""
    wanted = {
        f["id"]: f["sha256"]
        for item in data["evidence"]
        for f in item["files"]
        if f["category"] == EvidenceFile.Category.IMAGE
    }
    files = {}
    for row in EvidenceFile.objects.filter(
        pk__in=wanted, evidence__apprenticeship_id=data["apprenticeship"]["id"]
    ):
        if row.sha256 == wanted[row.pk]:
            # A saved file always has a name.
            files[row.sha256] = EmbeddedFile(
                storage_name=cast(str, row.file.name), content_type=row.content_type
            )
    return files


def build_document(*, apprenticeship: Apprenticeship, kind: str, audience: str) -> Document:
    """The report's HTML and the files it embeds, from the data as it is now."""
    data = for_audience(portfolio_data(apprenticeship, kind), audience)
    # Results come after gateway, so even the gateway pack reads them live.
    data["epa_results"] = seals.plain(epa_summary.results_data(apprenticeship))
    if "rules" not in data:
        # A portfolio frozen before the rules were recorded with it: today's, said so.
        data["rules"] = seals.plain(epa_rules.rules_in_force(apprenticeship).as_data())
        data["rules_worked_out_now"] = True
    for number, item in enumerate(data["evidence"], start=1):
        item["ref"] = f"E{number}"
    files = _embedded(data)
    framework_matrices = _framework_matrices(data)
    context = {
        "data": data,
        "kind": kind,
        "kind_label": Report.Kind(kind).label,
        "audience_label": Report.Audience(audience).label,
        "coverage": _coverage(data),
        "code_marks": code_marks(data["ksbs"]),
        "embedded": set(files),
        # A duty retired by a re-import of the standard is shown but not needed.
        "duties_signed_off": sum(
            1 for d in data["duties"] if d["sign_off"] and not d.get("retired")
        ),
        "duties_total": sum(1 for d in data["duties"] if not d.get("retired")),
    }
    return _document(context, framework_matrices, files)


def _framework_matrices(data: dict) -> list[dict]:
    """Each framework turned on, its units with the evidence items (of this copy) that
    show them. A portfolio frozen before frameworks were kept with it has none."""
    items = {item["id"]: item for item in data["evidence"]}
    return [
        {
            **framework,
            "sections": [
                {
                    **section,
                    "units": [
                        {**unit, "items": [items[i] for i in unit["evidence"] if i in items]}
                        for unit in section["units"]
                    ],
                }
                for section in framework["sections"]
            ],
        }
        for framework in data.get("frameworks", [])
    ]


# How many page references one part of the matrix holds (more if one row has more).
REFS_PER_SECTION = 250


def _runs_of_rows(rows: list[dict]) -> list[list[dict]]:
    """Consecutive rows of the matrix, as many to a run as hold REFS_PER_SECTION page
    references between them (a row with more is a run of its own); one empty run if
    there are no rows, so the matrix still says so."""
    limit = getattr(settings, "REPORT_REFS_PER_SECTION", REFS_PER_SECTION)
    runs: list[list[dict]] = [[]]
    held = 0
    for row in rows:
        refs = len(row["evidence"])
        if runs[-1] and held + refs > limit:
            runs.append([])
            held = 0
        runs[-1].append(row)
        held += refs
    return runs


def _document(
    context: dict, framework_matrices: list[dict], files: dict[str, EmbeddedFile]
) -> Document:
    """The parts in the order the PDF shows them, each rendered once, and the whole."""
    data = context["data"]
    evidence = data["evidence"]
    size = getattr(settings, "REPORT_ITEMS_PER_SECTION", ITEMS_PER_SECTION)

    def part(name: str, **extra) -> str:
        return render_to_string(f"pdf/sections/{name}.html", {**context, **extra})

    fragments: list[tuple[str, str, int]] = [
        ("front", part("front"), 0),
        ("rules", part("rules"), 0),
    ]
    # The matrix in parts of a few rows (a row is never split), so a new item changes only
    # the parts with the rows it shows.
    first = True
    for number, group in enumerate(context["coverage"]):
        for run, rows in enumerate(_runs_of_rows(group["rows"]), start=1):
            refs = sum(len(row["evidence"]) for row in rows)
            html = part("coverage", groups=[{**group, "rows": rows}], first=first)
            fragments.append((f"coverage-{number + 1}-{run}", html, refs))
            first = False
    for framework in framework_matrices:
        refs = sum(
            len(unit["items"]) for section in framework["sections"] for unit in section["units"]
        )
        html = part("framework", framework=framework)
        fragments.append((f"framework-{framework['code']}", html, refs))
    per_part = getattr(settings, "REPORT_INDEX_ROWS_PER_SECTION", INDEX_ROWS_PER_SECTION)
    for start in range(0, max(len(evidence), 1), per_part):
        chunk = evidence[start : start + per_part]
        html = part("index", rows=chunk, first=start == 0)
        fragments.append((f"index-{start // per_part + 1}", html, len(chunk)))
    for start in range(0, len(evidence), size):
        chunk = evidence[start : start + size]
        key = f"evidence-{start // size + 1}"
        fragments.append((key, part("evidence", items=chunk), len(chunk)))
    fragments += [
        ("sign-offs", part("sign_offs"), 0),
        ("off-the-job", part("off_the_job"), 0),
        ("reviews", part("reviews"), 0),
    ]
    for name in ("gateway", "results"):
        html = part(name)
        if html.strip():
            fragments.append((name, html, 0))
    whole = render_to_string("pdf/_open.html", context)
    single = render_to_string("pdf/_open.html", {**context, "sectioned": True})
    sections = tuple(
        Section(key=key, html=single + html + CLOSE, items=items) for key, html, items in fragments
    )
    return Document(
        html=whole + "".join(html for _key, html, _items in fragments) + CLOSE,
        files=files,
        sections=sections,
    )
