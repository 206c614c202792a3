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
from campaigns.services.calendars import (
    FEED_DAYS_AHEAD,
    FEED_DAYS_BACK,
    chapter_feed_token,
    person_feed_token,
)
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


def test_the_feeds_cover_a_bounded_window(w, client):
    today = utcnow().date()
    make_action(w.campaign, title="Just inside", starts_at=local(FEED_DAYS_AHEAD - 2, 12))
    make_action(w.campaign, title="Too far ahead", starts_at=local(FEED_DAYS_AHEAD + 2, 12))
    make_action(w.campaign, title="Recent past", starts_at=local(-(FEED_DAYS_BACK - 2), 12))
    make_action(w.campaign, title="Long past", starts_at=local(-(FEED_DAYS_BACK + 2), 12))
    make_milestone(w.campaign, title="Late", due_date=today + timedelta(days=FEED_DAYS_AHEAD + 2))
    make_milestone(w.campaign, title="Gone", due_date=today - timedelta(days=FEED_DAYS_BACK + 2))
    found = {title.split(" (")[0] for title in events(client.get(chapter_feed_path(w)).data)}
    assert {"Just inside", "Recent past"} <= found
    assert not found & {"Too far ahead", "Long past", "Old meeting", "Due: Late", "Due: Gone"}


def test_feed_text_survives_escaping_and_line_folding(w, client):
    w.town_hall.title = "Budget; hearing, part 2 \\ room B"
    w.town_hall.description = (
        "Bring: signs, water;\nmeet at the door. " + "Médecins sans frontières " * 8
    )
    db.session.commit()
    body = client.get(chapter_feed_path(w)).data
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    event = events(body)[f"{w.town_hall.title} (Clinic hours)"]
    assert str(event["DESCRIPTION"]).endswith(w.town_hall.description.strip())


# --- conditional requests -------------------------------------------------------------------


def fetch(client, path: str, etag: str | None = None):
    return client.get(path, headers={"If-None-Match": etag} if etag else {})


def test_an_unchanged_feed_answers_304_without_building_it(w, client, query_counter, monkeypatch):
    path = chapter_feed_path(w)
    first = fetch(client, path)
    etag = first.headers["ETag"]
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, max-age=300"
    assert fetch(client, path).data == first.data  # the body is a function of the data

    def not_built(*_args):
        raise AssertionError("a 304 must not build the calendar")

    monkeypatch.setattr("campaigns.views.calendars.build_calendar", not_built)
    db.session.expunge_all()
    with query_counter() as statements:
        again = fetch(client, path, etag)
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "private, max-age=300"
    # One statement: the token's chapter, person and membership, and the validator.
    assert len(statements) == 1
    with pytest.raises(AssertionError, match="must not build"):
        fetch(client, path, '"an-older-version"')


def rename_lead(w):
    w.ann.display_name = "Ann Nurse-Practitioner"


def move_milestone(w):
    w.milestone.due_date += timedelta(days=1)


def add_action(w):
    make_action(w.campaign, title="New meeting", starts_at=local(3, 10), commit=False)


def leave_window(w):
    w.fair.starts_at = local(FEED_DAYS_AHEAD + 5, 9)
    w.fair.ends_at = w.fair.starts_at + timedelta(hours=1)


CHANGES = {
    "action title": lambda w: setattr(w.town_hall, "title", "Town hall, moved"),
    "action time": lambda w: setattr(w.town_hall, "ends_at", w.town_hall.ends_at + timedelta(1)),
    "action cancelled": lambda w: setattr(w.town_hall, "status", "cancelled"),
    "action added": add_action,
    "action leaves the window": leave_window,
    "lead changed": lambda w: setattr(w.town_hall, "lead", w.ben),
    "lead renamed": rename_lead,
    "milestone renamed": lambda w: setattr(w.milestone, "title", "Petition handed in"),
    "milestone moved": move_milestone,
    "campaign renamed": lambda w: setattr(w.campaign, "title", "Longer clinic hours"),
    "chapter renamed": lambda w: setattr(w.chapter, "name", "Riverside Health Alliance"),
    "chapter zone": lambda w: setattr(w.chapter, "timezone", "America/Denver"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_the_chapter_feed_shows_gives_a_new_etag(w, client, change):
    path = chapter_feed_path(w)
    before = fetch(client, path)
    CHANGES[change](w)
    db.session.commit()
    after = fetch(client, path, before.headers["ETag"])
    assert after.status_code == 200, change
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.data != before.data
    assert fetch(client, path, after.headers["ETag"]).status_code == 304


def test_a_new_feed_address_has_a_new_etag_and_the_old_one_is_gone(w, client):
    old_path = chapter_feed_path(w)
    old = fetch(client, old_path)
    w.chapter.calendar_generation += 1
    db.session.commit()
    assert fetch(client, old_path, old.headers["ETag"]).status_code == 404
    new = fetch(client, chapter_feed_path(w), old.headers["ETag"])
    assert new.status_code == 200
    assert new.headers["ETag"] != old.headers["ETag"]


def test_someone_who_left_gets_404_even_with_a_current_etag(w, client):
    path = chapter_feed_path(w)
    etag = fetch(client, path).headers["ETag"]
    db.session.scalar(select(Membership).where(Membership.user_id == w.ann.id)).status = "left"
    db.session.commit()
    assert fetch(client, path, etag).status_code == 404


def sign_up_ann_for_ben_only(w):
    make_signup(w.ben_only, w.ann, commit=False)


def drop_ann_from_the_fair(w):
    db.session.delete(w.fair.signups[0])


PERSONAL_CHANGES = {
    "sign-up added": sign_up_ann_for_ben_only,
    "sign-up removed": drop_ann_from_the_fair,
    "led action edited": lambda w: setattr(w.town_hall, "location", "Library"),
    "lead of a signed-up action": lambda w: setattr(w.fair, "lead", w.ben),
    "chapter zone": lambda w: setattr(w.chapter, "timezone", "America/Denver"),
    "left the chapter": lambda w: setattr(
        db.session.scalar(select(Membership).where(Membership.user_id == w.ann.id)),
        "status",
        "left",
    ),
}


@pytest.mark.parametrize("change", PERSONAL_CHANGES)
def test_any_change_the_personal_feed_shows_gives_a_new_etag(w, client, change):
    path = f"/calendar/me/{person_feed_token(w.ann)}.ics"
    before = fetch(client, path)
    assert fetch(client, path, before.headers["ETag"]).status_code == 304
    PERSONAL_CHANGES[change](w)
    db.session.commit()
    after = fetch(client, path, before.headers["ETag"])
    assert after.status_code == 200, change
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.data != before.data


def test_an_edit_elsewhere_keeps_the_personal_feed_unchanged(w, client):
    path = f"/calendar/me/{person_feed_token(w.ann)}.ics"
    etag = fetch(client, path).headers["ETag"]
    w.ben_only.title = "Op-ed workshop"  # not Ann's
    w.elsewhere.title = "Lakeside run"
    db.session.commit()
    assert fetch(client, path, etag).status_code == 304


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
