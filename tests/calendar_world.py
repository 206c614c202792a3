"""The world the calendar tests run in: a chapter's actions and milestone, and feed helpers.

Shared by test_calendar_*.py, which import the fixture by name.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from accounts.models import User
from campaigns.models import Action, Campaign, Milestone
from campaigns.services.calendars import chapter_feed_token
from chapters.models import Chapter
from core.db import utcnow
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


@pytest.fixture(name="w")
def w_fixture(app) -> World:
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
