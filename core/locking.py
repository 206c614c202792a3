"""Locks for read-check-write sequences (two people endorsing, accepting, taking the last place)."""

import sqlite3

from sqlalchemy import select

from core.extensions import db


def take_write_lock() -> None:
    """SQLite: make sure the session's transaction holds the database's write lock.

    Call it before a read whose answer decides a write. A request that may write took the
    lock when its transaction began (core.extensions); a transaction that has written holds
    it already; otherwise (a command, a GET that writes) this begins the transaction with
    BEGIN IMMEDIATE, waiting for any other writer to commit first. SQLite has one writer
    at a time, so under the lock nobody else can change what was read. Other databases
    lock rows instead; there it does nothing.
    """
    conn = db.session.connection()
    if conn.dialect.name != "sqlite":
        return
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def lock_row(obj, *refresh: str) -> None:
    """Lock `obj`'s row until the transaction ends, then reload the named attributes.

    On PostgreSQL this is SELECT ... FOR UPDATE, so a second request doing the same
    waits and then sees the first one's result. On SQLite (no row locks) it takes the
    database's write lock, which serialises the whole read-check-write the same way.
    """
    take_write_lock()
    model = type(obj)
    db.session.execute(select(model.id).where(model.id == obj.id).with_for_update())
    if refresh:
        db.session.refresh(obj, list(refresh))
