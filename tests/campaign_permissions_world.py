"""The world the campaigns permission tests run in, and how a case is sent.

Two chapters, every kind of person, a campaign with an action, a milestone, a pool and
unavailable dates; the outcomes a case can expect; signing an actor in and sending the
request. Shared by test_campaign_permissions_*.py (and the expectations table).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from accounts.models import User
from campaigns.models import Action, Campaign, Milestone, Unavailability
from chapters.models import Chapter, VisionGoal
from core.db import utcnow
from core.extensions import db
from tests.factories import (
    add_to_pool,
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_milestone,
    make_unavailability,
    make_user,
    make_vision,
)
from tests.helpers import SNAPSHOT_TABLES, table_snapshot


def snapshot() -> dict[str, list]:
    """Every row a campaigns request could change."""
    return table_snapshot(SNAPSHOT_TABLES)


# --- the world every case runs in -----------------------------------------------------------

ACTORS = ("anonymous", "member_a", "lead_a", "leader_a", "advisor_a", "member_b", "staff")


@dataclass
class World:
    a: Chapter
    b: Chapter
    people: dict[str, User]
    goal: VisionGoal
    campaign: Campaign
    action: Action  # planned, next week, led by lead_a
    milestone: Milestone
    pool_mate: User  # in the pool with lead_a and leader_a
    outside_pool: User  # a member of A not in the pool
    availability: Unavailability  # member_a's
    extra: dict = field(default_factory=dict)


@pytest.fixture(name="world")
def world_fixture(app) -> World:
    a = make_chapter("Riverside Health", slug="riverside", timezone="America/Chicago")
    b = make_chapter("Lakeside Health", slug="lakeside")

    # One commit for all the people: the matrix builds this world for every case.
    def person(chapter, role, name, profession="Medicine") -> User:
        return make_member(chapter, role, name=name, profession=profession, commit=False).user

    people = {
        "member_a": person(a, "member", "Mia Member"),
        "lead_a": person(a, "member", "Lara Lead", "Nursing"),
        "leader_a": person(a, "leader", "Leo Leader"),
        "advisor_a": person(a, "advisor", "Dr Ada Advisor"),
        "member_b": person(b, "member", "Ben Other-Chapter"),
        "leader_b": person(b, "leader", "Bea Leader-B"),
        "staff": make_user(name="Stella Staff", national_staff=True, kind="faculty", commit=False),
    }
    pool_mate = person(a, "member", "Pat Pool", "Pharmacy")
    outside_pool = person(a, "member", "Nia Newcomer")
    db.session.commit()
    goal = make_vision(a, people["leader_a"], status="adopted").goals[0]
    campaign = make_campaign(a, title="Clinic hours", status="active", goal=goal)
    add_to_pool(campaign, people["lead_a"], people["leader_a"], pool_mate, commit=False)
    action = make_action(campaign, title="Meet the dean", lead=people["lead_a"], commit=False)
    milestone = make_milestone(campaign, title="Petition delivered", commit=False)
    db.session.commit()
    return World(
        a=a,
        b=b,
        people=people,
        goal=goal,
        campaign=campaign,
        action=action,
        milestone=milestone,
        pool_mate=pool_mate,
        outside_pool=outside_pool,
        availability=make_unavailability(people["member_a"], utcnow().date() + timedelta(30)),
    )


# --- the expectations table -----------------------------------------------------------------

OK = 200  # the page is shown, nothing changes
DONE = "done"  # the change is made (answered with a redirect)
REFUSED = "refused"  # allowed to ask, but a domain rule says no: redirect, nothing changes
LOGIN = "login"  # redirected to the sign-in page, nothing changes


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: Callable[[World], str]
    expect: dict[str, int | str]
    data: Callable[[World], dict] = lambda w: {}
    prepare: Callable[[World], None] | None = None
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}{' ' + self.label if self.label else ''}"


def client_for(actor: str, world: World, app, login_as):
    client = app.test_client()
    if actor != "anonymous":
        login_as(world.people[actor], client_=client)
    return client


def send(case: Route, world: World, client, post):
    url = case.url(world)
    if case.method == "GET":
        return client.get(url)
    return post(url, case.data(world), client_=client)
