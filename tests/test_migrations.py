"""The migrations build the schema from nothing, match the models, and can be rolled back."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from core.audit import record_event
from core.extensions import db
from tests.conftest import PG_URL, make_app

FOUNDATION_TABLES = {
    "audit_events",
    "outbox_messages",
    "password_reset_tokens",
    "rate_limit_hits",
    "user_sessions",
    "users",
}


@pytest.fixture
def empty_database_url(tmp_path, worker_id):
    """A database with no tables: a new SQLite file, or a scratch PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = make_url(PG_URL)
    name = f"{url.database}_migrations_{worker_id}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_app(empty_database_url, tmp_path):
    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def assert_audit_log_is_append_only() -> None:
    event = record_event("migration.check")
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(
            text("UPDATE audit_events SET action = 'x' WHERE id = :id"), {"id": event.id}
        )
    db.session.rollback()


def schema_diff() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_builds_a_schema_that_matches_the_models(empty_app):
    assert table_names() == set()
    upgrade()
    assert table_names() >= FOUNDATION_TABLES
    assert table_names() == set(db.metadata.tables)
    assert schema_diff() == []
    assert_audit_log_is_append_only()


def test_downgrade_to_base_then_upgrade_again(empty_app):
    upgrade()
    downgrade(revision="base")
    assert table_names() == set()
    upgrade()
    assert table_names() == set(db.metadata.tables)
    assert schema_diff() == []
    assert_audit_log_is_append_only()


def test_messages_queued_before_0014_get_a_message_token_each(empty_app):
    upgrade(revision="0013_chapter_months")
    for n in range(3):
        db.session.execute(
            text(
                "INSERT INTO outbox_messages (created_at, to_addr, subject, body, status,"
                " attempts, next_attempt_at) VALUES (:now, :to, 'Hello', 'Hi.', 'pending', 0, :now)"
            ),
            {"now": "2026-12-01 10:00:00", "to": f"person{n}@example.org"},
        )
    db.session.commit()
    upgrade()
    tokens = db.session.scalars(text("SELECT message_token FROM outbox_messages")).all()
    assert len(tokens) == 3 and len(set(tokens)) == 3
    assert all(len(t) == 32 for t in tokens)
    assert schema_diff() == []
