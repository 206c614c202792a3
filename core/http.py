"""Small request helpers shared by the views."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def site_home() -> str:
    """The home page ("/"), whichever feature serves it: core names no feature's endpoint."""
    return request.script_root + "/"


def safe_next(default_endpoint: str | None = None) -> str:
    """The ?next= target if it is a path on this site, else the default page."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if (
        target.isprintable()  # no CR/LF header injection, no control characters
        and target.startswith("/")
        and not target.startswith("//")
        and not parts.netloc
        and "\\" not in target
    ):
        return target
    return url_for(default_endpoint) if default_endpoint else site_home()


MAX_PAGE = 10_000


def page_number() -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("page", 1))))
    except ValueError:
        return 1


def same_site_referrer(default_endpoint: str | None = None) -> str:
    """Where the user came from, if it was a page of this site; else the default page."""
    ref = urlsplit(request.referrer or "")
    if ref.netloc == request.host and ref.path.startswith("/"):
        return ref.path + (f"?{ref.query}" if ref.query else "")
    return url_for(default_endpoint) if default_endpoint else site_home()


def external_url(endpoint: str, **values) -> str:
    """An absolute link for emails, on BASE_URL, built inside or outside a request."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path


# An id no route prints by chance: url_with_id builds one URL with it and cuts it out.
_ID_MARK = 987654321


def url_with_id(endpoint: str, id_arg: str, **values: Any) -> Callable[[int], str]:
    """`url_for(endpoint, **values, <id_arg>=n)` for many n, built once: for a link per
    table row. Werkzeug builds each URL in about 10 µs; a table of 50 rows with several
    links each spent milliseconds of its page on them."""
    values[id_arg] = _ID_MARK
    url = url_for(endpoint, **values)
    head, mark, tail = url.partition(str(_ID_MARK))
    if not mark:
        raise ValueError(f"{endpoint}'s {id_arg} does not appear in its URL")
    return lambda n: f"{head}{int(n)}{tail}"
