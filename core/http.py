"""Small request helpers shared by the views."""

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app, request, url_for
from werkzeug.routing import MapAdapter


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


def _adapter_on_base_url(script_name: str | None = None) -> MapAdapter:
    """URLs as the site's public address names them, from BASE_URL alone.

    Not from a request: a link in an email must not depend on the Host a request came
    with, and outside a request (the CLI, the mail worker) there is none. Flask's own
    `test_request_context()` would invent `localhost`, which production refuses
    (TRUSTED_HOSTS), and would drop a sub-path (BASE_URL=https://example.org/relay).
    """
    base = urlsplit(current_app.config["BASE_URL"])
    if script_name is None:
        script_name = base.path.rstrip("/") or "/"
    return current_app.url_map.bind(
        base.netloc, script_name=script_name, url_scheme=base.scheme or "https"
    )


def _build(endpoint: str, values: dict[str, Any], adapter: MapAdapter, external: bool) -> str:
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)  # url_defaults hooks, as url_for runs
    url = adapter.build(endpoint, values, force_external=external)
    return f"{url}#{quote(anchor, safe='/')}" if anchor else url


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for emails and feeds: BASE_URL, sub-path included, then the route.

    The same inside a request and outside one, whatever TRUSTED_HOSTS holds."""
    return _build(endpoint, values, _adapter_on_base_url(), external=True)


def site_host() -> str:
    """BASE_URL's host name (no port): the site's name in Message-IDs and calendar UIDs,
    the same whichever Host header a request came with."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "relay.invalid"


def app_path(endpoint: str, **values: Any) -> str:
    """The route's path below the site's root, without any sub-path the site is mounted
    on: what is stored (a notification's link) and later put after BASE_URL in an email
    or after `request.script_root` on a page. The same inside a request and outside one."""
    return _build(endpoint, values, _adapter_on_base_url(script_name="/"), external=False)


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
