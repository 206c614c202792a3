"""The application factory, built from small named steps."""

import logging
import os
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import BASE_DIR, INSTANCE_DIR, Config, config_for_environment
from core.errors import register_error_pages
from core.extensions import csrf, db, login_manager, migrate
from core.health import answer_health_checks
from core.security import check_production_safety, keep_out_of_caches, set_security_headers
from core.static import version_static_urls

MIGRATIONS_DIR = BASE_DIR / "migrations"


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    app = Flask(
        "relay",
        root_path=str(BASE_DIR),
        instance_path=str(overrides.pop("INSTANCE_PATH", INSTANCE_DIR)),
        template_folder="templates",
        static_folder="static",
    )
    load_config(app, config or config_for_environment(), overrides)
    ensure_secret_key(app)
    check_production_safety(app)
    configure_logging(app)
    trust_proxies(app)
    set_engine_options(app)
    init_extensions(app)
    answer_health_checks(app, str(MIGRATIONS_DIR))
    bound_url_integers(app)
    register_blueprints(app)
    set_security_headers(app)
    keep_out_of_caches(app)
    register_error_pages(app)
    register_request_hooks(app)
    register_template_helpers(app)
    version_static_urls(app)
    register_cli(app)
    return app


def load_config(app: Flask, config: type[Config], overrides: dict) -> None:
    app.config.from_object(config)
    app.config.update(overrides)
    if "FLASK_DEBUG" in os.environ:
        app.debug = os.environ["FLASK_DEBUG"].lower() in {"1", "true", "yes"}


def ensure_secret_key(app: Flask) -> None:
    """Outside production, generate a secret once and keep it in the instance folder."""
    if app.config.get("SECRET_KEY") or app.config["ENV_NAME"] == "production":
        return
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()


def configure_logging(app: Flask) -> None:
    if not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def trust_proxies(app: Flask) -> None:
    count = app.config.get("PROXY_COUNT", 0)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


# What POSTGRES_JIT asks of each new connection (libpq's `options`, sent at start-up).
POSTGRES_JIT_OPTIONS = {"off": "-c jit=off", "on": "-c jit=on", "server": None}


def set_engine_options(app: Flask) -> None:
    """PostgreSQL connections: READ COMMITTED pinned, and JIT compilation as POSTGRES_JIT says.

    The national summary's advisory locks rely on READ COMMITTED (national/summary.py,
    refresh), so it is not left to the server's default_transaction_isolation. JIT is off by
    default: the planner's cost estimates for the comparison's statements run to millions,
    far above jit_above_cost, and compiling them took seconds for a statement that runs in
    milliseconds. Every user of the app's engine gets both: pages, `flask` commands,
    migrations and the benchmarks.
    """
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        return
    jit = app.config["POSTGRES_JIT"]
    if jit not in POSTGRES_JIT_OPTIONS:
        raise RuntimeError(f"POSTGRES_JIT must be one of off, on, server; not {jit!r}.")
    engine_options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    engine_options["isolation_level"] = "READ COMMITTED"
    flag = POSTGRES_JIT_OPTIONS[jit]
    if flag:
        connect_args = dict(engine_options.get("connect_args") or {})
        # Added to options already given in the URL (`?options=...`), which these replace.
        given = connect_args.get("options") or url.query.get("options")
        connect_args["options"] = f"{given} {flag}" if given else flag
        engine_options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    # The accounts blueprint tells the login manager how to load a user and where to sign in.
    login_manager.init_app(app)
    login_manager.session_protection = "basic"


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in URLs: ASCII digits only, up to the largest id a database column holds.

    Werkzeug's `\\d+` also matches other scripts' digits ("８" would be 8), which would give
    one object several URLs; anything else is a 404.
    """

    regex = r"[0-9]+"

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def bound_url_integers(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter


def register_blueprints(app: Flask) -> None:
    """The features, left to right; each sets up what it owns when registered (`record_once`)."""
    from accounts import bp as accounts_bp
    from campaigns import bp as campaigns_bp
    from chapters import bp as chapters_bp
    from national import bp as national_bp
    from notifications import bp as notifications_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(chapters_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(national_bp)
    app.register_blueprint(notifications_bp)


def register_request_hooks(app: Flask) -> None:
    from flask import abort, request
    from flask_login import current_user

    from core.mail import deliver_queued_after_request

    @app.before_request
    def _load_user_first():
        if request.endpoint == "static":
            return
        # Resolve the session before the view runs, so the session check's own
        # write (last seen, expiry) never mixes with the view's transaction.
        _ = current_user.is_authenticated

    @app.before_request
    def _refuse_nul_bytes():
        # PostgreSQL text cannot hold NUL; no legitimate input contains one.
        values = [v for _k, vs in request.args.lists() for v in vs]
        values += [v for _k, vs in request.form.lists() for v in vs]
        values += [v for v in (request.view_args or {}).values() if isinstance(v, str)]
        # Uploaded files' names too: they are echoed in messages. (No route reads JSON.)
        values += [f.filename or "" for _k, fs in request.files.lists() for f in fs]
        if any("\x00" in v for v in values):
            abort(400)

    app.after_request(deliver_queued_after_request)


def register_template_helpers(app: Flask) -> None:
    from core.db import utcnow
    from core.http import url_with_id
    from core.timefmt import html_datetime, localtime

    # Buttons that post (sign out included) take the session's CSRF token from Flask-WTF's
    # `csrf_token()` template global: no form object is built per request for them.
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["localtime"] = localtime
    # Every `<time datetime="...">`: `{{ at | html_datetime }}`, never `at.isoformat()`.
    app.jinja_env.filters["html_datetime"] = html_datetime
    # For status badges: a planned action whose end has passed shows as overdue.
    app.jinja_env.globals["utcnow"] = utcnow
    # A link per table row: `{% set action_url = url_with_id('campaigns.action_page',
    # 'action_id', slug=chapter.slug) %}` once, then `action_url(a.id)` in the loop.
    app.jinja_env.globals["url_with_id"] = url_with_id


def register_cli(app: Flask) -> None:
    """Core's own commands. Features add theirs when registered; `flask demo` is a
    `flask.commands` entry point (pyproject.toml), so the app never imports the demo."""
    import core.cli

    core.cli.register(app)
