"""Bulk work of the hot paths: the push over the talent database, the outbox, the
talent-database import (writes, key lookups, a pause of the cyclic collector).

The ORM's ``bulk_create`` builds a model instance and prepares every value in Python
(≈25 µs a row on PostgreSQL, more than the database spends writing it). Here rows are
plain tuples of Python values in the order of ``columns``:

- on PostgreSQL they are streamed with ``COPY``: straight into the table for a plain
  insert, else into a temporary table shaped like the target's columns, then moved with
  one ``INSERT … SELECT … ON CONFLICT``;
- on SQLite one ``INSERT … ON CONFLICT`` is run per row by the driver (``executemany``,
  in C), or, when the new rows are asked for (``RETURNING``), multi-row statements of
  at most 999 parameters.

Values are converted once per column from the model field's kind (UUIDs, date-times,
decimals and JSON as each database stores them); a column left out that Django fills
(a Python default such as ``uuid4``, ``auto_now``) is filled as ``save()`` would;
constraints, defaults in the database and foreign keys act as for any insert. Callers
pass each conflict key at most once per call (PostgreSQL refuses to update one row
twice in one statement).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import orjson
from django.db import connection, connections, models, transaction
from django.db.models.lookups import In
from django.utils import timezone

_ids = itertools.count()

Converter = Callable[[Any], Any] | None


def _json(value: Any) -> Any:
    return None if value is None else orjson.dumps(value).decode()


#: Fields whose Python value the driver takes as it is (a foreign key: its id).
_PLAIN = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.FloatField,
    models.ForeignKey,
    models.OneToOneField,
)


def _prep(field: models.Field[Any, Any], value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def _converter(field: models.Field[Any, Any]) -> Converter:
    """How a Python value of ``field`` is passed to the database (None: as it is). The
    exact class decides: a subclass (an encrypted text field) is prepared by Django."""
    kind = type(field)
    if kind is models.JSONField:
        return _json
    if kind in _PLAIN:
        return None
    if kind not in (models.UUIDField, models.DateTimeField, models.DateField, models.DecimalField):
        return functools.partial(_prep, field)
    if connection.vendor != "sqlite":
        return None  # psycopg adapts UUID, datetime, date and Decimal itself
    ops = connection.ops
    if kind is models.UUIDField:
        return lambda v: None if v is None else v.hex
    if kind is models.DateTimeField:
        return ops.adapt_datetimefield_value
    if kind is models.DateField:
        return ops.adapt_datefield_value
    return lambda v: None if v is None else str(v)


def _filled(model: type[models.Model], columns: Sequence[str]) -> list[models.Field[Any, Any]]:
    """The fields the caller left out that Django, not the database, gives a value (as
    ``save()`` would: a default such as ``uuid4``, ``auto_now``, "" or NULL)."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.column not in columns and not f.primary_key and f.db_default is models.NOT_PROVIDED
    ]


def _prepared(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[list[str], Sequence[Sequence[Any]]]:
    """The columns written (the caller's, then those filled from Django's defaults) and
    the rows in the database's terms."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    filled = _filled(model, columns)
    now = timezone.now()
    tail: list[Any] = []  # the filled values, the same for every row
    per_row: list[tuple[int, Callable[[], Any]]] = []  # and those made anew (uuid4)
    for n, f in enumerate(filled, start=len(columns)):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            tail.append(now)
        elif f.has_default() and callable(f.default):
            tail.append(None)
            per_row.append((n, f.default))
        else:
            tail.append(f.get_default())
    names = [*columns, *(str(f.column) for f in filled)]
    converters = [_converter(by_column[c]) for c in names]
    made = {i for i, _make in per_row}
    # a value the same for every row is converted once; the caller's and those made
    # anew, per row
    for n in range(len(columns), len(names)):
        conv = converters[n]
        if conv is not None and n not in made:
            tail[n - len(columns)] = conv(tail[n - len(columns)])
    active = [
        (i, conv)
        for i, conv in enumerate(converters)
        if conv is not None and (i < len(columns) or i in made)
    ]
    if not active and not filled:
        return names, rows
    out: list[list[Any]] = []
    for row in rows:
        values = [*row, *tail]
        for i, make in per_row:
            values[i] = make()
        for i, conv in active:
            values[i] = conv(values[i])
        out.append(values)
    return names, out


def bulk_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
    returning: Sequence[str] = (),
    prepared: bool = False,
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (tuples in the order of ``columns``, database column names) into
    ``model``'s table.

    ``prepared``: the values are already in the database's terms (an encrypted field's
    token, the JSON as the field prepares it) and every column is given: nothing is
    converted or filled.

    ``conflict``: the unique columns a row may already hold; such a row is skipped, or,
    with ``update``, those columns are overwritten from the new row. ``returning``: the
    columns of the rows actually inserted or updated, returned as tuples (a skipped row
    returns nothing).
    """
    if not rows:
        return []
    for name in (*conflict, *update, *returning):
        if name not in columns and name not in {f.column for f in model._meta.concrete_fields}:
            raise ValueError(f"{model.__name__} has no column {name!r}")
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    names, values = (list(columns), rows) if prepared else _prepared(model, columns, rows)
    cols = ", ".join(q(c) for c in names)
    tail = ""
    if conflict:
        tail = f" ON CONFLICT ({', '.join(q(c) for c in conflict)}) DO "
        tail += (
            "UPDATE SET " + ", ".join(f"{q(c)} = excluded.{q(c)}" for c in update)
            if update
            else "NOTHING"
        )
    back = f" RETURNING {', '.join(q(c) for c in returning)}" if returning else ""
    if connection.vendor == "postgresql":
        return _postgres(table, cols, values, tail, back)
    marks = "(" + ", ".join(["%s"] * len(names)) + ")"
    with connection.cursor() as cursor:
        if not returning:
            sql = f"INSERT INTO {table} ({cols}) VALUES {marks}{tail}"  # noqa: S608 - names from the model
            cursor.executemany(sql, values)
            return []
        # RETURNING does not go with executemany: rows many at a time, in one statement
        per = max(1, (connection.features.max_query_params or 999) // len(names))
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(values), per):
            part = values[start : start + per]
            sql = (
                f"INSERT INTO {table} ({cols}) VALUES {', '.join([marks] * len(part))}{tail}{back}"  # noqa: S608
            )
            cursor.execute(sql, [v for row in part for v in row])
            found.extend(tuple(r) for r in cursor.fetchall())
        return found


def _postgres(
    table: str, cols: str, values: Sequence[Sequence[Any]], tail: str, back: str
) -> list[tuple[Any, ...]]:
    if not tail and not back:
        # a plain insert: straight into the table
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        return []
    stage = f"tp_bulk_{next(_ids)}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "  # noqa: S608 - names from the model
            f"SELECT {cols} FROM {table} WITH NO DATA"
        )
        raw = cursor.cursor  # psycopg's own cursor: COPY is not in the DB-API
        with raw.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage}{tail}{back}")  # noqa: S608
        found = [tuple(r) for r in cursor.fetchall()] if back else []
        cursor.execute(f"DROP TABLE {stage}")
    return found


class AnyOf(In):
    """``field__any_of=values``: ``IN`` for thousands of values. PostgreSQL gets one
    array parameter (``= ANY(%s)``) instead of a placeholder per value, which it parses
    and plans much faster; elsewhere this is the plain ``IN``."""

    lookup_name = "any_of"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
        return f"{lhs_sql} = ANY(%s)", [*lhs_params, values]


models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)  # a foreign key's own lookups come from here


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Bulk work holds many thousands of small objects (a parsed file, a chunk of
    profiles) that the cyclic garbage collector would walk again and again: a quarter of
    an import's time at 100k lines, 6 % of a push. It makes no reference cycles worth
    collecting meanwhile; the collector runs again after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class WritesBehind:
    """Runs write jobs one at a time in a thread with its own database connection, at
    most one job behind the caller: on PostgreSQL the server stores one chunk (a wait,
    on another core) while this process validates the next. A job is its own
    transaction. On SQLite, or inside a transaction (the caller's or a test's, whose
    rows another connection could not see), jobs run in line. An error of a job is
    raised by the next :meth:`submit` or by :meth:`close`."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="writes-behind")
        self._pending: Future[None] | None = None

    def submit(self, job: Callable[[], None]) -> None:
        if self._pool is None:
            job()
            return
        self.wait()
        self._pending = self._pool.submit(job)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.submit(connections.close_all).result()  # the thread's connection
                self._pool.shutdown()
                self._pool = None

    def __enter__(self) -> WritesBehind:
        return self

    def __exit__(self, kind: object, error: object, tb: object) -> None:
        if error is None:
            self.close()
            return
        try:  # the caller failed: let the job in flight end, report the caller's error
            self.close()
        except Exception:  # noqa: BLE001, S110 - the caller's error is the one raised
            pass
