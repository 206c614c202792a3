"""The inbox: newest first, paginated, times in the chapter's zone, only what the reader may
still see; marking read is the recipient's alone; the page's statements do not grow."""

from datetime import timedelta

from sqlalchemy import select

from chapters.models import Membership
from chapters.services.roster import end_membership
from core.db import utcnow
from core.extensions import db
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services import INBOX_PER_PAGE, notify
from tests.notifications_world import world_fixture  # noqa: F401  (fixture)


def _note(world, user, text, *, chapter=None, minutes_ago=0):
    made = notify(
        Kind.VISION_PROPOSED,
        [user.id],
        chapter_id=(chapter or world.a).id,
        link=f"/c/{(chapter or world.a).slug}/vision",
        text=text,
    )
    for n in made:
        n.created_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return made[0] if made else None


def test_the_inbox_lists_newest_first_with_links_and_the_chapters_time(world, client, login_as):
    _note(world, world.m1, "Older news", minutes_ago=90)
    _note(world, world.m1, "Newer news", minutes_ago=5)
    login_as(world.m1)
    html = client.get("/inbox").get_data(as_text=True)
    assert html.index("Newer news") < html.index("Older news")
    assert 'href="/c/riverside/vision"' in html
    assert "CST" in html or "CDT" in html  # Riverside's zone is America/Chicago
    assert "Inbox, 2 unread" in html  # the navigation's count


def test_the_inbox_is_paginated(world, client, login_as):
    for i in range(INBOX_PER_PAGE + 3):
        _note(world, world.m1, f"News number {i:03}", minutes_ago=100 - i)
    login_as(world.m1)
    first = client.get("/inbox").get_data(as_text=True)
    second = client.get("/inbox?page=2").get_data(as_text=True)
    assert "News number 027" in first and "News number 000" not in first
    assert "News number 000" in second and "Page 2 of 2" in second


def test_what_the_reader_can_no_longer_see_is_hidden_and_not_counted(world, client, login_as):
    _note(world, world.m2, "About Riverside")
    login_as(world.m2)
    assert "About Riverside" in client.get("/inbox").get_data(as_text=True)

    membership = db.session.scalar(select(Membership).filter_by(user_id=world.m2.id))
    end_membership(membership, world.leader)
    db.session.commit()
    html = client.get("/inbox").get_data(as_text=True)
    assert "About Riverside" not in html
    assert "unread" not in html


def test_nobody_else_sees_a_persons_notifications(world, client, login_as):
    _note(world, world.m1, "For Mia only")
    login_as(world.m2)
    assert "For Mia only" not in client.get("/inbox").get_data(as_text=True)


def test_marking_read(world, client, login_as, post):
    mine = _note(world, world.m1, "Mine")
    other = _note(world, world.m1, "Also mine")
    login_as(world.m1)
    assert post(f"/inbox/{mine.id}/read", {"next": "/inbox"}).status_code == 302
    db.session.refresh(mine)
    db.session.refresh(other)
    assert mine.read_at is not None and other.read_at is None
    assert "Inbox, 1 unread" in client.get("/inbox").get_data(as_text=True)

    assert post("/inbox/read-all").status_code == 302
    db.session.refresh(other)
    assert other.read_at is not None


def test_marking_someone_elses_notification_is_refused_and_changes_nothing(
    world, client, login_as, post
):
    theirs = _note(world, world.m1, "Mia's")
    login_as(world.m2)
    assert post(f"/inbox/{theirs.id}/read").status_code == 404
    assert post("/inbox/read-all").status_code == 302  # marks only the reader's own
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_mark_read_needs_the_csrf_token(world, client, login_as):
    mine = _note(world, world.m1, "Mine")
    login_as(world.m1)
    assert client.post(f"/inbox/{mine.id}/read").status_code == 400
    db.session.refresh(mine)
    assert mine.read_at is None


def test_the_inbox_sends_the_same_statements_whatever_its_size(
    world, app, client, login_as, query_counter
):
    counts = []
    for reader, size in ((world.m1, 3), (world.m2, 60)):
        for i in range(size):
            _note(world, reader, f"News {i}", minutes_ago=i)
        c = app.test_client()
        login_as(reader, client_=c)
        assert c.get("/inbox").status_code == 200  # warm
        with query_counter() as statements:
            assert c.get("/inbox").status_code == 200
        counts.append(len(statements))
    # the session and its user (1), the page's count and rows with their chapters (2), the
    # navigation's unread count (1)
    assert counts == [4, 4]


def test_the_unread_count_is_one_statement_on_every_page(world, app, login_as, query_counter):
    _note(world, world.m1, "News")
    c = app.test_client()
    login_as(world.m1, client_=c)
    c.get("/settings/notifications")
    with query_counter() as statements:
        c.get("/settings/notifications")
    unread = [s for s in statements if "notifications" in s and "count" in s.lower()]
    assert len(unread) == 1
    assert db.session.scalar(select(Notification.read_at)) is None  # reading marks nothing
