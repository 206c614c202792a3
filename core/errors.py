"""Error pages in the site layout; they show no traceback, SQL or internals."""

import logging

from flask import Flask, flash, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, SecurityError

from core.extensions import db

log = logging.getLogger("relay.errors")


class PolicyError(ValueError):
    """A domain rule refused the change; the message is written for the user."""


MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "You do not have permission to do that."),
    404: ("Page not found", "There is nothing here, or you do not have access to it."),
    405: ("Method not allowed", "That page cannot be used this way."),
    413: ("Upload too large", "The file or form you sent is larger than Relay accepts."),
    429: ("Too many requests", "You have made too many requests. Wait a little and try again."),
    500: ("Something went wrong", "An unexpected error occurred. It has been logged; try again."),
}


def _plain_page(title: str) -> str:
    return f"<!doctype html><title>{title}</title><h1>{title}</h1>"


def _render(code: int, title: str | None = None, message: str | None = None):
    default_title, default_message = MESSAGES.get(code, (f"Error {code}", ""))
    if isinstance(request.routing_exception, SecurityError):
        # A Host header outside TRUSTED_HOSTS: no link can be built for it, so no layout.
        return _plain_page(default_title), code
    try:
        body = render_template(
            "errors/error.html",
            code=code,
            title=title or default_title,
            message=message or default_message,
        )
    except Exception:  # the layout itself failed (e.g. the database is down)
        log.exception("error page could not be rendered")
        body = _plain_page(default_title)
    return body, code


def _back() -> str:
    from core.http import same_site_referrer

    return same_site_referrer() if request.method == "POST" else request.path


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        db.session.rollback()
        return _render(
            400,
            "Form expired",
            "The form was missing its security token or had expired. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(_exc):
        # Optimistic locking: someone saved the same object between our read and write.
        db.session.rollback()
        flash(
            "Someone else changed this at the same time. Nothing of yours was saved; "
            "check the current version and try again.",
            "error",
        )
        return redirect(_back())

    @app.errorhandler(IntegrityError)
    def duplicate(exc):
        # A double submit or a race on a unique row (two clicks on "Join", say).
        db.session.rollback()
        log.info("integrity error answered as a conflict: %s", exc.orig)
        flash(
            "That was already done, or it clashed with another change. Nothing was changed.",
            "error",
        )
        return redirect(_back())

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        body, code = _render(exc.code or 500)
        response = exc.get_response()
        response.set_data(body)
        response.status_code = code
        response.content_type = "text/html; charset=utf-8"
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        if app.testing and not app.config.get("TEST_ERROR_PAGES"):
            raise exc  # let the test see the real traceback
        log.error("unhandled error", exc_info=exc)
        db.session.rollback()
        return _render(500)
