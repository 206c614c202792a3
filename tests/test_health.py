"""`/healthz` for load balancers: the database's state and its migrations', for any Host,
in one statement, with nothing else revealed and nothing stored."""

from contextlib import contextmanager

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from config import ProductionConfig
from core import create_app
from core.app import MIGRATIONS_DIR
from core.extensions import db
from core.health import Migrations, migration_state
from tests.conftest import make_app
from tests.factories import make_user

CURRENT = {"database": "ok", "migrations": "current"}


def assert_answer(response, status: int, answer: dict) -> None:
    assert response.status_code == status
    assert response.get_json() == answer  # nothing else: no version, no error text
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


@contextmanager
def stamped(version: str):
    """The database's alembic_version says `version` for a while (the PostgreSQL test
    database is shared by the whole run and truncation leaves that table alone)."""
    (before,) = db.session.scalars(text("SELECT version_num FROM alembic_version")).all()
    db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})
    db.session.commit()
    try:
        yield
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": before})
        db.session.commit()


@pytest.fixture
def other_app(tmp_path):
    made = []

    def _make(config=None, **overrides):
        made.append(create_app(config, **overrides) if config else make_app(**overrides))
        return made[-1]

    yield _make
    for instance in made:
        with instance.app_context():
            db.engine.dispose()


def test_a_database_at_the_migration_head_is_healthy(client):
    assert_answer(client.get("/healthz"), 200, CURRENT)

    head = client.head("/healthz")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Cache-Control"] == "no-store"


def test_a_probe_sends_one_statement(client, query_counter):
    client.get("/healthz")  # the pool has its connection, as it has on a running server

    with query_counter() as statements:
        assert client.get("/healthz").status_code == 200

    assert len(statements) == 1
    assert "alembic_version" in statements[0]


def test_a_database_behind_the_migrations_is_unavailable(client):
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    (head,) = script.get_heads()
    older = script.get_revision(head).down_revision
    assert isinstance(older, str)

    with stamped(older):
        assert_answer(client.get("/healthz"), 503, {"database": "ok", "migrations": "behind"})
    assert_answer(client.get("/healthz"), 200, CURRENT)


def test_a_database_migrated_by_a_newer_release_is_unavailable(client):
    with stamped("9999_from_a_newer_release"):
        assert_answer(client.get("/healthz"), 503, {"database": "ok", "migrations": "ahead"})


def test_a_database_never_migrated_is_behind(other_app, tmp_path):
    empty = other_app(db_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path=tmp_path)

    response = empty.test_client().get("/healthz")

    assert_answer(response, 503, {"database": "ok", "migrations": "behind"})


@pytest.mark.parametrize(
    "bad_url",
    [
        "sqlite:////no/such/folder/relay.sqlite3",
        "postgresql+psycopg://relay:secret@127.0.0.1:1/relay?connect_timeout=2",
    ],
    ids=["sqlite", "postgresql"],
)
def test_an_unreachable_database_is_unavailable_and_unexplained(other_app, tmp_path, bad_url):
    unreachable = other_app(db_url=bad_url, tmp_path=tmp_path)

    response = unreachable.test_client().get("/healthz")

    assert_answer(response, 503, {"database": "unreachable"})
    body = response.get_data(as_text=True)
    assert "secret" not in body and "127.0.0.1" not in body and "Error" not in body


def production(other_app, db_url, tmp_path, **overrides):
    settings = {
        "SECRET_KEY": "a-long-random-production-secret",
        "SQLALCHEMY_DATABASE_URI": db_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "MAIL_BACKEND": "memory",
        "BASE_URL": "https://relay.example.org",
        "TRUSTED_HOSTS": None,  # production's default: BASE_URL's host
    }
    return other_app(ProductionConfig, **(settings | overrides))


@pytest.mark.parametrize("proxies", [0, 1])
def test_production_answers_the_probe_for_any_host_and_nothing_else(
    other_app, db_url, tmp_path, proxies
):
    app = production(other_app, db_url, tmp_path, PROXY_COUNT=proxies)
    assert app.config["TRUSTED_HOSTS"] == ["relay.example.org"]
    balancer = app.test_client()
    forwarded = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}

    for host in ("10.0.0.7:8000", "evil.example", "localhost"):
        assert_answer(balancer.get("/healthz", headers={"Host": host}), 200, CURRENT)
        assert balancer.get("/login", headers={"Host": host}).status_code == 400
    assert_answer(balancer.get("/healthz", headers=forwarded), 200, CURRENT)
    site = balancer.get("/login", base_url="https://relay.example.org")
    assert site.status_code == 200


def test_behind_a_sub_path_the_probe_is_asked_below_it(other_app, db_url, tmp_path):
    app = production(other_app, db_url, tmp_path, BASE_URL="https://relay.example.org/relay")
    balancer = app.test_client()

    # SCRIPT_NAME=/relay, PATH_INFO=/healthz: what gunicorn passes on for /relay/healthz.
    assert_answer(balancer.get("/healthz", base_url="http://10.0.0.7/relay/"), 200, CURRENT)
    # A server that did not strip the prefix gets no probe answer from this path.
    not_the_probe = balancer.get("/relay/healthz", base_url="https://relay.example.org")
    assert not_the_probe.status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_the_probe_only_reads(client, method):
    response = client.open("/healthz", method=method)  # no CSRF token: none is asked for

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert "Set-Cookie" not in response.headers


def test_the_probe_ignores_a_signed_in_session(client, login_as):
    login_as(make_user())

    response = client.get("/healthz")

    assert_answer(response, 200, CURRENT)
    assert "Vary" not in response.headers  # the cookie was never read


@pytest.mark.parametrize(
    ("versions", "state"),
    [
        ({"b"}, "current"),
        ({"a"}, "behind"),
        (set(), "behind"),
        ({"z"}, "ahead"),
        ({"a", "b"}, "behind"),
    ],
)
def test_migration_state(versions, state):
    assert migration_state(versions, Migrations(frozenset({"b"}), frozenset({"a", "b"}))) == state
