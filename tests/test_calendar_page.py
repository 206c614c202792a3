"""Calendars: the chapter calendar page, feed addresses that change, and what is audited."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.models import Unavailability
from campaigns.services.calendars import chapter_feed_token
from chapters.models import Membership
from core.db import utcnow
from core.extensions import db
from core.models import AuditEvent
from tests.calendar_world import (
    TZ,
    feed_path,
    local,
    w_fixture,  # noqa: F401  (fixture)
)
from tests.factories import make_action, make_campaign, make_member

# --- the chapter calendar page --------------------------------------------------------------


@pytest.mark.dates
def test_the_calendar_page_lists_upcoming_actions_by_week_in_local_time(w, client, login_as):
    login_as(w.ben)
    html = client.get("/c/riverside/calendar").get_data(as_text=True)
    town_hall = w.town_hall.starts_at.astimezone(TZ)
    assert town_hall.strftime("%a %d %b, 18:30 ") + town_hall.tzname() in html
    assert "Town hall" in html
    assert "lead: Ann Nurse" in html
    week = (town_hall.date() - timedelta(days=town_hall.weekday())).strftime("%A %d %B %Y")
    assert f"Week of {week}" in html
    for absent in ("Rally", "Old meeting", "Lakeside walk"):
        assert absent not in html


def test_calendar_page_query_count_does_not_grow_with_the_actions(
    w, client, login_as, query_counter
):
    login_as(w.ben)

    def add_actions(n):
        for i in range(n):
            lead = make_member(w.chapter, "member", commit=False).user
            campaign = make_campaign(w.chapter, commit=False) if i % 10 == 0 else w.campaign
            make_action(campaign, starts_at=local(1 + i % 60, 10), lead=lead, commit=False)
        db.session.commit()

    def queries() -> int:
        client.get("/c/riverside/calendar")
        db.session.expunge_all()
        with query_counter() as statements:
            assert client.get("/c/riverside/calendar").status_code == 200
        return len(statements)

    few = queries()
    w.campaign = db.session.merge(w.campaign)
    w.chapter = db.session.merge(w.chapter)
    add_actions(50)
    assert queries() == few


def test_a_member_who_leaves_loses_the_chapter_feed_and_others_keep_theirs(w, client):
    ann_feed = f"/calendar/chapter/{chapter_feed_token(w.chapter, w.ann)}.ics"
    ben_feed = f"/calendar/chapter/{chapter_feed_token(w.chapter, w.ben)}.ics"
    assert client.get(ann_feed).status_code == 200
    db.session.scalar(select(Membership).where(Membership.user_id == w.ann.id)).status = "left"
    db.session.commit()
    assert client.get(ann_feed).status_code == 404
    assert client.get(ben_feed).status_code == 200


def test_a_new_personal_address_also_replaces_my_chapter_feed(w, client, login_as, post):
    old = f"/calendar/chapter/{chapter_feed_token(w.chapter, w.ann)}.ics"
    login_as(w.ann)
    post("/me/calendar/regenerate")
    assert client.get(old).status_code == 404
    new = feed_path(client.get("/c/riverside/calendar").get_data(as_text=True))
    assert client.get(new).status_code == 200


def test_new_feed_addresses_and_unavailable_dates_are_audited(w, client, login_as, post):
    def audited() -> list[tuple[str, str | None]]:
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.object_type).order_by(AuditEvent.id)
        ).all()
        return [tuple(r) for r in rows]

    login_as(w.leader)
    post("/c/riverside/calendar/regenerate")
    post("/me/calendar/regenerate")
    first = utcnow().date() + timedelta(days=3)
    post("/me/availability", {"start_date": first.isoformat(), "end_date": first.isoformat()})
    row = db.session.scalar(select(Unavailability).where(Unavailability.user_id == w.leader.id))
    post(f"/me/availability/{row.id}/delete")
    assert audited()[-4:] == [
        ("calendar.regenerated", "chapters"),
        ("calendar.regenerated", "users"),
        ("unavailability.added", "unavailabilities"),
        ("unavailability.removed", "unavailabilities"),
    ]
