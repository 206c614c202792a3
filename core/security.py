"""Security headers on every response, what caches may keep, and the checks that keep
production safe."""

from urllib.parse import urlsplit

from flask import Flask

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(app: Flask):
    hsts = bool(app.config.get("HSTS"))

    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if hsts:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    app.after_request(_headers)


NOT_STORED = "private, no-store"
REVALIDATED = "private, no-cache"


def keep_out_of_caches(app: Flask) -> None:
    """No cache keeps a response unless its view says how (Cache-Control of its own).

    Signed-in pages show someone's data; anonymous ones carry a session cookie and a form's
    CSRF token (sign-in) or a secret in their address (invitation, reset, unsubscribe): a
    shared cache must keep none of them, and the browser need not either, so the default
    is `private, no-store` for every response, anonymous or not. A response with its own
    validator (ETag or Last-Modified) but no Cache-Control is only kept privately and
    revalidated on each use, never heuristically fresh. Feeds, static files and the like
    set their own.
    """

    def _cache_control(response):
        if "Cache-Control" not in response.headers:
            has_validator = "ETag" in response.headers or "Last-Modified" in response.headers
            response.headers["Cache-Control"] = REVALIDATED if has_validator else NOT_STORED
        return response

    app.after_request(_cache_control)


class UnsafeConfiguration(RuntimeError):
    """The configuration would run production insecurely; the message says what to fix."""


def check_production_safety(app: Flask) -> None:
    if app.config.get("ENV_NAME") != "production":
        return
    if not app.config.get("SECRET_KEY"):
        raise UnsafeConfiguration(
            "SECRET_KEY is not set. In production set SECRET_KEY to a long random value "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if app.debug or app.config.get("DEBUG"):
        raise UnsafeConfiguration(
            "Debug mode is on. Never run production with FLASK_DEBUG or DEBUG enabled."
        )
    if app.config.get("TESTING"):
        raise UnsafeConfiguration("TESTING is on in production.")
    restrict_host_names(app)


def restrict_host_names(app: Flask) -> None:
    """Production answers only its own host names: a forged Host header gets 400, so it
    cannot steer what the app builds from the request (redirects, referrer checks)."""
    if not app.config.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["BASE_URL"]).hostname or ""]
    if not all(app.config["TRUSTED_HOSTS"]):
        raise UnsafeConfiguration(
            "TRUSTED_HOSTS is empty and BASE_URL names no host. Set TRUSTED_HOSTS to the "
            "site's host names, comma-separated (e.g. relay.example.org)."
        )
