"""Who may do what with campaigns: every route of the campaigns blueprint, for every kind of person.

DESIGN.md's quality bar: permissions are enforced on the server per object, a member of
chapter B gets 404 for chapter A's objects whatever the URL says, and a refused POST
changes nothing. CAMPAIGN_ROUTE_EXPECTATIONS (tests/campaign_permissions_table.py) is the
table; a walker checks that every campaigns.* endpoint and method has a row, so a new route
without one fails the suite.
"""

import pytest

from tests.campaign_permissions_table import CAMPAIGN_ROUTE_EXPECTATIONS, ROUTES
from tests.campaign_permissions_world import (
    ACTORS,
    DONE,
    LOGIN,
    REFUSED,
    client_for,
    send,
    snapshot,
    world_fixture,  # noqa: F401  (fixture)
)
from tests.helpers import is_login_redirect


def _cases():
    """Actors whose request changes nothing share one world; each allowed change gets its own."""
    for case in ROUTES:
        unchanged = tuple(a for a in ACTORS if case.expect[a] != DONE)
        if unchanged:
            yield pytest.param(case, unchanged, id=f"{case.id} [{' '.join(unchanged)}]")
        for actor in ACTORS:
            if case.expect[actor] == DONE:
                yield pytest.param(case, (actor,), id=f"{case.id} [{actor}]")


@pytest.mark.parametrize(("case", "actors"), list(_cases()))
def test_permission_matrix(world, case, actors, app, login_as, post):
    if case.prepare:
        case.prepare(world)
    for actor in actors:
        client = client_for(actor, world, app, login_as)
        before = snapshot()
        response = send(case, world, client, post)
        after = snapshot()
        expected = case.expect[actor]
        status = response.status_code
        if expected == LOGIN:
            assert is_login_redirect(response), (actor, status)
        elif expected in (DONE, REFUSED):
            assert status == 302, (actor, response.get_data(as_text=True))
            assert not is_login_redirect(response), actor
        else:
            assert status == expected, actor
        if expected == DONE:
            assert after != before, f"{actor}: the allowed POST changed nothing"
        else:
            assert after == before, f"{actor}: a refused request (or a GET) changed the database"


def test_every_campaigns_route_and_method_has_an_expectation(app):
    served = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("campaigns.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {(r.endpoint, r.method) for r in ROUTES}
    assert served - covered == set(), "add these routes to CAMPAIGN_ROUTE_EXPECTATIONS"
    assert covered - served == set(), "these expectations name routes that do not exist"
    assert {e for e, _m in served} == set(CAMPAIGN_ROUTE_EXPECTATIONS)
