"""The PII scan: clear-text ID numbers and mobile phone numbers in the database and
in the log output.

- :func:`scan_database` reads every table of the database with raw SQL (every
  table the database has, not only the models': m2m tables, history tables, the
  session table — whose payloads it also decodes — and django-axes' tables) and
  looks at every text value (and every integer, in case a phone was stored as a
  number).
- :func:`scan_text` looks at any text, e.g. captured log output.
- :func:`capture_log_output` tees what every configured stream handler writes.

A hit is an 18-digit number whose GB 11643 check digit is right (so random digits
in hashes and tokens do not count) or a mainland mobile number ``1[3-9]`` + 9
digits, optionally written with +86, spaces or dashes; neither may touch a letter
or digit (hex tokens, Fernet tokens and blind indexes are not personal data).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection as default_connection

from talentport.common.idcard import id_card_check_digit

ID_CARD = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{16}[0-9Xx])(?![0-9A-Za-z])")
MOBILE = re.compile(
    r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[\s\-]*)?(1[3-9][0-9](?:[\s\-]?[0-9]{4}){2})(?![0-9A-Za-z])"
)


@dataclass(frozen=True)
class Hit:
    source: str  # "db" or a label for text (e.g. "log")
    kind: str  # "id_card" or "mobile"
    value: str
    table: str = ""
    column: str = ""
    row: str = ""

    def __str__(self) -> str:
        where = f"{self.table}.{self.column} row {self.row}" if self.table else self.source
        return f"{self.kind} {self.value} in {where}"


@dataclass
class ScanReport:
    tables: int = 0
    columns: int = 0
    rows: int = 0
    values: int = 0
    log_chars: int = 0
    hits: list[Hit] = field(default_factory=list)

    def add(self, other: ScanReport) -> None:
        self.tables += other.tables
        self.columns += other.columns
        self.rows += other.rows
        self.values += other.values
        self.log_chars += other.log_chars
        self.hits.extend(other.hits)

    def summary(self) -> str:
        return (
            f"PII scan: {self.tables} tables, {self.columns} columns, {self.rows} rows, "
            f"{self.values} values, {self.log_chars} log characters; {len(self.hits)} hits"
        )


def find_personal_data(text: str) -> list[tuple[str, str]]:
    """``[(kind, value)]`` of the clear-text ID numbers and mobile numbers in ``text``."""
    found: list[tuple[str, str]] = []
    for match in ID_CARD.finditer(text):
        number = match.group(1).upper()
        if id_card_check_digit(number[:17]) == number[17]:
            found.append(("id_card", number))
    for match in MOBILE.finditer(text):
        found.append(("mobile", re.sub(r"[^0-9]", "", match.group(1))))
    return found


def scan_text(text: str, *, source: str = "log") -> ScanReport:
    report = ScanReport(log_chars=len(text))
    report.hits = [Hit(source=source, kind=k, value=v) for k, v in find_personal_data(text)]
    return report


def _session_payload(raw: str) -> str:
    """The decoded payload of a django_session row (base64 of signed JSON)."""
    from django.contrib.sessions.backends.db import SessionStore

    try:
        return repr(SessionStore().decode(raw))
    except Exception:
        return ""


def _text_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict | list):  # a JSON column the driver decoded
        return repr(value)
    return None


def scan_database(connection: Any = None, *, chunk: int = 1000) -> ScanReport:
    """Every table, every row, every text (and integer) value, with raw SQL."""
    connection = connection or default_connection
    report = ScanReport()
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
    for table in tables:
        report.tables += 1
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {qn(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            report.columns += len(columns)
            while True:
                rows = cursor.fetchmany(chunk)
                if not rows:
                    break
                for number, row in enumerate(rows, start=report.rows + 1):
                    report.rows += 1
                    for column, value in zip(columns, row, strict=True):
                        text = _text_of(value)
                        if text is None:
                            continue
                        report.values += 1
                        if table == "django_session" and column == "session_data":
                            text = text + "\n" + _session_payload(text)
                        for kind, found in find_personal_data(text):
                            report.hits.append(
                                Hit("db", kind, found, table=table, column=column, row=str(number))
                            )
    return report


class _Tee(io.TextIOBase):
    def __init__(self, stream: Any, copy: io.StringIO) -> None:
        self.stream = stream
        self.copy = copy

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text) if self.stream is not None else len(text)

    def flush(self) -> None:
        if self.stream is not None:
            self.stream.flush()


def _stream_handlers() -> list[logging.StreamHandler[Any]]:
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers: list[logging.StreamHandler[Any]] = []
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if (
                isinstance(handler, logging.StreamHandler)
                and not isinstance(handler, logging.FileHandler)
                and type(handler).__module__.split(".")[0] not in ("_pytest", "pytest")
                and handler not in handlers
            ):
                handlers.append(handler)
    return handlers


@contextlib.contextmanager
def capture_log_output() -> Iterator[io.StringIO]:
    """Copy what every configured stream handler writes (the real log output) into a
    buffer, for the duration of the block."""
    copy = io.StringIO()
    swapped = []
    for handler in _stream_handlers():
        swapped.append((handler, handler.stream))
        handler.stream = _Tee(handler.stream, copy)
    try:
        yield copy
    finally:
        for handler, stream in swapped:
            handler.stream = stream
