"""`flask export network` and `flask import network`: a lossless round trip into a fresh
database (exporting the restored database gives the same bytes), on SQLite and PostgreSQL."""

import json
import os
import stat

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from core.audit import record_event, verify_chain
from core.extensions import db
from core.models import AuditEvent
from national.network_file import row_count
from tests.conftest import PG_URL, make_app
from tests.national_world import build_network


@pytest.fixture
def fresh_db_url(db_url, tmp_path):
    """An empty, migrated database beside the test's own."""
    if PG_URL:
        url = make_url(db_url)
        name = f"{url.database}_restore"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        fresh = url.set(database=name).render_as_string(hide_password=False)
    else:
        fresh = f"sqlite:///{tmp_path / 'restore.sqlite3'}"
    app = make_app(fresh, tmp_path / "restore")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield fresh
    if PG_URL:
        admin = create_engine(make_url(db_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(fresh).database}" WITH (FORCE)'))
        admin.dispose()


def test_export_import_export_gives_the_same_bytes(app, fresh_db_url, tmp_path):
    build_network()
    runner = app.test_cli_runner()
    first = tmp_path / "first.json"
    result = runner.invoke(args=["export", "network", str(first)])
    assert result.exit_code == 0, result.output
    data = json.loads(first.read_text())
    assert data["format_version"] == 1
    assert len(data["tables"]["chapters"]["rows"]) == 4
    assert "user_sessions" not in data["tables"]

    restored = make_app(fresh_db_url, tmp_path / "restored-app")
    with restored.app_context():
        runner = restored.test_cli_runner()
        result = runner.invoke(args=["import", "network", str(first)])
        assert result.exit_code == 0, result.output
        second = tmp_path / "second.json"
        result = runner.invoke(args=["export", "network", str(second)])
        assert result.exit_code == 0, result.output
        assert second.read_bytes() == first.read_bytes()
        # Restored ids do not collide with new rows, and the audit chain still holds.
        result = runner.invoke(args=["import", "network", str(first)])
        assert result.exit_code != 0
        assert "not empty" in result.output
        _checked, broken = verify_chain()
        assert broken is None
        db.session.remove()
        db.engine.dispose()


def test_a_file_that_is_not_an_export_is_refused(app, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    result = app.test_cli_runner().invoke(args=["import", "network", str(bad)])
    assert result.exit_code != 0
    assert "not a Relay network export" in result.output


@pytest.mark.parametrize("version", ["1", True, 1.0, None])
def test_a_format_version_that_is_not_a_number_says_so(app, tmp_path, version):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "relay-network", "format_version": version, "tables": {}}))
    result = app.test_cli_runner().invoke(args=["import", "network", str(bad)])
    assert result.exit_code != 0
    assert "must be an integer" in result.output
    assert "is format version" not in result.output


@pytest.mark.parametrize("exists", [False, True])
def test_the_export_file_is_readable_by_its_owner_only(app, tmp_path, exists):
    path = tmp_path / "network.json"
    if exists:
        path.write_text("old")
        path.chmod(0o644)
    old_umask = os.umask(0o022)
    try:
        result = app.test_cli_runner().invoke(args=["export", "network", str(path)])
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "mode 0600" in result.output
    assert json.loads(path.read_text())["format"] == "relay-network"


@pytest.fixture
def network_export(app, tmp_path):
    """A valid export of a small network with a few audit events, as a dict to spoil."""
    network = build_network()
    for chapter in (network.alpha, network.solo, network.gone):
        record_event("chapter.renamed", obj=chapter, chapter_id=chapter.id, after={"n": 1})
    db.session.commit()
    path = tmp_path / "valid.json"
    result = app.test_cli_runner().invoke(args=["export", "network", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text())


def _column(data, table, column):
    return data["tables"][table]["columns"].index(column)


def _set(table, column, value, row=0):
    def spoil(data):
        data["tables"][table]["rows"][row][_column(data, table, column)] = value

    return spoil


def _no_tables(data):
    del data["tables"]


def _tables_not_an_object(data):
    data["tables"] = []


def _unknown_column(data):
    block = data["tables"]["users"]
    block["columns"].append("shoe_size")
    for row in block["rows"]:
        row.append(42)


def _short_row(data):
    data["tables"]["users"]["rows"][1].pop()


def _duplicate_id(data):
    rows = data["tables"]["chapters"]["rows"]
    rows.append(list(rows[0]))


def _duplicate_email(data):
    """A unique violation whose database message would quote the email."""
    rows = data["tables"]["users"]["rows"]
    copy = list(rows[0])
    copy[_column(data, "users", "id")] = 99999
    rows.append(copy)


def _missing_parent(data):
    table = "memberships"
    data["tables"][table]["rows"][0][_column(data, table, "chapter_id")] = 99999


def _bad_base64(data):
    block = data["tables"]["evidence_files"]
    row = dict.fromkeys(block["columns"])
    row.update(id=1, data="not base64!")
    block["rows"].append(list(row.values()))


def _deep_nesting(data):
    return "[" * 100_000 + "]" * 100_000


MALFORMED = {
    "no tables": (_no_tables, '"tables"'),
    "tables not an object": (_tables_not_an_object, '"tables"'),
    "unknown column": (_unknown_column, "Table users: columns"),
    "short row": (_short_row, "Table users, row 2:"),
    "bad date": (_set("users", "created_at", "yesterday"), "Table users, row 1: column created_at"),
    "bad base64": (_bad_base64, "Table evidence_files, row 1: column data"),
    "text for a number": (_set("chapters", "id", "1"), "Table chapters, row 1: column id"),
    "a list for a value": (
        _set("users", "display_name", [[1]]),
        "Table users, row 1: column display_name",
    ),
    "deep nesting": (_deep_nesting, "nested too deeply"),
    "duplicate id": (_duplicate_id, "Table chapters, row 5: the database refused it"),
    "duplicate email": (_duplicate_email, "Table users, row"),
    "missing parent": (_missing_parent, "Table memberships, row 1: the database refused it"),
    "check violation": (_set("outcomes", "attendance", -5), "Table outcomes, row 1: the database"),
}


@pytest.mark.parametrize("spoil, expected", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_is_refused_in_one_line_and_nothing_is_written(
    network_export, fresh_db_url, tmp_path, spoil, expected
):
    hashes = [
        row[_column(network_export, "users", "password_hash")]
        for row in network_export["tables"]["users"]["rows"]
    ]
    text_ = spoil(network_export) or json.dumps(network_export)
    path = tmp_path / "spoiled.json"
    path.write_text(text_)

    restored = make_app(fresh_db_url, tmp_path / "restored-app")
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["import", "network", str(path)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        error = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert len(error) == 1, result.output
        assert expected in error[0]
        assert "Nothing was imported." in error[0]
        assert not any(h and h in result.output for h in hashes)
        assert "@" not in result.output  # no email address either
        db.session.remove()
        assert row_count() == 0
        db.session.remove()
        db.engine.dispose()


def test_a_tampered_audit_log_is_refused_unless_accepted_loudly(
    network_export, fresh_db_url, tmp_path
):
    block = network_export["tables"]["audit_events"]
    assert len(block["rows"]) >= 2
    tampered_id = block["rows"][1][_column(network_export, "audit_events", "id")]
    block["rows"][1][_column(network_export, "audit_events", "action")] = "nothing.happened"
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(network_export))

    restored = make_app(fresh_db_url, tmp_path / "restored-app")
    with restored.app_context():
        runner = restored.test_cli_runner()
        result = runner.invoke(args=["import", "network", str(path)])
        assert result.exit_code == 1, result.output
        assert f"hash chain is broken at event {tampered_id}" in result.output
        assert "--accept-broken-audit" in result.output
        db.session.remove()
        assert row_count() == 0

        result = runner.invoke(args=["import", "network", str(path), "--accept-broken-audit"])
        assert result.exit_code == 0, result.output
        assert f"WARNING: the imported audit log's hash chain is BROKEN at event {tampered_id}" in (
            result.output
        )
        db.session.remove()
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.action == "network.imported_with_broken_audit"
        assert last.after == {"broken_at_event": tampered_id, "good_events": 1}
        db.session.remove()
        db.engine.dispose()
