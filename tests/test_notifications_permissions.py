"""Who may do what with notifications: every route of the notifications blueprint, for every
kind of person (tests/test_routes.py checks that each route has a row here). A person only
ever reads and marks their own notifications; the unsubscribe link needs no sign-in, its
signed token is the credential."""

import pytest
from sqlalchemy import select

from core.extensions import db
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services import notify
from tests import test_chapter_permissions as chapters_matrix
from tests.helpers import is_login_redirect, table_snapshot
from tests.test_chapter_permissions import ACTORS, LOGIN, OK, route

world = chapters_matrix.world  # the same two chapters and people as the chapters matrix

DONE = "done"  # the change is made (answered with a redirect)
TABLES = ("notifications", "notification_preferences", "outbox_messages", "audit_events")


def _member_a_note_id() -> int:
    return db.session.scalar(select(Notification.id).order_by(Notification.id).limit(1))


def _signed_in(expected):
    return dict.fromkeys(ACTORS[1:], expected)


ROUTES = [
    route("notifications.inbox", "GET", lambda w: "/inbox", **_signed_in(OK)),
    route(
        "notifications.read_one",
        "POST",
        lambda w: f"/inbox/{_member_a_note_id()}/read",
        **(_signed_in(404) | {"member_a": DONE}),
    ),
    route("notifications.read_all", "POST", lambda w: "/inbox/read-all", **_signed_in(DONE)),
    route("notifications.settings", "GET", lambda w: "/settings/notifications", **_signed_in(OK)),
    # Each person saves only their own settings (an empty form keeps them as they are).
    route(
        "notifications.settings", "POST", lambda w: "/settings/notifications", **_signed_in(DONE)
    ),
    route(
        "notifications.unsubscribe",
        "GET",
        lambda w: "/notifications/unsubscribe/not-a-token",
        **dict.fromkeys(ACTORS, 400),
    ),
    route(
        "notifications.unsubscribe",
        "POST",
        lambda w: "/notifications/unsubscribe/not-a-token",
        **dict.fromkeys(ACTORS, 400),
    ),
]


@pytest.fixture
def noted(world):
    """Member A has one unread notification about chapter A."""
    notify(
        Kind.VISION_PROPOSED,
        [world.people["member_a"].id],
        chapter_id=world.a.id,
        link="/c/riverside/vision",
        text="A proposal opened.",
    )
    db.session.commit()
    return world


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", ROUTES, ids=lambda r: r.id)
def test_notification_permission_matrix(noted, case, actor, client, login_as, post):
    if actor != "anonymous":
        login_as(noted.people[actor])
    url = case.url(noted)
    before = table_snapshot(TABLES)
    response = client.get(url) if case.method == "GET" else post(url, case.data(noted))
    expected = case.expect[actor]
    if expected == LOGIN:
        assert is_login_redirect(response), response.status_code
    elif expected == DONE:
        assert response.status_code == 302
        return
    else:
        assert response.status_code == expected
    assert table_snapshot(TABLES) == before, "a refused request changed something"
