"""Calendars: the secret iCalendar feeds (chapter and personal) and single-action downloads."""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import select

from campaigns.services.calendars import (
    FEED_DAYS_AHEAD,
    FEED_DAYS_BACK,
    chapter_feed_token,
    person_feed_token,
)
from chapters.models import Membership
from core.db import utcnow
from core.extensions import db
from tests.calendar_world import (
    TZ,
    chapter_feed_path,
    events,
    feed_path,
    local,
    w_fixture,  # noqa: F401  (fixture)
)
from tests.factories import make_action, make_milestone

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


@pytest.mark.dates
def test_the_feed_keeps_the_local_time_across_a_dst_change(w, client):
    # 18:00 in Chicago on either side of a spring change (second Sunday of March): 1 March
    # is UTC-6, 15 March is UTC-5. Both must lie inside the feed's window (60 days back,
    # 366 ahead): this year's March until it is over, next year's after.
    now = utcnow()
    year = now.year if now.month <= 3 else now.year + 1
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


@pytest.mark.dates
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


def test_uids_name_the_site_from_base_url_whatever_host_the_request_came_to(
    w, app, client, login_as
):
    app.config["BASE_URL"] = "https://relay.example.org/relay"

    def uids(response) -> set[str]:
        assert response.status_code == 200
        found = {str(ev["UID"]) for ev in events(response.data).values()}
        assert found and all(uid.endswith("@relay.example.org") for uid in found), found
        return found

    for path in (chapter_feed_path(w), f"/calendar/me/{person_feed_token(w.ann)}.ics"):
        bodies = set()
        for host in ("127.0.0.1:5000", "localhost", "evil.example"):
            response = client.get(path, base_url=f"http://{host}")
            uids(response)
            bodies.add(response.data)
        assert len(bodies) == 1, path  # the same events, the same UIDs, through any name
    login_as(w.ben)
    assert uids(client.get(f"/c/riverside/actions/{w.town_hall.id}.ics")) == {
        f"action-{w.town_hall.id}@relay.example.org"
    }
