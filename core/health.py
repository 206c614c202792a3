"""`/healthz` for load balancers: is the database answering, at this code's migration head?

Answered by a WSGI middleware in front of Flask, so a balancer's probe gets an answer
whatever Host header it sends (production refuses hosts outside TRUSTED_HOSTS with 400),
and no session, cookie, CSRF token or request hook is involved. One statement per probe;
the migration head is read from the scripts directory once, at start-up.
"""

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from core.extensions import db

# PATH_INFO, i.e. below SCRIPT_NAME: behind a sub-path (/relay) the probe asks /relay/healthz.
HEALTH_PATH = "/healthz"
HEALTH_METHODS = ("GET", "HEAD")
_VERSIONS = text("SELECT version_num FROM alembic_version")

log = logging.getLogger("relay.health")


@dataclass(frozen=True)
class Migrations:
    heads: frozenset[str]  # what `flask db upgrade` brings the database to
    known: frozenset[str]  # every revision in the scripts directory


@cache
def read_migrations(directory: str) -> Migrations:
    """The scripts directory's heads and revisions (cached: the files do not change while
    the process runs, and the test suite makes an app per test)."""
    script = ScriptDirectory(directory)
    known = frozenset(rev.revision for rev in script.walk_revisions())
    return Migrations(frozenset(script.get_heads()), known)


def migration_state(versions: set[str], migrations: Migrations) -> str:
    """'current', 'behind' (never migrated, or an older revision of this code's), or 'ahead'
    (a revision this code does not have: migrated by a newer release)."""
    if versions == migrations.heads:
        return "current"
    if versions <= migrations.known:
        return "behind"
    return "ahead"


def check_health(app: Flask, migrations: Migrations) -> dict[str, str]:
    """The probe's answer: only the database's state and the migrations', never an error's text."""
    with app.app_context():
        engine = db.engine
    try:
        connection = engine.connect()
    except SQLAlchemyError as exc:
        log.warning("health check: cannot connect to the database (%s)", type(exc).__name__)
        return {"database": "unreachable"}
    with connection:
        try:
            versions = set(connection.execute(_VERSIONS).scalars())
        except DBAPIError as exc:
            if exc.connection_invalidated:  # a pooled connection the server has dropped
                log.warning("health check: the database connection was lost")
                return {"database": "unreachable"}
            # No alembic_version table: the database was never migrated.
            log.warning("health check: no migration version (%s)", type(exc).__name__)
            versions = set()
    return {"database": "ok", "migrations": migration_state(versions, migrations)}


class HealthCheck:
    """WSGI middleware answering HEALTH_PATH itself; every other request goes on to Flask."""

    def __init__(self, wsgi_app: Callable, app: Flask, migrations: Migrations) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.migrations = migrations

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != HEALTH_PATH:
            return self.wsgi_app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in HEALTH_METHODS:
            answer, status = {"error": "method not allowed"}, "405 METHOD NOT ALLOWED"
        else:
            answer = check_health(self.app, self.migrations)
            healthy = answer.get("migrations") == "current"
            status = "200 OK" if healthy else "503 SERVICE UNAVAILABLE"
        body = json.dumps(answer).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if status.startswith("405"):
            headers.append(("Allow", ", ".join(HEALTH_METHODS)))
        start_response(status, headers)
        return [] if method == "HEAD" else [body]


def answer_health_checks(app: Flask, migrations_directory: str) -> None:
    """Put the probe in front of everything else (ProxyFix included): it needs nothing
    from the request but its path and method."""
    migrations = read_migrations(migrations_directory)
    app.extensions["relay_health"] = migrations
    app.wsgi_app = HealthCheck(app.wsgi_app, app, migrations)  # type: ignore[method-assign]
