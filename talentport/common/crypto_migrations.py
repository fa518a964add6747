"""Data migrations that encrypt existing rows in place (and, reversed, decrypt them).

A column becomes encrypted in two migrations: a schema migration turns it into an
:class:`~talentport.common.crypto.EncryptedTextField` or
:class:`~talentport.common.crypto.EncryptedJSONField` (a text column; the rows still
hold plaintext), then a data migration made with :func:`encrypt_columns` rewrites
every row.  The data migration works on raw SQL (the historical model would try to
decrypt the plaintext), in primary-key chunks, and skips values that are already
tokens, so running it twice changes nothing.  ``derive`` fills columns computed from
the plaintext at the same time (masked copies, blind indexes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from django.db import migrations

from talentport.common.crypto import decrypt, encrypt, is_token

CHUNK = 500

Derive = Callable[[Mapping[str, Any]], Mapping[str, Any]]


def _rows(
    connection: Any, table: str, columns: Sequence[str], pk: str, chunk: int
) -> Iterator[tuple[Any, ...]]:
    qn = connection.ops.quote_name
    select = ", ".join(qn(c) for c in (pk, *columns))
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(
                    f"SELECT {select} FROM {qn(table)} ORDER BY {qn(pk)} LIMIT %s",  # noqa: S608
                    [chunk],
                )
            else:
                cursor.execute(
                    f"SELECT {select} FROM {qn(table)} WHERE {qn(pk)} > %s "  # noqa: S608
                    f"ORDER BY {qn(pk)} LIMIT %s",
                    [last, chunk],
                )
            batch = cursor.fetchall()
        if not batch:
            return
        yield from batch
        last = batch[-1][0]


def _update(connection: Any, table: str, pk: str, pk_value: Any, values: Mapping[str, Any]) -> None:
    if not values:
        return
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(c)} = %s" for c in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(table)} SET {assignments} WHERE {qn(pk)} = %s",  # noqa: S608
            [*values.values(), pk_value],
        )


def _json_text(raw: Any) -> str:
    value = json.loads(raw) if isinstance(raw, str | bytes) else raw
    return json.dumps(value, ensure_ascii=False)


def encrypt_rows(
    connection: Any,
    table: str,
    *,
    text: Sequence[str] = (),
    json_columns: Sequence[str] = (),
    derive: Derive | None = None,
    pk: str = "id",
    chunk: int = CHUNK,
) -> int:
    """Encrypt the plaintext of ``text`` and ``json_columns`` in every row; return how
    many rows changed.  ``derive(plain)`` gets the plaintext values by column name
    (JSON parsed) and returns more columns to set."""
    columns = [*text, *json_columns]
    changed = 0
    for row in _rows(connection, table, columns, pk, chunk):
        pk_value, raw = row[0], dict(zip(columns, row[1:], strict=True))
        values: dict[str, Any] = {}
        plain: dict[str, Any] = {}
        for column, stored in raw.items():
            if stored is None:
                plain[column] = None
                continue
            if isinstance(stored, str) and is_token(stored):
                clear = decrypt(stored)
            else:
                clear = _json_text(stored) if column in json_columns else str(stored)
                values[column] = encrypt(clear)
            plain[column] = json.loads(clear) if column in json_columns else clear
        if values and derive is not None:
            values.update(derive(plain))
        if values:
            _update(connection, table, pk, pk_value, values)
            changed += 1
    return changed


def decrypt_rows(
    connection: Any,
    table: str,
    *,
    text: Sequence[str] = (),
    json_columns: Sequence[str] = (),
    pk: str = "id",
    chunk: int = CHUNK,
) -> int:
    """Write the plaintext back (the reverse of :func:`encrypt_rows`)."""
    columns = [*text, *json_columns]
    changed = 0
    for row in _rows(connection, table, columns, pk, chunk):
        values = {
            column: decrypt(stored)
            for column, stored in zip(columns, row[1:], strict=True)
            if isinstance(stored, str) and is_token(stored)
        }
        if values:
            _update(connection, table, pk, row[0], values)
            changed += 1
    return changed


def encrypt_columns(
    table: str,
    *,
    text: Sequence[str] = (),
    json_columns: Sequence[str] = (),
    derive: Derive | None = None,
) -> migrations.RunPython:
    """A reversible ``RunPython`` operation encrypting these columns of ``table``."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        encrypt_rows(
            schema_editor.connection,
            table,
            text=text,
            json_columns=json_columns,
            derive=derive,
        )

    def backwards(apps: Any, schema_editor: Any) -> None:
        decrypt_rows(schema_editor.connection, table, text=text, json_columns=json_columns)

    return migrations.RunPython(forwards, backwards, elidable=False)
