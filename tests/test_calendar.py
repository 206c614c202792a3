"""Calendars: the chapter page, secret iCalendar feeds (chapter and personal), single actions."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from accounts.models import User
from campaigns.models import Action, Campaign, Milestone, Unavailability
from campaigns.services.calendars import chapter_feed_token, person_feed_token
from chapters.models import Chapter, Membership
from core.db import utcnow
from core.extensions import db
from core.models import AuditEvent
from tests.factories import (
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_milestone,
    make_signup,
)

TZ = ZoneInfo("America/Chicago")


def local(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    day = (utcnow().astimezone(TZ) + timedelta(days=days_ahead)).date()
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


@dataclass
class World:
    chapter: Chapter
    campaign: Campaign
    leader: User
    ann: User
    ben: User
    outsider: User
    town_hall: Action  # Ann leads
    rally: Action  # cancelled
    fair: Action  # Ann signed up
    ben_only: Action  # Ben leads, Ann has nothing to do with it
    old: Action  # months ago: out of the feeds' window
    milestone: Milestone
    elsewhere: Action  # in another chapter


@pytest.fixture
def w(app) -> World:
    chapter = make_chapter("Riverside Health", slug="riverside", timezone="America/Chicago")
    leader = make_member(chapter, "leader", name="Leo Leader").user
    ann = make_member(chapter, "member", name="Ann Nurse", profession="Nursing").user
    ben = make_member(chapter, "member", name="Ben Pharm", profession="Pharmacy").user
    campaign = make_campaign(chapter, title="Clinic hours", status="active")
    fair = make_action(campaign, title="Health fair", starts_at=local(9, 9), minutes=240)
    make_signup(fair, ann)
    other = make_chapter("Lakeside Health", slug="lakeside")
    outsider = make_member(other, "member", name="Otto Outsider").user
    return World(
        chapter=chapter,
        campaign=campaign,
        leader=leader,
        ann=ann,
        ben=ben,
        outsider=outsider,
        town_hall=make_action(
            campaign,
            title="Town hall",
            starts_at=local(5, 18, 30),
            minutes=90,
            lead=ann,
            location="City Hall",
        ),
        rally=make_action(campaign, title="Rally", starts_at=local(6, 12), status="cancelled"),
        fair=fair,
        ben_only=make_action(campaign, title="Op-ed session", starts_at=local(12, 19), lead=ben),
        old=make_action(campaign, title="Old meeting", starts_at=local(-120, 18), lead=ann),
        milestone=make_milestone(
            campaign, title="Petition delivered", due_date=utcnow().date() + timedelta(days=20)
        ),
        elsewhere=make_action(make_campaign(other), title="Lakeside walk", lead=outsider),
    )


def events(body: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(body)
    return {str(ev["SUMMARY"]): ev for ev in cal.walk("VEVENT")}


def feed_path(html: str) -> str:
    url = html.split('<input id="feed" type="text" readonly value="', 1)[1].split('"', 1)[0]
    return urlsplit(url).path


def chapter_feed_path(w) -> str:
    token = chapter_feed_token(w.chapter, w.ann)
    return f"/calendar/chapter/{token}.ics"


# --- the chapter feed -----------------------------------------------------------------------


def test_the_chapter_feed_lists_actions_in_the_chapter_zone_and_milestones_all_day(
    w, client, login_as
):
    login_as(w.ann)
    path = feed_path(client.get("/c/riverside/calendar").get_data(as_text=True))
    assert path == chapter_feed_path(w)
    anonymous = client.application.test_client()  # calendar apps do not sign in
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"

    found = events(response.data)
    assert set(found) == {
        "Town hall (Clinic hours)",
        "Rally (Clinic hours)",
        "Health fair (Clinic hours)",
        "Op-ed session (Clinic hours)",
        "Due: Petition delivered (Clinic hours)",
    }
    town_hall = found["Town hall (Clinic hours)"]
    assert town_hall["DTSTART"].params["TZID"] == "America/Chicago"
    assert town_hall.decoded("DTSTART") == w.town_hall.starts_at
    assert town_hall.decoded("DTSTART").astimezone(TZ).time() == time(18, 30)
    assert town_hall.decoded("DTEND") == w.town_hall.ends_at
    assert str(town_hall["LOCATION"]) == "City Hall"
    assert "Lead: Ann Nurse" in str(town_hall["DESCRIPTION"])
    assert str(found["Rally (Clinic hours)"]["STATUS"]) == "CANCELLED"
    assert str(town_hall["STATUS"]) == "CONFIRMED"

    due = found["Due: Petition delivered (Clinic hours)"]
    assert due.decoded("DTSTART") == w.milestone.due_date
    assert not isinstance(due.decoded("DTSTART"), datetime)  # an all-day date
    assert due.decoded("DTEND") == w.milestone.due_date + timedelta(days=1)

    # The zone the events name is defined in the file.
    zones = [str(tz["TZID"]) for tz in Calendar.from_ical(response.data).walk("VTIMEZONE")]
    assert zones == ["America/Chicago"]


def test_the_feed_keeps_the_local_time_across_a_dst_change(w, client):
    # 18:00 in Chicago on either side of next year's spring change (second Sunday of
    # March): 1 March is UTC-6, 15 March is UTC-5. Next year keeps both inside the feed.
    year = utcnow().year + 1
    before = make_action(
        w.campaign, title="Before", starts_at=datetime(year, 3, 2, 0, 0, tzinfo=UTC)
    )
    after = make_action(
        w.campaign, title="After", starts_at=datetime(year, 3, 15, 23, 0, tzinfo=UTC)
    )
    found = events(client.get(chapter_feed_path(w)).data)
    for action in (before, after):
        event = found[f"{action.title} (Clinic hours)"]
        assert event["DTSTART"].params["TZID"] == "America/Chicago"
        assert event.decoded("DTSTART") == action.starts_at
        assert event.decoded("DTSTART").astimezone(TZ).time() == time(18, 0)


def test_regenerating_the_chapter_feed_kills_the_old_address(w, client, login_as, post):
    old = chapter_feed_path(w)
    login_as(w.leader)
    page = client.get("/c/riverside/calendar").get_data(as_text=True)
    assert "Make new addresses for everyone" in page
    response = post("/c/riverside/calendar/regenerate")
    new_page = client.get(response.location).get_data(as_text=True)
    assert "the old ones no longer work" in new_page
    new = feed_path(new_page)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_member_cannot_regenerate_the_chapter_feed(w, client, login_as, post):
    old = chapter_feed_path(w)
    login_as(w.ann)
    assert "Make new addresses" not in client.get("/c/riverside/calendar").get_data(as_text=True)
    assert post("/c/riverside/calendar/regenerate").status_code == 403
    assert client.get(old).status_code == 200


def tampered(token: str) -> list[str]:
    object_id, generation, mac = token.split("-", 2)
    flipped = ("0" if mac[0] != "0" else "1") + mac[1:]
    return [
        f"{object_id}-{generation}-{flipped}",  # wrong signature
        f"{object_id}-{generation}-{mac[:-1]}",  # cut short
        f"{int(object_id) + 1}-{generation}-{mac}",  # another object, same signature
        f"{object_id}-{int(generation) + 1}-{mac}",  # a future generation
        f"{object_id}-{generation}",
        "not-a-token",
        "",
    ]


def test_a_tampered_chapter_token_is_not_found(w, client):
    token = chapter_feed_token(w.chapter, w.ann)
    for bad in tampered(token):
        assert client.get(f"/calendar/chapter/{bad}.ics").status_code == 404, bad
    # A personal token does not open the chapter feed (nor the other way round).
    user_token = person_feed_token(w.ann)
    assert client.get(f"/calendar/chapter/{user_token}.ics").status_code == 404
    assert client.get(f"/calendar/me/{token}.ics").status_code == 404


# --- the personal feed ----------------------------------------------------------------------


def personal_feed_path(client, login_as, user) -> str:
    login_as(user)
    return feed_path(client.get("/me/availability").get_data(as_text=True))


def test_the_personal_feed_holds_only_my_leads_and_sign_ups(w, client, login_as):
    path = personal_feed_path(client, login_as, w.ann)
    assert path == f"/calendar/me/{person_feed_token(w.ann)}.ics"
    response = client.application.test_client().get(path)
    assert response.status_code == 200
    found = events(response.data)
    assert set(found) == {"Town hall (Clinic hours)", "Health fair (Clinic hours)"}
    fair = found["Health fair (Clinic hours)"]
    assert fair["DTSTART"].params["TZID"] == "America/Chicago"
    assert fair.decoded("DTSTART") == w.fair.starts_at


def test_the_personal_feed_drops_chapters_i_left(w, client, login_as):
    path = personal_feed_path(client, login_as, w.ann)
    db.session.scalar(select(Membership).where(Membership.user_id == w.ann.id)).status = "left"
    db.session.commit()
    assert events(client.get(path).data) == {}


def test_regenerating_my_feed_kills_the_old_address(w, client, login_as, post):
    old = personal_feed_path(client, login_as, w.ann)
    response = post("/me/calendar/regenerate")
    page = client.get(response.location).get_data(as_text=True)
    assert "the old one no longer works" in page
    new = feed_path(page)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    # Ben's address is unaffected.
    ben = person_feed_token(w.ben)
    assert client.get(f"/calendar/me/{ben}.ics").status_code == 200


def test_a_tampered_personal_token_is_not_found(w, client):
    token = person_feed_token(w.ann)
    for bad in tampered(token):
        assert client.get(f"/calendar/me/{bad}.ics").status_code == 404, bad


def test_a_disabled_account_has_no_feed(w, client):
    token = person_feed_token(w.ann)
    w.ann.active = False
    db.session.commit()
    assert client.get(f"/calendar/me/{token}.ics").status_code == 404


# --- one action -----------------------------------------------------------------------------


def test_a_single_action_download_needs_login_and_chapter_access(w, client, login_as):
    url = f"/c/riverside/actions/{w.town_hall.id}.ics"
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert urlsplit(anonymous.location).path == "/login"

    login_as(w.outsider)
    assert client.get(url).status_code == 404
    assert client.get(f"/c/lakeside/actions/{w.town_hall.id}.ics").status_code == 404

    login_as(w.ben)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="action-{w.town_hall.id}.ics"'
    )
    found = events(response.data)
    assert list(found) == ["Town hall (Clinic hours)"]
    assert found["Town hall (Clinic hours)"].decoded("DTSTART") == w.town_hall.starts_at


# --- the chapter calendar page --------------------------------------------------------------


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
