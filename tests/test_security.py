"""Security headers on every page (error pages too), cookie flags, production safety, CSRF."""

import re

import pytest
from werkzeug.http import parse_set_header

from config import DevelopmentConfig, ProductionConfig, config_for_environment
from core import create_app
from core.security import UnsafeConfiguration
from tests.factories import PASSWORD, make_user
from tests.test_sessions import (
    assert_signed_in,
)

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_normal_page_has_the_security_headers(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_not_found_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert_security_headers(response)


def test_method_not_allowed_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Method not allowed" in response.get_data(as_text=True)
    assert parse_set_header(response.headers["Allow"]).as_set() >= {"post"}
    assert_security_headers(response)


def test_too_many_requests_page(client, post, other_app):
    app = other_app(LOGIN_MAX_PER_ACCOUNT=1)
    browser = app.test_client()
    post("/login", {"email": "x@example.org", "password": "wrong password!"}, client_=browser)

    response = post(
        "/login", {"email": "x@example.org", "password": "wrong password!"}, client_=browser
    )

    assert response.status_code == 429
    assert_security_headers(response)


def test_form_expired_page(client):
    response = client.post("/login", data={"email": "x@example.org", "password": "whatever1"})
    assert response.status_code == 400
    assert_security_headers(response)


def test_server_error_page_shows_no_internals(other_app):
    app = other_app(TEST_ERROR_PAGES=True)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail: SELECT password_hash FROM users")

    response = app.test_client().get("/boom")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    for leak in ("Traceback", "RuntimeError", "secret detail", "password_hash", 'File "'):
        assert leak not in page
    assert_security_headers(response)


# --- cookies --------------------------------------------------------------------------------


def set_cookie_header(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return {part.strip().lower() for part in header.split(";")[1:]}
    raise AssertionError(f"no Set-Cookie for {name}")


def sign_in_response(post, email, client_=None, **kwargs):
    response = post(
        "/login",
        {"email": email, "password": PASSWORD, "remember": "y"},
        client_=client_,
        **kwargs,
    )
    assert response.status_code == 302
    return response


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(client, post):
    user = make_user()
    response = sign_in_response(post, user.email)

    for name in ("relay_session", "relay_remember"):
        flags = set_cookie_header(response, name)
        assert "httponly" in flags
        assert "samesite=lax" in flags


def test_production_sends_hsts_and_secure_cookies(post, other_app):
    app = other_app(
        ProductionConfig, SECRET_KEY="a-long-random-production-secret", TRUSTED_HOSTS=["localhost"]
    )
    browser = app.test_client()
    user = make_user()

    page = browser.get("/login")
    # Requests are HTTPS here, so a form posted from another site is refused...
    cross_site = post(
        "/login",
        {"email": user.email, "password": PASSWORD},
        client_=browser,
        headers={"Referer": "https://evil.example/login"},
    )
    assert cross_site.status_code == 400
    # ...and one from this site, as the browser says in Referer, is accepted.
    response = sign_in_response(
        post, user.email, client_=browser, headers={"Referer": "https://localhost/login"}
    )

    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert_security_headers(page)
    for name in ("relay_session", "relay_remember"):
        assert {"secure", "httponly", "samesite=lax"} <= set_cookie_header(response, name)


@pytest.mark.parametrize("secret", [None, ""])
def test_production_refuses_to_start_without_a_secret_key(tmp_path, secret):
    with pytest.raises(UnsafeConfiguration, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY=secret, INSTANCE_PATH=str(tmp_path))


def test_production_refuses_to_start_in_debug_mode(tmp_path, monkeypatch):
    with pytest.raises(UnsafeConfiguration, match="Debug"):
        create_app(
            ProductionConfig, SECRET_KEY="s3cret-enough", DEBUG=True, INSTANCE_PATH=str(tmp_path)
        )

    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(UnsafeConfiguration, match="Debug"):
        create_app(ProductionConfig, SECRET_KEY="s3cret-enough", INSTANCE_PATH=str(tmp_path))


@pytest.mark.parametrize("name", ["prod", "Production", "staging"])
def test_a_misspelt_relay_env_refuses_to_start(tmp_path, monkeypatch, name):
    """Not a quiet fall back to the development settings (no Secure cookies, no HSTS)."""
    monkeypatch.setenv("RELAY_ENV", name)
    with pytest.raises(ValueError, match="RELAY_ENV"):
        create_app(INSTANCE_PATH=str(tmp_path))


def test_relay_env_names_its_settings(monkeypatch):
    monkeypatch.setenv("RELAY_ENV", "production")
    assert config_for_environment() is ProductionConfig
    monkeypatch.delenv("RELAY_ENV")
    assert config_for_environment() is DevelopmentConfig


# --- CSRF on every state-changing route -------------------------------------------------------

_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def _sample_value(converter: str | None, args: str | None):
    if converter in {"int", "float"}:
        return 1
    if converter == "any":
        return args.split(",")[0].strip().strip("'\"")
    if converter == "uuid":
        return "00000000-0000-0000-0000-000000000001"
    return "x"


# Routes whose credential is a signed token in the URL, not the session: RFC 8058's one-click
# unsubscribe is POSTed by mail programs without any cookie or form token
# (tests/test_notifications_email.py checks that a bad token is refused and changes nothing).
CSRF_EXEMPT = {"notifications.unsubscribe"}


def state_changing_urls(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every unsafe method of every route in the app, but the
    CSRF_EXEMPT ones."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in CSRF_EXEMPT:
            continue
        url = _ARGUMENT.sub(lambda m: str(_sample_value(m["converter"], m["args"])), rule.rule)
        for method in sorted(rule.methods & UNSAFE_METHODS):
            found.append((rule.endpoint, method, url))
    return found


def _assert_every_route_refuses_a_missing_token(app, browser):
    urls = state_changing_urls(app)
    endpoints = {endpoint for endpoint, _, _ in urls}
    assert {"accounts.login", "accounts.logout", "accounts.admin_set_active"} <= endpoints
    for endpoint, method, url in urls:
        response = browser.open(url, method=method, data={"email": "x@example.org"})
        assert response.status_code == 400, f"{method} {url} ({endpoint})"
        assert "Form expired" in response.get_data(as_text=True), f"{method} {url}"


def test_every_state_changing_route_refuses_a_missing_csrf_token_anonymous(app, client):
    _assert_every_route_refuses_a_missing_token(app, client)


def test_every_state_changing_route_refuses_a_missing_csrf_token_signed_in(
    app, client, post, login_as
):
    admin = make_user(admin=True)
    login_as(admin)

    _assert_every_route_refuses_a_missing_token(app, client)

    # Nothing happened: still signed in, and the token is what made the difference.
    assert_signed_in(client, admin)
    assert post("/logout").status_code == 302
    assert client.get("/profile").status_code == 302


def test_a_token_from_another_session_is_refused(app, client, post, login_as):
    from tests.conftest import csrf_token_for

    user = make_user()
    login_as(user)
    attacker = app.test_client()
    attackers_token = csrf_token_for(attacker)

    response = client.post("/logout", data={"csrf_token": attackers_token})

    assert response.status_code == 400
    assert_signed_in(client, user)
