"""What changed in an evidence item since the tutor last decided on it.

When a tutor accepts or refers back evidence, the decision keeps the item as they saw it
(`content_of`). When the apprentice sends it again, `since_last_review` compares that with
the item now, so the tutor reads only what is new and everyone sees which try this is."""

import difflib
from dataclasses import dataclass, field
from typing import Any

from portfolio.evidence.models import Evidence, EvidenceComment, EvidenceFile, EvidenceKind


def content_of(evidence: Evidence) -> dict[str, Any]:
    """The item's content as plain values, to keep with a tutor's decision."""
    return {
        "title": evidence.title,
        "kind": evidence.kind,
        "activity_date": str(evidence.activity_date) if evidence.activity_date else "",
        "account": evidence.account,
        "duties": sorted(evidence.duties.values_list("pk", flat=True)),
        "ksbs": sorted(evidence.ksbs.values_list("pk", flat=True)),
        "files": sorted(
            EvidenceFile.objects.current().filter(evidence=evidence).values_list("pk", flat=True)
        ),
        "testimonies": sorted(evidence.testimonies.values_list("pk", flat=True)),
    }


@dataclass
class AccountLine:
    text: str
    change: str  # "added", "removed" or "same"


@dataclass
class SinceReview:
    """The last decision on this version, how many times this version has been sent, and
    what is different now."""

    decision: EvidenceComment | None
    attempt: int
    changes: list[str] = field(default_factory=list)
    account: list[AccountLine] = field(default_factory=list)

    @property
    def is_resubmission(self) -> bool:
        return self.attempt > 1


def _diff_account(before: str, after: str) -> list[AccountLine]:
    lines = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "+ ":
            lines.append(AccountLine(text, "added"))
        elif tag == "- ":
            lines.append(AccountLine(text, "removed"))
        elif tag == "  ":
            lines.append(AccountLine(text, "same"))
    return lines


def _count_change(noun: str, before: set, after: set) -> str | None:
    added, removed = len(after - before), len(before - after)
    if not (added or removed):
        return None
    parts = []
    if added:
        parts.append(f"{added} added")
    if removed:
        parts.append(f"{removed} removed")
    return f"{noun}: {' and '.join(parts)}."


def since_last_review(evidence: Evidence) -> SinceReview:
    """The tutor's latest decision (a referral of this version, or the acceptance of the
    one before), which try at this version this is, and what has changed since the
    decision (a few queries, whatever the item's history)."""
    decisions = list(
        evidence.comments.filter(
            kind__in=(EvidenceComment.Kind.REFERRED, EvidenceComment.Kind.ACCEPTED)
        )
        .select_related("author")
        .order_by("-created_at", "-pk")
    )
    referrals = sum(
        1
        for d in decisions
        if d.kind == EvidenceComment.Kind.REFERRED and d.version == evidence.version
    )
    result = SinceReview(decision=decisions[0] if decisions else None, attempt=referrals + 1)
    if result.decision is None or not result.decision.reviewed_content:
        return result
    before, now = result.decision.reviewed_content, content_of(evidence)
    if before.get("title") != now["title"]:
        result.changes.append("The title changed.")
    if before.get("kind") != now["kind"]:
        result.changes.append(f"The kind of evidence is now “{EvidenceKind(now['kind']).label}”.")
    if before.get("activity_date") != now["activity_date"]:
        result.changes.append("The date of the activity changed.")
    for noun, key in (
        ("Duties", "duties"),
        ("Knowledge, skills and behaviours", "ksbs"),
        ("Files", "files"),
        ("Witness testimonies", "testimonies"),
    ):
        line = _count_change(noun, set(before.get(key, [])), set(now[key]))
        if line:
            result.changes.append(line)
    if before.get("account", "") != now["account"]:
        result.changes.append("The account changed: new lines are marked below.")
        result.account = _diff_account(before.get("account", ""), now["account"])
    return result
