"""Flask extension instances, initialised by the app factory; SQLite's connection settings."""

import sqlite3

from flask import has_request_context, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()

# How long a SQLite writer waits for the write lock before failing. Writers queue for it
# (see _sqlite_begin), each holding it for one request's transaction, so under a burst
# the last in line waits for all before it: generous, yet below a proxy's usual timeout.
SQLITE_BUSY_TIMEOUT_MS = 20_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    # SQLite ignores foreign keys unless asked, and WAL plus a busy timeout let
    # a reader and a writer (or two app processes) share the file.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Connection) -> None:
    """On SQLite, a request that may write takes the write lock when its transaction begins.

    SQLite has no row locks (`with_for_update` is ignored) and Python's sqlite3 begins a
    transaction only at the first INSERT/UPDATE/DELETE, so two requests could both read
    "one place left" or the same last audit hash, then both write. BEGIN IMMEDIATE makes
    such requests (POST, PUT, PATCH, DELETE) take turns, the next one waiting up to the
    busy timeout. Reads (GET, HEAD) keep the driver's deferred behaviour and never wait
    for a writer (WAL). Outside requests, core.locking.take_write_lock() (record_event,
    lock_row) takes the lock where a read decides a write.

    SQLAlchemy documents this hook for taking over SQLite's BEGIN ("Transactions with
    SQLite and the sqlite3 driver"); the full recipe also turns off the driver's implicit
    BEGIN, which would give every read a snapshot held until commit, so it stays on here.
    """
    if (
        conn.dialect.name == "sqlite"
        and has_request_context()
        and request.method not in SAFE_METHODS
    ):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
