"""The whole network as one JSON file, and back: `flask export network FILE.json` and
`flask import network FILE.json` (into an empty database).

Every table that holds the network's work is written in full, rows ordered by primary
key, columns by name of the table's own columns, with a format version. Ids are kept,
so an import restores the same rows and the same links between them (and the audit
log's hash chain still verifies); exporting the restored database gives the same bytes.
Left out, because they are transient or secret and mean nothing elsewhere: login
sessions, password reset tokens, login throttling counters and the mail outbox; and the
comparison's per-month summary, which the import computes again from what it restored.
"""

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from core.audit import record_event, verify_chain
from core.extensions import db
from core.locking import take_write_lock
from national import summary

FORMAT = "relay-network"
FORMAT_VERSION = 1
LEFT_OUT = {
    "user_sessions",
    "password_reset_tokens",
    "rate_limit_hits",
    "outbox_messages",
    # The comparison's summary is computed from the rest, and computed again on import.
    "chapter_months",
    "chapter_month_domains",
    "chapter_month_leads",
    "chapter_decisions",
}
CHUNK = 1000

Progress = Callable[[int], None]  # told how many more rows are done


class NetworkFileError(Exception):
    """The file or the database is not fit for the operation; the message says why."""


def tables() -> list[Table]:
    """The tables written, parents before children (so an import can insert in order)."""
    return [t for t in db.metadata.sorted_tables if t.name not in LEFT_OUT]


def _python_type(column) -> type | None:
    kind = column.type
    kind = getattr(kind, "impl_instance", kind)  # a TypeDecorator (UTCDateTime): its base
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _dump(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _load(value: Any, kind: type | None) -> Any:
    if value is None or kind is None:
        return value
    if kind in (int, str, bool) and type(value) is not kind:
        raise TypeError(kind)  # SQLite would store "7" in an integer column without a word
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is bytes:
        return base64.b64decode(value, validate=True)
    if kind is Decimal:
        return Decimal(value)
    return value


def row_count() -> int:
    return sum(db.session.scalar(select(func.count()).select_from(t)) or 0 for t in tables())


def _rows(table: Table) -> Iterator[list[Any]]:
    query = select(table).order_by(*table.primary_key.columns)
    for row in db.session.execute(query.execution_options(yield_per=CHUNK)):
        yield [_dump(v) for v in row]


def export_network(progress: Progress | None = None) -> str:
    """The file's text: deterministic, so the same data always gives the same bytes."""
    out: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION, "tables": {}}
    for table in tables():
        rows = []
        for row in _rows(table):
            rows.append(row)
            if progress and len(rows) % CHUNK == 0:
                progress(CHUNK)
        if progress:
            progress(len(rows) % CHUNK)
        out["tables"][table.name] = {"columns": [c.name for c in table.columns], "rows": rows}
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"


def read_file(text_: str) -> dict[str, Any]:
    try:
        data = json.loads(text_)
    except json.JSONDecodeError as error:
        raise NetworkFileError(f"The file is not JSON: {error}.") from None
    except RecursionError:
        raise NetworkFileError("The file is nested too deeply to be a network export.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NetworkFileError("The file is not a Relay network export.")
    version = data.get("format_version")
    if type(version) is not int:  # not a string, nor a bool (True == 1 in Python)
        raise NetworkFileError(
            f"The file's format_version is {json.dumps(version)} ({type(version).__name__}); "
            f"it must be an integer (this Relay reads version {FORMAT_VERSION})."
        )
    if version != FORMAT_VERSION:
        raise NetworkFileError(
            f"The file is format version {data.get('format_version')}; this Relay reads "
            f"version {FORMAT_VERSION}."
        )
    _check_shape(data)
    return data


def _check_shape(data: dict[str, Any]) -> None:
    """The file's skeleton: a `tables` object of {"columns": [names], "rows": [lists]}."""
    if not isinstance(data.get("tables"), dict):
        raise NetworkFileError('The file has no "tables" object.')
    for name, block in data["tables"].items():
        if not isinstance(block, dict):
            raise NetworkFileError(f"Table {name}: not an object with columns and rows.")
        columns, rows = block.get("columns"), block.get("rows")
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise NetworkFileError(f'Table {name}: "columns" is not a list of names.')
        if len(set(columns)) != len(columns):
            raise NetworkFileError(f"Table {name}: a column is named twice.")
        if not isinstance(rows, list):
            raise NetworkFileError(f'Table {name}: "rows" is not a list.')
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, list) or len(row) != len(columns):
                raise NetworkFileError(
                    f"Table {name}, row {number}: expected a list of {len(columns)} values."
                )


def import_network(
    data: dict[str, Any], progress: Progress | None = None, *, accept_broken_audit: bool = False
) -> tuple[int, str | None]:
    """Insert every row of the file into this (empty) database; the caller commits.

    Returns the rows inserted and, when the audit log's hash chain is broken and
    `accept_broken_audit` let it in, where it breaks (also recorded in the audit log).
    A broken chain is refused otherwise: someone changed the log after it was written."""
    known = {t.name: t for t in tables()}
    unknown = set(data["tables"]) - set(known)
    if unknown:
        raise NetworkFileError(f"The file has tables this Relay does not know: {sorted(unknown)}.")
    # On SQLite a real transaction first: a SAVEPOINT (see _insert) outside one starts its
    # own, and releasing it commits the rows inserted so far.
    take_write_lock()
    if row_count():
        raise NetworkFileError("The database is not empty: import into a fresh database only.")
    inserted = 0
    for name, table in known.items():
        block = data["tables"].get(name)
        if not block:
            continue
        unknown_columns = [c for c in block["columns"] if c not in table.c]
        if unknown_columns:
            raise NetworkFileError(
                f"Table {name}: columns this Relay does not know: {unknown_columns}."
            )
        columns = [table.c[c] for c in block["columns"]]
        kinds = [_python_type(c) for c in columns]
        for start in range(0, len(block["rows"]), CHUNK):
            chunk = block["rows"][start : start + CHUNK]
            values = [
                _row_values(name, start + offset + 1, columns, kinds, row)
                for offset, row in enumerate(chunk)
            ]
            _insert(table, start + 1, values)
            inserted += len(chunk)
            if progress:
                progress(len(chunk))
    _reset_sequences(known.values())
    broken_at = _check_audit_chain(accept_broken_audit)
    summary.rebuild()
    return inserted, broken_at


def _check_audit_chain(accept_broken: bool) -> str | None:
    checked, broken = verify_chain()
    if broken is None:
        return None
    where = f"event {broken.id} ({broken.action}), after {checked} good events"
    if not accept_broken:
        raise NetworkFileError(
            f"Table audit_events: the audit log's hash chain is broken at {where}; the log "
            "was changed after it was written. Import it anyway with --accept-broken-audit."
        )
    record_event(
        "network.imported_with_broken_audit",
        object_type="audit_events",
        object_id=broken.id,
        after={"broken_at_event": broken.id, "good_events": checked},
    )
    return where


def _row_values(name: str, number: int, columns, kinds, row: list[Any]) -> dict[str, Any]:
    values = {}
    for column, kind, value in zip(columns, kinds, row, strict=True):
        try:
            values[column.key] = _load(value, kind)
        except (ValueError, TypeError, binascii.Error):
            what = kind.__name__ if kind else "value"
            raise NetworkFileError(
                f"Table {name}, row {number}: column {column.name} is not a valid {what}."
            ) from None
    return values


def _insert(table: Table, first: int, values: list[dict[str, Any]]) -> None:
    """Insert a chunk; if the database refuses it, find the row and name it (never its
    contents: the database's own message may quote them, password hashes included)."""
    try:
        with db.session.begin_nested():
            db.session.execute(table.insert(), values)
        return
    except SQLAlchemyError:
        pass
    for number, row in enumerate(values, start=first):
        try:
            with db.session.begin_nested():
                db.session.execute(table.insert(), [row])
        except SQLAlchemyError as error:
            raise NetworkFileError(
                f"Table {table.name}, row {number}: the database refused it ({_reason(error)})."
            ) from None
    raise NetworkFileError(f"Table {table.name}: the database refused rows from {first} on.")


def _reason(error: SQLAlchemyError) -> str:
    """Why, without the row: PostgreSQL's primary message and SQLite's name the constraint
    or column but quote no values (PostgreSQL's DETAIL line does, and is left out)."""
    if isinstance(error, IntegrityError):
        diag = getattr(error.orig, "diag", None)
        message = getattr(diag, "message_primary", None) if diag else None
        if message is None and type(error.orig).__module__.startswith("sqlite3"):
            message = str(error.orig)
        return message or "a duplicate, a missing parent row or a failed check"
    return "a value of the wrong type or size for its column"


def _reset_sequences(all_tables) -> None:
    """PostgreSQL hands out ids from sequences: move each past the ids just inserted."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in all_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and _python_type(pk[0]) is int:
            column = pk[0]
            next_id = select(func.coalesce(func.max(column), 0) + 1).scalar_subquery()
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            db.session.execute(select(func.setval(sequence, next_id, False)))
