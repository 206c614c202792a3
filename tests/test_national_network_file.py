"""`flask export network` and `flask import network`: a lossless round trip into a fresh
database (exporting the restored database gives the same bytes), on SQLite and PostgreSQL."""

import json
import os
import stat

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.audit import verify_chain
from core.extensions import db
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
