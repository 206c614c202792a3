"""The app's PostgreSQL connections: no JIT compilation of the report's statements, and
READ COMMITTED whatever the server's default (core.app.set_engine_options)."""

import json
import os

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection

from core.extensions import db
from tests.national_world import build_network

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="PostgreSQL's settings (JIT, transaction isolation): needs TEST_DATABASE_URL",
)


def _report_statements(client, path: str) -> list[tuple[str, dict]]:
    """The reads a page sends, with their parameters, as the driver received them."""
    sent: list[tuple[str, dict]] = []

    def _record(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)
    return sent


def _plan(conn: Connection, statement: str, parameters: dict) -> dict:
    found = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
    return (json.loads(found) if isinstance(found, str) else found)[0]


def test_no_statement_of_a_chapter_report_is_jit_compiled(app, client, login_as):
    """With jit_above_cost lowered to nothing, every plan would be JIT-compiled on a server
    left to its default (jit = on): the demo's comparison statements are estimated in the
    millions, and compiling one took seconds (issue 20). The app's connections say no."""
    network = build_network()
    login_as(network.people["staff"])
    args = "&".join(f"{k}={v}" for k, v in network.period_args().items())
    statements = _report_statements(client, f"/c/alpha/report?{args}")
    assert len(statements) > 5
    widest = max(statements, key=lambda s: len(s[0]))  # the comparison

    with db.engine.connect() as conn:  # SET LOCAL: gone when this transaction ends
        conn.exec_driver_sql("SET LOCAL jit_above_cost = 0")
        conn.exec_driver_sql("SET LOCAL jit = on")
        if "JIT" not in _plan(conn, *widest):
            pytest.skip("this PostgreSQL server cannot JIT-compile: nothing to prove here")

    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET LOCAL jit_above_cost = 0")
        compiled = [s for s, p in statements if "JIT" in _plan(conn, s, p)]
        assert compiled == [], f"{len(compiled)} of {len(statements)} would be JIT-compiled"
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"


def test_the_apps_connections_are_read_committed_whatever_the_servers_default(app):
    """national/summary.py's advisory locks need READ COMMITTED (each statement after the
    lock sees what the lock's previous holder committed), so it is pinned for the app's
    connections rather than taken from the database's default_transaction_isolation."""
    url = db.engine.url
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = url.database
    with admin.connect() as conn:
        conn.execute(
            text(f'ALTER DATABASE "{name}" SET default_transaction_isolation = serializable')
        )
    try:
        db.session.remove()
        db.engine.dispose()  # new connections, which the database's default now applies to
        plain = create_engine(url)  # an engine without the app's options takes the default
        with plain.connect() as conn:
            assert conn.execute(text("SHOW transaction_isolation")).scalar() == "serializable"
        plain.dispose()

        assert db.session.scalar(text("SHOW transaction_isolation")) == "read committed"
        db.session.rollback()
        with db.engine.connect() as conn:
            assert conn.execute(text("SHOW transaction_isolation")).scalar() == "read committed"
    finally:
        db.session.remove()
        db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_isolation'))
        admin.dispose()
