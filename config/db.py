"""Database expressions that give the same answer on PostgreSQL and on SQLite.

SQLite is the zero-setup default a newcomer runs; PostgreSQL is what a provider runs. Date
arithmetic is where the two differ (SQLite stores dates as text and rolls month ends over:
31 January + 1 month is 3 March there, 28 February on PostgreSQL). Anything a page shows
that needs date arithmetic in SQL uses these, and the test suite runs on both engines. So
does every list's count of related rows (`count_of`).
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import models
from django.db.models import Func, QuerySet, Subquery

StandingT = TypeVar("StandingT", bound=models.Model)


def _compiled(func: Func, compiler, connection) -> tuple[list[str], list]:
    sqls, params = [], []
    for expression in func.get_source_expressions():
        sql, expression_params = compiler.compile(expression)
        sqls.append(sql)
        params.extend(expression_params)
    return sqls, params


def months_and_weeks_later(vendor: str, day: str, months: str, weeks: str) -> str:
    """SQL for the date `day` plus whole calendar months and then whole weeks, each piece
    SQL already compiled, without parameters (some are written out more than once).
    A month added to the 29th, 30th or 31st that the target month lacks lands on its last
    day, as `apprenticeship.funding_rules.add_months` does."""
    if vendor == "postgresql":
        # PostgreSQL's interval arithmetic already clamps to the month's end.
        return (
            f"CAST(({day}) + make_interval(months => CAST(({months}) AS integer), "
            f"weeks => CAST(({weeks}) AS integer)) AS date)"
        )
    # SQLite: the same day of the month, months later, but never past that month's last
    # day: the earlier of (first of the month + months + day - 1) and (first of the month
    # + months + 1, less a day). ISO dates compare correctly as text.
    return (
        "date(min("
        f"date(({day}), 'start of month', '+' || ({months}) || ' months', "
        f"'+' || (CAST(strftime('%%d', ({day})) AS integer) - 1) || ' days'), "
        f"date(({day}), 'start of month', '+' || (({months}) + 1) || ' months', '-1 day')"
        f"), '+' || (({weeks}) * 7) || ' days')"
    )


class DaysBetween(Func):
    """later - earlier, in whole days, for two dates."""

    arity = 2
    output_field = models.IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        (later, earlier), params = _compiled(self, compiler, connection)
        return f"(({later}) - ({earlier}))", params

    def as_sqlite(self, compiler, connection, **extra):
        (later, earlier), params = _compiled(self, compiler, connection)
        return f"CAST(julianday({later}) - julianday({earlier}) AS integer)", params


class _CountAll(Func):
    template = "COUNT(*)"
    output_field = models.IntegerField()


class _RowCount(Subquery):
    output_field = models.IntegerField()
    # A queryset that can match nothing (`.none()`) counts 0, not NULL.
    empty_result_set_value = 0


def count_of(queryset: QuerySet) -> Subquery:
    """How many rows `queryset` has, as a subquery of a list (filtered on each outer row
    with OuterRef): 0 when it has none. One count over the rows the filter finds, with no
    grouping, so it is always one row and cheap to build and compile. COUNT(*), not
    COUNT(id): it needs no column the filter's index lacks, so PostgreSQL counts from an
    index such as evidence (apprenticeship, status, ...) without reading each row."""
    return _RowCount(queryset.order_by().annotate(n=_CountAll()).values("n"))


# Enough apprenticeships per round to keep every query well inside SQLite's limit on
# parameters.
STANDING_CHUNK = 500


def keep_standing(
    model: type[StandingT],
    apprenticeship_ids: Iterable[int],
    work_out: Callable[[list[int], dict[int, StandingT]], None],
    fields: list[str],
) -> None:
    """Store the standing rows (`model`: one row for each apprenticeship, keyed by it) of
    these apprenticeships, each worked out again from scratch: `work_out(ids, rows)` fills
    in `fields` of a fresh row for each id, and every row is written whether or not it
    changed (a missing one is made). Set-based, in rounds of STANDING_CHUNK: the queries
    `work_out` makes, and one upsert, for any number of apprenticeships."""
    ids = sorted(set(apprenticeship_ids))
    for start in range(0, len(ids), STANDING_CHUNK):
        chunk = ids[start : start + STANDING_CHUNK]
        rows = {pk: model(apprenticeship_id=pk) for pk in chunk}
        work_out(chunk, rows)
        model._default_manager.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["apprenticeship"],
            update_fields=fields,
        )


# -- reading part of a JSON document in the database ------------------------------------
# A large JSON column (a portfolio frozen at gateway holds thousands of items) read a
# part at a time: the database sends only the part, and PostgreSQL reads its own binary
# form without parsing text. `column` is the model field's name; keys are top-level keys
# of the document, written into the SQL as parameters.


class _JsonPart(Func):
    output_field: models.Field = models.JSONField()

    def __init__(self, column: str, *args, **extra):
        super().__init__(models.F(column), **extra)
        self.args = args

    def _column(self, compiler, connection) -> tuple[str, list]:
        (column,), params = _compiled(self, compiler, connection)
        return column, params


class JsonWithout(_JsonPart):
    """The document without some of its top-level keys (`JsonWithout("content", "a")`)."""

    def as_postgresql(self, compiler, connection, **extra):
        column, params = self._column(compiler, connection)
        return f"({column})" + " - %s::text" * len(self.args), [*params, *self.args]

    def as_sqlite(self, compiler, connection, **extra):
        column, params = self._column(compiler, connection)
        paths = ", ".join(["%s"] * len(self.args))
        return f"json_remove({column}, {paths})", [*params, *(f"$.{k}" for k in self.args)]


class JsonArrayLength(_JsonPart):
    """How many items the list at a top-level key has."""

    output_field = models.IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        column, params = self._column(compiler, connection)
        return f"jsonb_array_length(({column}) -> %s::text)", [*params, self.args[0]]

    def as_sqlite(self, compiler, connection, **extra):
        column, params = self._column(compiler, connection)
        return f"json_array_length({column}, %s)", [*params, f"$.{self.args[0]}"]


class JsonArraySlice(_JsonPart):
    """Items [start, stop) of the list at a top-level key, as a list ([] past its end):
    `JsonArraySlice("content", "evidence", 25, 50)`."""

    def as_postgresql(self, compiler, connection, **extra):
        column, params = self._column(compiler, connection)
        key, start, stop = self.args
        if stop <= start:
            return "'[]'::jsonb", []
        path = f"$.{key}[{int(start)} to {int(stop) - 1}]"
        return f"jsonb_path_query_array({column}, %s::jsonpath)", [*params, path]

    def as_sqlite(self, compiler, connection, **extra):
        column, params = self._column(compiler, connection)
        key, start, stop = self.args
        return (
            f"(SELECT json_group_array(json(value)) FROM json_each({column}, %s) "  # noqa: S608
            "WHERE key >= %s AND key < %s)"
        ), [*params, f"$.{key}", int(start), int(stop)]


class JsonFindById(_JsonPart):
    """The first object with this "id" in a list of lists: `JsonFindById("content",
    ("evidence",), 7)` looks in content["evidence"]; `("evidence", "files")` in every
    item's "files". None when there is none."""

    def as_postgresql(self, compiler, connection, **extra):
        column, params = self._column(compiler, connection)
        keys, found = self.args
        path = "$" + "".join(f".{k}[*]" for k in keys) + " ? (@.id == $id)"
        return (
            f"jsonb_path_query_first({column}, %s::jsonpath, jsonb_build_object('id', %s::integer))"
        ), [*params, path, int(found)]

    def as_sqlite(self, compiler, connection, **extra):
        column, params = self._column(compiler, connection)
        keys, found = self.args
        sources, paths, inside = [], [], column
        for n, key in enumerate(keys):
            sources.append(f"json_each({inside}, %s) AS part{n}")
            paths.append(f"$.{key}")
            inside = f"part{n}.value"
        return (
            f"(SELECT json({inside}) FROM {', '.join(sources)} "  # noqa: S608 - values are params
            f"WHERE json_extract({inside}, '$.id') = %s LIMIT 1)"
        ), [*params, *paths, int(found)]


class RowVersion(Func):
    """PostgreSQL's version of the row (its xmin, as text): any change to the row gives
    it a new one. NULL on other engines. Only in a query of one table."""

    output_field = models.CharField()
    template = "NULL"

    def as_postgresql(self, compiler, connection, **extra):
        return "xmin::text", []
