"""The world the refusal tests run in, what each case prepares and sends, and the Refusal row.

Shared by test_refusals_campaigns.py and test_refusals_leads.py, which import the
fixture by name.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest

from accounts.models import User
from campaigns.models import Action, Campaign, Milestone, SwapRequest
from campaigns.services.playbooks import publish_playbook
from core.db import utcnow
from core.extensions import db
from tests.factories import (
    add_to_pool,
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_milestone,
    make_signup,
    make_vision,
)
from tests.helpers import SNAPSHOT_TABLES, table_snapshot


@dataclass
class W:
    people: dict[str, User]
    campaign: Campaign
    action: Action  # planned, next week, led by "lead"
    milestone: Milestone
    swap: int | None = None


@pytest.fixture(name="w")
def w_fixture(app) -> W:
    chapter = make_chapter("Riverside Health", slug="riverside", timezone="America/Chicago")

    def person(role, name, profession="Medicine") -> User:
        return make_member(chapter, role, name=name, profession=profession, commit=False).user

    people = {
        "leader": person("leader", "Leo Leader"),
        "lead": person("member", "Lara Lead", "Nursing"),
        "mate": person("member", "Pat Pool", "Pharmacy"),
        "outsider": person("member", "Nia Newcomer"),
        "advisor": person("advisor", "Dr Ada Advisor"),
    }
    db.session.commit()
    goal = make_vision(chapter, people["leader"], status="adopted").goals[0]
    campaign = make_campaign(chapter, title="Clinic hours", status="active", goal=goal)
    add_to_pool(campaign, people["lead"], people["leader"], people["mate"], commit=False)
    action = make_action(campaign, title="Meet the dean", lead=people["lead"], commit=False)
    milestone = make_milestone(campaign, title="Petition delivered", commit=False)
    db.session.commit()
    return W(people, campaign, action, milestone)


# --- what each case prepares ----------------------------------------------------------------


def campaign_is(status: str, goal: bool = True) -> Callable[[W], None]:
    def _prepare(w: W) -> None:
        w.campaign.status = status
        if not goal:
            w.campaign.goal_id = None

    return _prepare


def action_is(**values) -> Callable[[W], None]:
    def _prepare(w: W) -> None:
        for name, value in values.items():
            setattr(w.action, name, value)

    return _prepare


def started(w: W) -> None:
    w.action.starts_at = utcnow() - timedelta(hours=2)
    w.action.ends_at = utcnow() - timedelta(hours=1)


def signed_up(who: str) -> Callable[[W], None]:
    return lambda w: make_signup(w.action, w.people[who], commit=False) and None


def swap_asked(status: str = "open") -> Callable[[W], None]:
    def _prepare(w: W) -> None:
        swap = SwapRequest(
            action_id=w.action.id, from_user_id=w.people["lead"].id, note="Exams", status=status
        )
        db.session.add(swap)
        db.session.flush()
        w.swap = swap.id

    return _prepare


def lead_changed_under_an_open_swap(w: W) -> None:
    """Data from before lead changes cancelled swaps: open, but its asker no longer leads."""
    swap_asked()(w)
    w.action.lead_id = w.people["mate"].id


def published(w: W) -> None:
    w.campaign.status = "completed"
    publish_playbook(w.campaign, "", w.people["leader"])


def both(*steps: Callable[[W], None]) -> Callable[[W], None]:
    def _prepare(w: W) -> None:
        for step in steps:
            step(w)

    return _prepare


# --- what each case sends -------------------------------------------------------------------


def campaign_url(path: str = "") -> Callable[[W], str]:
    return lambda w: f"/c/riverside/campaigns/{w.campaign.id}{path}"


def action_url(path: str = "") -> Callable[[W], str]:
    return lambda w: f"/c/riverside/actions/{w.action.id}{path}"


def swap_url(change: str) -> Callable[[W], str]:
    return lambda w: f"/c/riverside/swaps/{w.swap}/{change}"


def campaign_form(w: W) -> dict:
    return {
        "title": "Naloxone in every dorm",
        "decision_maker": "Dean of Students",
        "objective": "Kits in every hall",
        "goal_id": str(w.campaign.goal_id or 0),
        "start_date": "2026-09-01",
        "end_date": "2026-12-15",
    }


def action_form(w: W) -> dict:
    return {
        "kind": "meeting",
        "title": "Meet the dean again",
        "day": (utcnow() + timedelta(days=20)).date().isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
    }


def milestone_form(w: W) -> dict:
    return {"title": "Kits ordered", "criteria": "Receipt", "due_date": "2026-12-01"}


def lead_form(who: str, reason: str = "", version: str | None = None) -> Callable[[W], dict]:
    return lambda w: {
        "user_id": str(w.people[who].id),
        "reason": reason,
        "version": version or str(w.action.version),
    }


def handoff_form(who: str, version: str | None = None) -> Callable[[W], dict]:
    return lambda w: {
        "user_id": str(w.people[who].id),
        "note": "Booked the room; the agenda is left.",
        "version": version or str(w.action.version),
    }


def pool_change(change: str, who: str | None = None) -> Callable[[W], dict]:
    return lambda w: {"change": change} | ({"user_id": str(w.people[who].id)} if who else {})


def days(first: int, last: int) -> Callable[[W], dict]:
    # Today is read when the test runs, on the test clock (not at collection, on the machine's).
    return lambda w: {
        "start_date": (utcnow().date() + timedelta(first)).isoformat(),
        "end_date": (utcnow().date() + timedelta(last)).isoformat(),
        "reason": "Exams",
    }


def nothing(_w: W) -> dict:
    return {}


@dataclass
class Refusal:
    label: str
    actor: str
    url: Callable[[W], str]
    message: str
    prepare: Callable[[W], None] | None = None
    data: Callable[[W], dict] = nothing


ARCHIVED = "This campaign is archived; its plan can no longer change."


def assert_refused_and_unchanged(w, case: Refusal, client, login_as, post) -> None:
    """Post the refused operation: its reason is shown and no table row changed."""
    if case.prepare:
        case.prepare(w)
        db.session.commit()
    url, data = case.url(w), case.data(w)
    login_as(w.people[case.actor])
    before = table_snapshot(SNAPSHOT_TABLES)
    response = post(url, data)
    after = table_snapshot(SNAPSHOT_TABLES)
    assert response.status_code in (200, 302), response.status_code
    page = response if response.status_code == 200 else client.get(response.location)
    assert case.message in unescape(page.get_data(as_text=True))
    assert after == before, "a refused operation changed the database"
