"""Small request helpers shared by the views."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def safe_next(default_endpoint: str = "home") -> str:
    """The ?next= target if it is a path on this site, else the default page."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith("//")
        and not parts.netloc
        and "\\" not in target
    ):
        return target
    return url_for(default_endpoint)


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def external_url(endpoint: str, **values) -> str:
    """An absolute link for emails, on BASE_URL, built inside or outside a request."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path
