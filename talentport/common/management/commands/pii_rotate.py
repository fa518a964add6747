"""``talentport manage pii_rotate``: every encrypted column under the current key.

After ``FIELD_ENCRYPTION_KEY`` changed (the previous one kept in
``FIELD_ENCRYPTION_OLD_KEYS``), re-encrypts every ``EncryptedTextField`` and
``EncryptedJSONField`` of every model under the current key, and recomputes every
``BlindIndexField`` under the current ``FIELD_BLIND_INDEX_KEY``.  Works in primary-key
chunks; a row changed meanwhile by someone else is left alone (compare-and-set) and
picked up by the next run.  Idempotent: a second run reports nothing rotated.  Prints
one JSON report; exits 1 when a value decrypts under no configured key.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from talentport.common.crypto import (
    BlindIndexField,
    DecryptionError,
    encrypted_fields,
    is_current,
    rotate,
)

CHUNK = 500


def _rotate_column(
    model: type[models.Model],
    field: models.Field[Any, Any],
    *,
    chunk: int,
    dry_run: bool,
) -> dict[str, int]:
    qn = connection.ops.quote_name
    assert model._meta.pk is not None
    table = model._meta.db_table
    column, pk = str(field.column), str(model._meta.pk.column)
    counts = {"rows": 0, "rotated": 0, "current": 0, "unreadable": 0, "skipped": 0}
    last: Any = None
    while True:
        where, params = ("", []) if last is None else (f" WHERE {qn(pk)} > %s", [last])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)}{where} "  # noqa: S608
                f"ORDER BY {qn(pk)} LIMIT %s",
                [*params, chunk],
            )
            rows = cursor.fetchall()
        if not rows:
            return counts
        last = rows[-1][0]
        updates: list[tuple[str, Any, str]] = []
        for pk_value, token in rows:
            if token is None:
                continue
            counts["rows"] += 1
            if is_current(token):
                counts["current"] += 1
                continue
            try:
                updates.append((rotate(token), pk_value, token))
            except DecryptionError:
                counts["unreadable"] += 1
        if dry_run:
            counts["rotated"] += len(updates)
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            for new, pk_value, old in updates:
                cursor.execute(
                    f"UPDATE {qn(table)} SET {qn(column)} = %s "  # noqa: S608
                    f"WHERE {qn(pk)} = %s AND {qn(column)} = %s",
                    [new, pk_value, old],
                )
                if cursor.rowcount == 1:
                    counts["rotated"] += 1
                else:
                    counts["skipped"] += 1


def _reindex(
    model: type[models.Model], fields: list[BlindIndexField], *, chunk: int, dry_run: bool
) -> dict[str, int]:
    counts = {field.name: 0 for field in fields}
    manager = model._base_manager
    last = 0
    while True:
        objects = list(manager.filter(pk__gt=last).order_by("pk")[:chunk])
        if not objects:
            return counts
        last = objects[-1].pk
        for obj in objects:
            changed = {}
            for field in fields:
                index = field.index_for(getattr(obj, field.source))
                if index != getattr(obj, field.attname):
                    changed[field.attname] = index
                    counts[field.name] += 1
            if changed and not dry_run:
                # a plain UPDATE: save() would re-encrypt and bump updated_at
                manager.filter(pk=obj.pk).update(**changed)


class Command(BaseCommand):
    help = "用当前密钥重新加密全部个人信息字段，并重算盲索引（可重复执行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=CHUNK, help="每批处理的行数")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        chunk = max(1, int(options["chunk_size"]))
        dry_run = bool(options["dry_run"])
        report: dict[str, Any] = {
            "dry_run": dry_run,
            "columns": 0,
            "rows": 0,
            "rotated": 0,
            "current": 0,
            "unreadable": 0,
            "skipped": 0,
            "reindexed": 0,
            "models": {},
        }
        for model in apps.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            entry: dict[str, Any] = {}
            unreadable = 0
            for field in encrypted_fields(model):
                counts = _rotate_column(model, field, chunk=chunk, dry_run=dry_run)
                entry[field.name] = counts
                unreadable += counts["unreadable"]
                report["columns"] += 1
                for key in ("rows", "rotated", "current", "unreadable", "skipped"):
                    report[key] += counts[key]
            indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
            # an unreadable row cannot be loaded: its indexes wait for the missing key
            if indexes and not unreadable:
                reindexed = _reindex(model, indexes, chunk=chunk, dry_run=dry_run)
                for name, count in reindexed.items():
                    entry[name] = {"reindexed": count}
                    report["reindexed"] += count
            if entry:
                report["models"][model._meta.label_lower] = entry
        self.stdout.write(json.dumps(report, ensure_ascii=False, sort_keys=True))
        if report["unreadable"]:
            raise CommandError(
                f"有 {report['unreadable']} 个值无法用任何已配置的密钥解密："
                "请在 FIELD_ENCRYPTION_OLD_KEYS 中补上旧密钥",
                returncode=1,
            )
