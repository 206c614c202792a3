"""Every route the app serves has a written access expectation; a new route without one fails here.

Model: CTFd/CTFd tests/admin/test_views.py::test_admin_access. The chapters and campaigns
tables live in test_chapter_permissions.py and campaign_permissions_table.py (where every
actor is exercised against them); the accounts table is below and is exercised for an
anonymous visitor and an ordinary signed-in person, and so is core's health probe (answered
in front of Flask, so not in app.url_map). A new blueprint brings its own table and adds it
to `expected_routes`.
"""

from urllib.parse import urlsplit

import pytest

from core.health import HEALTH_METHODS, HEALTH_PATH
from tests.campaign_permissions_table import ROUTES as CAMPAIGN_ROUTES
from tests.factories import make_user
from tests.test_chapter_permissions import ROUTES
from tests.test_national_permissions import ROUTES as NATIONAL_ROUTES
from tests.test_notifications_permissions import ROUTES as NOTIFICATION_ROUTES

LOGIN = "login"  # redirected to the sign-in page

# (endpoint, method): (url, anonymous visitor, signed-in person who is not an admin)
ACCOUNT_ROUTES = {
    ("accounts.login", "GET"): ("/login", 200, 302),
    ("accounts.login", "POST"): ("/login", 200, 302),
    ("accounts.logout", "POST"): ("/logout", LOGIN, 302),
    ("accounts.forgot_password", "GET"): ("/password/forgot", 200, 200),
    ("accounts.forgot_password", "POST"): ("/password/forgot", 200, 200),
    ("accounts.reset_password", "GET"): ("/password/reset/not-a-token", 404, 404),
    ("accounts.reset_password", "POST"): ("/password/reset/not-a-token", 404, 404),
    ("accounts.profile", "GET"): ("/profile", LOGIN, 200),
    ("accounts.profile", "POST"): ("/profile", LOGIN, 302),
    ("accounts.change_password_view", "POST"): ("/profile/password", LOGIN, 400),
    ("accounts.admin_users", "GET"): ("/admin/users", LOGIN, 403),
    ("accounts.admin_set_active", "GET"): ("/admin/users/1/disable", LOGIN, 403),
    ("accounts.admin_set_active", "POST"): ("/admin/users/1/disable", LOGIN, 403),
}

# Answered in front of Flask (core/health.py), so not in app.url_map: the load balancer's
# probe, for anyone (tests/test_health.py has the rest).
CORE_ROUTES = {
    ("healthz", "GET"): (HEALTH_PATH, 200, 200),
}

SHELL_ROUTES = ACCOUNT_ROUTES | CORE_ROUTES

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def served_routes(app) -> set[tuple[str, str]]:
    flask_routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - IGNORED_METHODS
    }
    if "relay_health" not in app.extensions:  # core.health.answer_health_checks did not run
        return flask_routes
    return flask_routes | {("healthz", m) for m in set(HEALTH_METHODS) - IGNORED_METHODS}


def expected_routes() -> set[tuple[str, str]]:
    tables = (ROUTES, CAMPAIGN_ROUTES, NATIONAL_ROUTES, NOTIFICATION_ROUTES)
    return {(r.endpoint, r.method) for table in tables for r in table} | set(SHELL_ROUTES)


def test_every_route_has_an_access_expectation(app):
    missing = served_routes(app) - expected_routes()
    assert not missing, (
        "These routes have no access expectation; add them to their blueprint's table "
        "(tests/test_*_permissions.py) or to ACCOUNT_ROUTES or CORE_ROUTES here: "
        f"{sorted(missing)}"
    )


def test_every_expectation_names_a_route_that_exists(app):
    assert not expected_routes() - served_routes(app), "remove expectations for removed routes"


def _request(client, post, method: str, url: str):
    return client.get(url) if method == "GET" else post(url, {})


def _check(response, expected) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert urlsplit(response.location).path == "/login"
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("endpoint", "method"), sorted(SHELL_ROUTES))
def test_account_routes_for_an_anonymous_visitor(client, post, endpoint, method):
    url, anonymous, _signed_in = SHELL_ROUTES[endpoint, method]
    _check(_request(client, post, method, url), anonymous)


@pytest.mark.parametrize(("endpoint", "method"), sorted(SHELL_ROUTES))
def test_account_routes_for_a_signed_in_person(client, post, login_as, endpoint, method):
    url, _anonymous, signed_in = SHELL_ROUTES[endpoint, method]
    login_as(make_user())
    _check(_request(client, post, method, url), signed_in)
