"""What refers to a KSB or a duty, counted and moved without knowing who refers to it.

Evidence, sign-offs, off-the-job entries and the assessor's notes live in apps above this
one, which standards must not import. So these functions walk Django's model relations:
every foreign key pointing at the statement's model from outside the standards app,
including the tables behind many-to-many fields. A new kind of record that refers to a KSB
or a duty is counted and moved with no change here.

A referring model may name itself in plain words with a class attribute `reference_label`
("sign-offs"); otherwise its verbose_name_plural is used. For a many-to-many field the
label is that of the model holding the field. A model that sets
`is_statement_reference = False` is left out: its rows are settings, not records.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.db.models import Count, ForeignObjectRel

from standards.errors import ReferenceMoveError

# How far from a referring row to look for the record that scopes a move (an evidence
# item's file table row -> version -> evidence -> apprenticeship is three steps).
MAX_SCOPE_DEPTH = 4


@dataclass(frozen=True)
class Relation:
    """One foreign key pointing at a statement model."""

    model: type[models.Model]
    field: str
    label: str
    # For the table behind a many-to-many field: the column naming the record that holds
    # the mapping (the evidence item), so a move can merge onto a mapping already there.
    holder: str | None = None


def _label(model: type[models.Model]) -> str:
    return str(getattr(model, "reference_label", model._meta.verbose_name_plural))


def relations(model: type[models.Model]) -> list[Relation]:
    """Every foreign key from outside the standards app pointing at `model`. The standard's
    own links (a duty's KSBs, a method's KSBs) are not references: the import rewrites
    them from the file."""
    found = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or not (rel.one_to_many or rel.one_to_one):
            continue
        referring = rel.related_model
        if not isinstance(referring, type) or referring._meta.app_label == model._meta.app_label:
            continue
        # A model may say its rows are settings about a statement, not records relying on
        # it (a provider's suggested framework units for a duty): they are never counted
        # or moved with anyone's records.
        if getattr(referring, "is_statement_reference", True) is False:
            continue
        owner = referring._meta.auto_created
        if isinstance(owner, type):
            holder = next(
                f.name
                for f in referring._meta.concrete_fields
                if f.is_relation and f.name != rel.field.name
            )
            found.append(Relation(referring, rel.field.name, _label(owner), holder))
        else:
            found.append(Relation(referring, rel.field.name, _label(referring)))
    return found


Scope = tuple[type[models.Model], int]


def _path_to(relation: Relation, target: type[models.Model]) -> str | None:
    """The shortest lookup from a referring row to `target` through foreign keys (breadth
    first, never back through the statement itself), or None."""
    level: list[tuple[type[models.Model], str]] = [(relation.model, "")]
    seen = {relation.model}
    for _depth in range(MAX_SCOPE_DEPTH):
        following = []
        for model, prefix in level:
            for field in model._meta.concrete_fields:
                itself = model is relation.model and field.name == relation.field
                related = field.related_model
                if not field.is_relation or itself or not isinstance(related, type):
                    continue
                path = f"{prefix}{field.name}"
                if related is target:
                    return path
                if related not in seen:
                    seen.add(related)
                    following.append((related, f"{path}__"))
        level = following
    return None


def _rows(relation: Relation, scope: Scope | None) -> models.QuerySet:
    rows = relation.model._default_manager.all()
    if scope is None:
        return rows
    target, pk = scope
    path = _path_to(relation, target)
    if path is None:
        raise ReferenceMoveError(
            f"Some {relation.label} cannot be traced to one {target._meta.verbose_name}, so "
            "they cannot be moved for it alone."
        )
    return rows.filter(**{path: pk})


def count_references(
    model: type[models.Model], ids: Iterable[int], *, within: Scope | None = None
) -> dict[int, dict[str, int]]:
    """{statement id: {label: how many}} for the given statements of `model`, only the
    labels with a count. `within=(Apprenticeship, pk)` counts only the rows that belong to
    that record. One query per kind of referring record."""
    ids = list(ids)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if not ids:
        return {}
    for relation in relations(model):
        rows = (
            _rows(relation, within)
            .filter(**{f"{relation.field}__in": ids})
            .order_by()
            .values(relation.field)
            .annotate(n=Count("pk"))
        )
        for row in rows:
            per_label = counts[row[relation.field]]
            per_label[relation.label] = per_label.get(relation.label, 0) + row["n"]
    return dict(counts)


def move_references(
    model: type[models.Model], moves: Mapping[int, int], *, within: Scope | None = None
) -> dict[int, dict[str, int]]:
    """Point every reference to statement `old` at statement `new`, for each old -> new in
    `moves`, and return {old id: {label: how many moved}}. A mapping that already names
    `new` is merged (the evidence item then names it once). Where a record allows only one
    row per statement (one note per KSB, one active sign-off per duty) and both exist, it
    raises ReferenceMoveError naming the old id in `error.args[1]`; call it inside a
    transaction, which then rolls back."""
    moved: dict[int, dict[str, int]] = defaultdict(dict)
    for relation in relations(model):
        for old, new in moves.items():
            if old == new:
                continue
            rows = _rows(relation, within).filter(**{relation.field: old})
            if relation.holder:
                # The holder already maps `new`: drop the duplicate instead of moving it.
                already = relation.model._default_manager.filter(**{relation.field: new}).values(
                    relation.holder
                )
                merged = rows.filter(**{f"{relation.holder}__in": already})
                merged_count = merged.count()
                merged.delete()
            else:
                merged_count = 0
            try:
                with transaction.atomic():
                    count = rows.update(**{relation.field: new}) + merged_count
            except IntegrityError:
                raise ReferenceMoveError(
                    f"some {relation.label} already refer to both statements, and only one may",
                    old,
                ) from None
            if count:
                per_label = moved[old]
                per_label[relation.label] = per_label.get(relation.label, 0) + count
    return dict(moved)
