"""Fixtures: a test clock, a migrated database per test run, a fresh app per test, CSRF on,
login helpers.

Clock: every test starts at the same instant (tests/clock.py; RELAY_TEST_NOW chooses
another) and time ticks on from there. A test moves it with the `clock` fixture.

SQLite (default): the schema is migrated once into a template file that each
test copies. PostgreSQL (TEST_DATABASE_URL): each xdist worker migrates its own
database once and every test leaves it truncated.
"""

import os
import shutil
from contextlib import contextmanager

import pytest
import time_machine
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_wtf.csrf import generate_csrf
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from accounts.models import User
from config import TestingConfig
from core import create_app
from core.extensions import db
from national import summary
from tests.clock import start_instants

PG_URL = os.environ.get("TEST_DATABASE_URL")
TEST_NOWS = start_instants()

# Hypothesis: the property tests check rules, not speed. "ci" (the default) has no
# deadline and no too-slow health check, so a busy machine never fails them; the same
# examples every run, so a failure reproduces; and fewer of them in each xdist worker,
# since `make test` shares two cores. HYPOTHESIS_PROFILE=explore searches at random and
# much wider, for when a rule changes. Tests set no settings of their own, except a walk
# that bounds its examples per route to stay fast (test_fuzzed_query_strings.py).
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=50 if "PYTEST_XDIST_WORKER" in os.environ else 100,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "explore",
    deadline=None,
    max_examples=1000,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_report_header() -> str:
    instants = ", ".join(t.isoformat() for t in TEST_NOWS)
    return f"test clock: each test starts at {instants} (RELAY_TEST_NOW)"


def pytest_generate_tests(metafunc):
    """With several instants, every test runs once at each (its id says which)."""
    if len(TEST_NOWS) > 1 and "clock" in metafunc.fixturenames:
        ids = [f"at {t:%Y-%m-%dT%H:%MZ}" for t in TEST_NOWS]
        metafunc.parametrize("clock", TEST_NOWS, indirect=True, ids=ids)


@pytest.fixture(autouse=True)
def clock(request):
    """Every test starts at RELAY_TEST_NOW (tests/clock.py), with time running on from there
    (so durations and timeouts still pass). Python's clocks all read it: core.db.utcnow,
    datetime.now, time.time, and so the timestamps of Werkzeug's cookies and itsdangerous's
    signatures; time.monotonic is left alone. A test moves time with
    `clock.move_to(instant)` or `clock.shift(timedelta(...))`. Not moved: PostgreSQL's now()
    (the app never uses it) and Redis's key expiry."""
    start = getattr(request, "param", TEST_NOWS[0])
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


def _worker_db_url(worker: str) -> str:
    url = make_url(PG_URL)
    name = f"{url.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def make_app(db_url: str, tmp_path, **overrides):
    return create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=db_url,
        INSTANCE_PATH=str(tmp_path / "instance"),
        MAIL_DIR=str(tmp_path / "mail"),
        **overrides,
    )


def _migrate(db_url: str, tmp_path) -> None:
    app = make_app(db_url, tmp_path)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    tmp = tmp_path_factory.mktemp("db")
    url = _worker_db_url(worker_id) if PG_URL else f"sqlite:///{tmp / 'template.sqlite3'}"
    _migrate(url, tmp)
    return url


@pytest.fixture
def is_postgres():
    return bool(PG_URL)


@pytest.fixture
def db_url(database_url, tmp_path):
    if PG_URL:
        yield database_url
        _truncate_all(database_url)
    else:
        template = make_url(database_url).database
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [t.name for t in db.metadata.sorted_tables]
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


def isolate_requests(app):
    """Give every request its own app context, as a real server does.

    The test keeps an app context open (for factories and assertions); without this,
    Flask would reuse it for the test client's requests, which would then share `g`
    (Flask-Login's cached user, Flask-WTF's token) and one database session, so a
    revoked session could still look signed in. After each request the test's own
    session is expired, so assertions read what the request committed.
    """
    inner = app.wsgi_app

    def wsgi_app(environ, start_response):
        with app.app_context():
            response = inner(environ, start_response)
        if has_app_context():
            db.session.expire_all()
        return response

    app.wsgi_app = wsgi_app


class ClosingClient(FlaskClient):
    """A test client that finishes each response the way a server does: read and closed,
    so work scheduled after the response (mail delivery) has run when a request returns."""

    def open(self, *args, buffered=True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture
def app(db_url, tmp_path):
    app = make_app(db_url, tmp_path)
    app.test_client_class = ClosingClient
    isolate_requests(app)
    with app.app_context():
        yield app
        db.session.remove()
        # Whatever the test did, the comparison's per-month summary still equals what it
        # summarises (national/summary.py keeps it in the transaction of every change).
        drift = summary.drift()
        db.session.remove()
        db.engine.dispose()
        assert not drift, "summary differs from the records:\n" + "\n".join(drift[:20])


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token_for(client) -> str:
    """The token a form on this client's session would carry."""
    app = client.application
    # A fresh app context, so no token cached in another request's `g` is reused.
    with client.session_transaction() as sess, app.app_context(), app.test_request_context():
        from flask import session

        session.update(sess)
        token = generate_csrf()
        sess.update(session)
    return token


@pytest.fixture
def post(client):
    """POST a form the way a browser does: with the session's CSRF token."""

    def _post(url, data=None, client_=None, **kwargs):
        c = client_ or client
        payload = dict(data or {})
        payload.setdefault("csrf_token", csrf_token_for(c))
        return c.post(url, data=payload, **kwargs)

    return _post


@pytest.fixture
def login_as(client):
    """Sign a user in on the client without going through the form (one test uses the form)."""
    from accounts.services import start_session

    def _login(user, client_=None, remember=False):
        c = client_ or client
        user_id = user.id
        with c.application.app_context(), c.application.test_request_context():
            key = start_session(db.session.get(User, user_id), remember)
            db.session.commit()
        with c.session_transaction() as sess:
            sess["_user_id"] = key
            sess["_fresh"] = True
        return c

    return _login


@pytest.fixture
def query_counter(app):
    """Count SQL statements sent inside a `with query_counter() as counted:` block."""

    @contextmanager
    def _counter():
        statements = []

        def _before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", _before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", _before)

    return _counter


@pytest.fixture
def sent_mail(app):
    return app.extensions.setdefault("relay_mail_sent", [])


# Redis for the tests of limits shared by app servers; a test that needs it skips, saying
# why, when nothing answers there. Each test names its keys (redis_keys), deleted around it.
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def other_app(db_url, tmp_path):
    """More app instances on the test database, as more app servers would be; with a
    config class (ProductionConfig) when given one, else the testing settings."""
    made = []

    def _make(config=None, **overrides):
        if config is None:
            instance = make_app(db_url, tmp_path, **overrides)
        else:
            instance = create_app(
                config,
                SQLALCHEMY_DATABASE_URI=db_url,
                INSTANCE_PATH=str(tmp_path / "instance"),
                MAIL_BACKEND="memory",
                **overrides,
            )
        made.append(instance)
        return instance

    yield _make
    for instance in made:
        with instance.app_context():
            db.engine.dispose()
        limiter = instance.extensions.get("relay_limiter")
        if hasattr(limiter, "redis"):
            limiter.redis.close()


@pytest.fixture
def redis_keys():
    """`redis_keys(name, ...)`: the limiter keys a test uses, deleted before and after it."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        client.close()
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL}: {exc}")
    keys = []

    def _use(*names):
        full = [f"relay:rl:{name}" for name in names]
        client.delete(*full)
        keys.extend(full)

    yield _use
    if keys:
        client.delete(*keys)
    client.close()
