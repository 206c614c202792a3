"""A refused campaigns operation changes nothing: every refusal a route can reach, one row each.

DESIGN.md: bad input or a refused change gets a clear message and changes nothing. Each case
prepares the world, sends the request as someone allowed to try, and checks that the
service's reason is shown and that no row (audit events included) changed.
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


@pytest.fixture
def w(app) -> W:
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
    today = utcnow().date()
    return lambda w: {
        "start_date": (today + timedelta(first)).isoformat(),
        "end_date": (today + timedelta(last)).isoformat(),
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

REFUSALS = [
    # campaigns and milestones
    Refusal(
        "status: no such transition", "leader", campaign_url("/status/active"), "cannot become"
    ),
    Refusal(
        "status: activate without a goal",
        "leader",
        campaign_url("/status/active"),
        "Link the campaign's objective",
        campaign_is("draft", goal=False),
    ),
    Refusal(
        "edit an archived campaign",
        "leader",
        campaign_url("/edit"),
        ARCHIVED,
        campaign_is("archived"),
        campaign_form,
    ),
    Refusal(
        "milestone in an archived campaign",
        "leader",
        campaign_url("/milestones/new"),
        ARCHIVED,
        campaign_is("archived"),
        milestone_form,
    ),
    Refusal(
        "edit a submitted milestone",
        "leader",
        lambda w: f"/c/riverside/milestones/{w.milestone.id}/edit",
        "cannot be edited here",
        lambda w: setattr(w.milestone, "status", "submitted"),
        milestone_form,
    ),
    Refusal(
        "publish an active campaign",
        "leader",
        campaign_url("/publish"),
        "Only a completed campaign",
    ),
    Refusal("publish twice", "leader", campaign_url("/publish"), "already published", published),
    # actions and sign-ups
    Refusal(
        "action in an archived campaign",
        "leader",
        campaign_url("/actions/new"),
        ARCHIVED,
        campaign_is("archived"),
        action_form,
    ),
    Refusal(
        "edit an action of an archived campaign",
        "leader",
        action_url("/edit"),
        ARCHIVED,
        campaign_is("archived"),
        action_form,
    ),
    Refusal("done before it starts", "leader", action_url("/status/done"), "once it has started"),
    Refusal(
        "status of a cancelled action",
        "leader",
        action_url("/status/done"),
        "Only a planned action",
        action_is(status="cancelled"),
    ),
    Refusal(
        "sign up twice",
        "outsider",
        action_url("/signup"),
        "already signed up",
        signed_up("outsider"),
    ),
    Refusal(
        "sign up when full",
        "outsider",
        action_url("/signup"),
        "This action is full (1 place)",
        both(action_is(capacity=1), signed_up("mate")),
    ),
    Refusal("sign up once started", "outsider", action_url("/signup"), "closed", started),
    Refusal(
        "sign up in an archived campaign",
        "outsider",
        action_url("/signup"),
        ARCHIVED,
        campaign_is("archived"),
    ),
    Refusal("withdraw without a sign-up", "outsider", action_url("/withdraw"), "not signed up"),
    Refusal(
        "withdraw once started",
        "outsider",
        action_url("/withdraw"),
        "already started",
        both(signed_up("outsider"), started),
    ),
    # the pool and availability
    Refusal(
        "join the pool twice",
        "mate",
        campaign_url("/pool"),
        "already in the rotation pool",
        data=pool_change("join"),
    ),
    Refusal(
        "leave a pool one is not in",
        "leader",
        campaign_url("/pool"),
        "is not in the rotation pool",
        data=pool_change("leave", "outsider"),
    ),
    Refusal(
        "join the pool of an archived campaign",
        "outsider",
        campaign_url("/pool"),
        ARCHIVED,
        campaign_is("archived"),
        pool_change("join"),
    ),
    Refusal(
        "unavailable backwards",
        "mate",
        lambda w: "/me/availability",
        "cannot be before the first",
        data=days(10, 5),
    ),
    Refusal(
        "unavailable for over a year",
        "mate",
        lambda w: "/me/availability",
        "at most a year",
        data=days(1, 400),
    ),
    # leads
    Refusal(
        "assign on a stale page",
        "leader",
        action_url("/lead"),
        "while you were deciding",
        data=lead_form("mate", "Knows the dean", version="999"),
    ),
    Refusal(
        "assign the current lead",
        "leader",
        action_url("/lead"),
        "already leads",
        data=lead_form("lead", "Again"),
    ),
    Refusal(
        "assign an advisor",
        "leader",
        action_url("/lead"),
        "must be an active member",
        data=lead_form("advisor", "Faculty"),
    ),
    Refusal(
        "override without a reason",
        "leader",
        action_url("/lead"),
        "needs a reason",
        data=lead_form("outsider"),
    ),
    Refusal(
        "assign on a cancelled action",
        "leader",
        action_url("/lead"),
        "Only a planned action can get a new lead.",
        action_is(status="cancelled"),
        lead_form("mate", "Knows the dean"),
    ),
    Refusal(
        "assign in an archived campaign",
        "leader",
        action_url("/lead"),
        ARCHIVED,
        campaign_is("archived"),
        lead_form("mate", "Knows the dean"),
    ),
    Refusal(
        "hand off outside the pool",
        "lead",
        action_url("/handoff"),
        "Hand off to another member",
        data=handoff_form("outsider"),
    ),
    Refusal(
        "hand off on a stale page",
        "lead",
        action_url("/handoff"),
        "while you were deciding",
        data=handoff_form("mate", version="999"),
    ),
    Refusal(
        "hand off a cancelled action",
        "lead",
        action_url("/handoff"),
        "Only a planned action can be handed off.",
        action_is(status="cancelled"),
        handoff_form("mate"),
    ),
    # swaps
    Refusal("ask a second swap", "lead", action_url("/swap"), "already asked", swap_asked()),
    Refusal(
        "ask a swap of a cancelled action",
        "lead",
        action_url("/swap"),
        "Only a planned action can be swapped.",
        action_is(status="cancelled"),
    ),
    Refusal(
        "accept one's own swap", "lead", swap_url("accept"), "cannot accept your own", swap_asked()
    ),
    Refusal(
        "accept from outside the pool",
        "outsider",
        swap_url("accept"),
        "Join the campaign",
        swap_asked(),
    ),
    Refusal(
        "accept a cancelled swap",
        "mate",
        swap_url("accept"),
        "This swap is no longer open.",
        swap_asked("cancelled"),
    ),
    Refusal(
        "accept a swap whose asker no longer leads",
        "leader",
        swap_url("accept"),
        "The lead of this action changed; the swap no longer applies.",
        lead_changed_under_an_open_swap,
    ),
    Refusal(
        "accept in an archived campaign",
        "mate",
        swap_url("accept"),
        ARCHIVED,
        both(swap_asked(), campaign_is("archived")),
    ),
    Refusal(
        "cancel a cancelled swap",
        "lead",
        swap_url("cancel"),
        "This swap is no longer open.",
        swap_asked("cancelled"),
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[r.label for r in REFUSALS])
def test_a_refused_operation_changes_nothing(w, case, client, login_as, post):
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
