"""The portfolio frozen at gateway, read a part at a time.

A frozen portfolio is one sealed JSON document (epa.services.snapshot), and a long
portfolio's is megabytes. So its pages read from the database only the part they show
(config.db's JSON parts): the document without its evidence, one page of the evidence,
one item, one file's record. Whether the seal still holds needs the whole document: on
PostgreSQL the answer is kept for the row's version, which any change to the row renews,
so the document is read and digested again only after it changed. On other engines it is
worked out on every read.
"""

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models.fields.json import KeyTransform

from apprenticeship.models import Apprenticeship
from audit import seals
from config.db import JsonArrayLength, JsonArraySlice, JsonFindById, JsonWithout, RowVersion
from epa.models import GatewaySnapshot

# What the frozen portfolio's page does not show from the document: the evidence comes a
# page at a time; the framework map and the rules are in the gateway pack.
NOT_IN_HEAD = ("evidence", "frameworks", "rules")
SEAL_KEPT_SECONDS = 24 * 3600


def snapshot_of(apprenticeship: Apprenticeship | int) -> GatewaySnapshot | None:
    """The apprenticeship's frozen portfolio without its document (read it in parts)."""
    return GatewaySnapshot.objects.defer("content").filter(apprenticeship=apprenticeship).first()


def part(snapshot: GatewaySnapshot, key: str) -> Any:
    """One top-level part of the document, such as its "checklist"."""
    rows = GatewaySnapshot.objects.filter(pk=snapshot.pk)
    return rows.annotate(part=KeyTransform(key, "content")).values_list("part", flat=True).get()


class FrozenEvidence:
    """The frozen evidence as a list a Paginator can page: its length is known, and each
    slice is read from the database when it is taken."""

    def __init__(self, snapshot: GatewaySnapshot, count: int) -> None:
        self.snapshot = snapshot
        self.count_ = count

    def __len__(self) -> int:
        return self.count_

    def __getitem__(self, index: slice) -> list[dict]:
        start, stop, _step = index.indices(self.count_)
        rows = GatewaySnapshot.objects.filter(pk=self.snapshot.pk)
        return (
            rows.annotate(items=JsonArraySlice("content", "evidence", start, stop))
            .values_list("items", flat=True)
            .get()
        ) or []


@dataclass
class FrozenPortfolio:
    head: dict[str, Any]  # the document without NOT_IN_HEAD
    evidence: FrozenEvidence
    intact: bool


def frozen_portfolio(snapshot: GatewaySnapshot) -> FrozenPortfolio:
    """What the frozen portfolio's page shows, and whether the seal holds: one query, and
    on PostgreSQL a second only after the row changed."""
    row = (
        GatewaySnapshot.objects.filter(pk=snapshot.pk)
        .annotate(
            head=JsonWithout("content", *NOT_IN_HEAD),
            count=JsonArrayLength("content", "evidence"),
            version=RowVersion(),
        )
        .values("head", "count", "version")
        .get()
    )
    return FrozenPortfolio(
        head=row["head"],
        evidence=FrozenEvidence(snapshot, row["count"]),
        intact=seal_holds(snapshot, row["version"]),
    )


def _kept(snapshot_pk: int, version: str, digest: str) -> str:
    return f"frozen-portfolio-seal:{snapshot_pk}:{version}:{digest}"


def seal_holds(snapshot: GatewaySnapshot, version: str | None = None) -> bool:
    """Whether the document still has the digest recorded when it was frozen. `version`
    is the row's version as just read (PostgreSQL), to use the answer kept for it."""
    if version is not None:
        held = None
        # Without the cache, work it out.
        with suppress(Exception):
            held = cache.get(_kept(snapshot.pk, version, snapshot.digest))
        if held is not None:
            return bool(held)
    row = (
        GatewaySnapshot.objects.filter(pk=snapshot.pk)
        .annotate(version=RowVersion())
        .values("content", "digest", "version")
        .get()
    )
    held = seals.matches(row["content"], row["digest"])
    if row["version"] is not None:
        # Kept only to save the work next time: without the cache, carry on.
        with suppress(Exception):
            cache.set(_kept(snapshot.pk, row["version"], row["digest"]), held, SEAL_KEPT_SECONDS)
    return held


def item(snapshot: GatewaySnapshot, evidence_id: int) -> tuple[dict | None, list[dict]]:
    """One frozen item (None if the portfolio has none with this id), and the KSBs."""
    row = (
        GatewaySnapshot.objects.filter(pk=snapshot.pk)
        .annotate(
            item=JsonFindById("content", ("evidence",), evidence_id),
            ksbs=KeyTransform("ksbs", "content"),
        )
        .values("item", "ksbs")
        .get()
    )
    return row["item"], row["ksbs"] or []


def file_record(snapshot: GatewaySnapshot, file_id: int) -> dict | None:
    """What the frozen portfolio recorded of one file (name, checksum...), or None."""
    rows = GatewaySnapshot.objects.filter(pk=snapshot.pk)
    return (
        rows.annotate(file=JsonFindById("content", ("evidence", "files"), file_id))
        .values_list("file", flat=True)
        .get()
    )
