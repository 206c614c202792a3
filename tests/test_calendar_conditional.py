"""Calendars: conditional requests to the feeds (ETag and 304) and what changes the ETag."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.services.calendars import FEED_DAYS_AHEAD, person_feed_token
from chapters.models import Membership
from core.extensions import db
from tests.calendar_world import (
    chapter_feed_path,
    local,
    w_fixture,  # noqa: F401  (fixture)
)
from tests.factories import make_action, make_signup

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


def test_a_lead_signing_in_keeps_the_feeds_etags(w, client, login_as):
    """Signing in moves User.updated_at (last_login_at), which no feed shows."""
    paths = [chapter_feed_path(w), f"/calendar/me/{person_feed_token(w.ann)}.ics"]
    first = {path: fetch(client, path) for path in paths}
    signed_in_before = w.ann.updated_at
    login_as(w.ann)  # Ann leads the town hall, in both feeds
    db.session.expire_all()
    assert w.ann.updated_at > signed_in_before
    for path in paths:
        again = fetch(client, path, first[path].headers["ETag"])
        assert again.status_code == 304, path
        assert fetch(client, path).data == first[path].data
