"""Who may do what with campaigns: every route of the campaigns blueprint, for every kind of person.

DESIGN.md's quality bar: permissions are enforced on the server per object, a member of
chapter B gets 404 for chapter A's objects whatever the URL says, and a refused POST
changes nothing. CAMPAIGN_ROUTE_EXPECTATIONS is the table; a walker checks that every
campaigns.* endpoint and method has a row, so a new route without one fails the suite.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from accounts.models import User
from campaigns.models import Action, Campaign, Milestone, SwapRequest, Unavailability
from campaigns.services.calendars import chapter_feed_token, person_feed_token
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
    make_signup,
    make_unavailability,
    make_user,
    make_vision,
)
from tests.helpers import is_login_redirect, table_snapshot

SNAPSHOT_TABLES = (
    "campaigns",
    "milestones",
    "actions",
    "action_signups",
    "lead_assignments",
    "rotation_pool_members",
    "swap_requests",
    "unavailabilities",
    "playbooks",
    "playbook_steps",
    "chapters",
    "users",
    "audit_events",
    "outbox_messages",
)


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


@pytest.fixture
def world(app) -> World:
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


def route(endpoint, method, url, *, data=None, prepare=None, label="", **expect) -> Route:
    expect.setdefault("anonymous", LOGIN)
    assert set(expect) == set(ACTORS), f"{endpoint} {method}: give every actor an expectation"
    return Route(endpoint, method, url, expect, data or (lambda w: {}), prepare, label)


def readers(**overrides) -> dict:
    """A page every member of A (any role) and national staff may read; B may not see it."""
    return dict.fromkeys(ACTORS[1:], OK) | {"member_b": 404} | overrides


def managers(allowed) -> dict:
    """Leaders of A only; others who see the chapter get 403, member B gets 404."""
    return dict.fromkeys(ACTORS[1:], 403) | {"member_b": 404, "leader_a": allowed}


def signed_in(allowed) -> dict:
    """Pages about yourself or the whole network: anyone signed in."""
    return dict.fromkeys(ACTORS[1:], allowed)


def token_feed(status) -> dict:
    """Secret calendar feeds: the token decides, not the login."""
    return dict.fromkeys(ACTORS, status)


def campaign_form(w: World) -> dict:
    return {
        "playbook": "",
        "title": "Naloxone in every dorm",
        "issue": "",
        "target_community": "",
        "decision_maker": "Dean of Students",
        "objective": "Kits in every hall",
        "goal_id": str(w.goal.id),
        "start_date": "2026-09-01",
        "end_date": "2026-12-15",
    }


def action_form(w: World) -> dict:
    return {
        "kind": "meeting",
        "title": "Meet the dean again",
        "day": (utcnow() + timedelta(days=20)).date().isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
        "location": "Admin building",
        "description": "",
        "capacity": "",
    }


def milestone_form(w: World) -> dict:
    return {"title": "Kits ordered", "criteria": "Receipt", "due_date": "2026-12-01"}


def set_status(status: str) -> Callable[[World], None]:
    def _prepare(w: World) -> None:
        w.campaign.status = status
        db.session.commit()

    return _prepare


def start_the_action(w: World) -> None:
    w.action.starts_at = utcnow() - timedelta(hours=2)
    w.action.ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()


def sign_everyone_up(w: World) -> None:
    for who in ("member_a", "lead_a", "leader_a"):
        make_signup(w.action, w.people[who], commit=False)
    db.session.commit()


def open_a_swap(w: World) -> None:
    swap = SwapRequest(action_id=w.action.id, from_user_id=w.people["lead_a"].id, note="Exams")
    db.session.add(swap)
    db.session.commit()
    w.extra["swap"] = swap.id


def a(path: str) -> Callable[[World], str]:
    return lambda w: f"/c/{w.a.slug}{path}"


def campaign_url(path: str = "") -> Callable[[World], str]:
    return lambda w: f"/c/{w.a.slug}/campaigns/{w.campaign.id}{path}"


def action_url(path: str = "") -> Callable[[World], str]:
    return lambda w: f"/c/{w.a.slug}/actions/{w.action.id}{path}"


def swap_url(change: str) -> Callable[[World], str]:
    return lambda w: f"/c/{w.a.slug}/swaps/{w.extra['swap']}/{change}"


def chapter_feed(w: World) -> str:
    return f"/calendar/chapter/{chapter_feed_token(w.a, w.people['member_a'])}.ics"


def person_feed(w: World) -> str:
    member = w.people["member_a"]
    return f"/calendar/me/{person_feed_token(member)}.ics"


def _routes() -> list[Route]:
    return [
        route("campaigns.campaign_list", "GET", a("/campaigns"), **readers()),
        route("campaigns.new_campaign", "GET", a("/campaigns/new"), **managers(OK)),
        route(
            "campaigns.new_campaign",
            "POST",
            a("/campaigns/new"),
            data=campaign_form,
            **managers(DONE),
        ),
        route("campaigns.campaign_page", "GET", campaign_url(), **readers()),
        route("campaigns.campaign_actions", "GET", campaign_url("/actions"), **readers()),
        route("campaigns.edit_campaign", "GET", campaign_url("/edit"), **managers(OK)),
        route(
            "campaigns.edit_campaign",
            "POST",
            campaign_url("/edit"),
            data=campaign_form,
            **managers(DONE),
        ),
        route("campaigns.campaign_status", "GET", campaign_url("/status/archived"), **managers(OK)),
        route(
            "campaigns.campaign_status",
            "POST",
            campaign_url("/status/archived"),
            label="archived",
            **managers(DONE),
        ),
        route(
            "campaigns.campaign_status",
            "POST",
            campaign_url("/status/completed"),
            label="completed",
            **managers(DONE),
        ),
        route(
            "campaigns.campaign_status",
            "POST",
            campaign_url("/status/active"),
            prepare=set_status("completed"),
            label="active",
            **managers(DONE),
        ),
        route(
            "campaigns.publish",
            "POST",
            campaign_url("/publish"),
            prepare=set_status("completed"),
            data=lambda w: {"summary": "Copy us"},
            **managers(DONE),
        ),
        route("campaigns.pool", "GET", campaign_url("/pool"), **readers()),
        route(
            "campaigns.pool",
            "POST",
            campaign_url("/pool"),
            data=lambda w: {"change": "join"},
            label="join myself",
            # Only members outside the pool can join; the lead and leader are already in.
            **readers(member_a=DONE, lead_a=REFUSED, leader_a=REFUSED, advisor_a=403, staff=403),
        ),
        route(
            "campaigns.pool",
            "POST",
            campaign_url("/pool"),
            data=lambda w: {"change": "join", "user_id": str(w.outside_pool.id)},
            label="add someone",
            **managers(DONE),
        ),
        route("campaigns.new_milestone", "GET", campaign_url("/milestones/new"), **managers(OK)),
        route(
            "campaigns.new_milestone",
            "POST",
            campaign_url("/milestones/new"),
            data=milestone_form,
            **managers(DONE),
        ),
        route(
            "campaigns.edit_milestone",
            "GET",
            lambda w: f"/c/{w.a.slug}/milestones/{w.milestone.id}/edit",
            **managers(OK),
        ),
        route(
            "campaigns.edit_milestone",
            "POST",
            lambda w: f"/c/{w.a.slug}/milestones/{w.milestone.id}/edit",
            data=milestone_form,
            **managers(DONE),
        ),
        route("campaigns.new_action", "GET", campaign_url("/actions/new"), **managers(OK)),
        route(
            "campaigns.new_action",
            "POST",
            campaign_url("/actions/new"),
            data=action_form,
            **managers(DONE),
        ),
        route("campaigns.action_page", "GET", action_url(), **readers()),
        # The lead of an action edits it, like a leader.
        route("campaigns.edit_action", "GET", action_url("/edit"), **managers(OK) | {"lead_a": OK}),
        route(
            "campaigns.edit_action",
            "POST",
            action_url("/edit"),
            data=action_form,
            **managers(DONE) | {"lead_a": DONE},
        ),
        route(
            "campaigns.signup",
            "POST",
            action_url("/signup"),
            label="signup",
            **readers(member_a=DONE, lead_a=DONE, leader_a=DONE, advisor_a=403, staff=403),
        ),
        route(
            "campaigns.signup",
            "POST",
            action_url("/withdraw"),
            prepare=sign_everyone_up,
            label="withdraw",
            **readers(member_a=DONE, lead_a=DONE, leader_a=DONE, advisor_a=403, staff=403),
        ),
        route(
            "campaigns.action_status",
            "POST",
            action_url("/status/cancelled"),
            label="cancelled",
            **managers(DONE) | {"lead_a": DONE},
        ),
        route(
            "campaigns.action_status",
            "POST",
            action_url("/status/done"),
            prepare=start_the_action,
            label="done",
            **managers(DONE) | {"lead_a": DONE},
        ),
        route(
            "campaigns.assign",
            "POST",
            action_url("/lead"),
            data=lambda w: {
                "user_id": str(w.pool_mate.id),
                "reason": "Pat knows the dean",
                "version": str(w.action.version),
            },
            **managers(DONE),
        ),
        # Only the lead hands off or asks a swap, not even a leader.
        route(
            "campaigns.handoff",
            "POST",
            action_url("/handoff"),
            data=lambda w: {
                "user_id": str(w.pool_mate.id),
                "note": "Room booked",
                "version": str(w.action.version),
            },
            **managers(403) | {"lead_a": DONE},
        ),
        route(
            "campaigns.swap",
            "POST",
            action_url("/swap"),
            data=lambda w: {"note": "Exams"},
            **managers(403) | {"lead_a": DONE},
        ),
        route(
            "campaigns.swap_change",
            "POST",
            swap_url("accept"),
            prepare=open_a_swap,
            label="accept",
            # Member A is not in the pool; the lead cannot take their own swap.
            **readers(member_a=REFUSED, lead_a=REFUSED, leader_a=DONE, advisor_a=403, staff=403),
        ),
        route(
            "campaigns.swap_change",
            "POST",
            swap_url("cancel"),
            prepare=open_a_swap,
            label="cancel",
            **managers(DONE) | {"lead_a": DONE},
        ),
        route("campaigns.fairness", "GET", a("/rotation"), **readers()),
        route("campaigns.playbooks", "GET", lambda w: "/playbooks", **signed_in(OK)),
        route(
            "campaigns.playbook_page",
            "GET",
            lambda w: "/playbooks/meet-a-legislator",
            **signed_in(OK),
        ),
        route("campaigns.chapter_calendar", "GET", a("/calendar"), **readers()),
        route(
            "campaigns.regenerate_chapter_feed",
            "POST",
            a("/calendar/regenerate"),
            **managers(DONE),
        ),
        route("campaigns.chapter_feed", "GET", chapter_feed, label="valid", **token_feed(OK)),
        route(
            "campaigns.chapter_feed",
            "GET",
            lambda w: chapter_feed(w).replace("-", "-9", 1),
            label="tampered",
            **token_feed(404),
        ),
        route("campaigns.person_feed", "GET", person_feed, label="valid", **token_feed(OK)),
        route(
            "campaigns.person_feed",
            "GET",
            lambda w: person_feed(w)[:-8] + "0000.ics",
            label="tampered",
            **token_feed(404),
        ),
        route("campaigns.action_ics", "GET", action_url(".ics"), **readers()),
        route("campaigns.my_availability", "GET", lambda w: "/me/availability", **signed_in(OK)),
        route(
            "campaigns.my_availability",
            "POST",
            lambda w: "/me/availability",
            data=lambda w: {"start_date": "2026-12-01", "end_date": "2026-12-05", "reason": ""},
            **signed_in(DONE),
        ),
        # Your own unavailable dates only: anyone else is told they do not exist.
        route(
            "campaigns.delete_availability",
            "POST",
            lambda w: f"/me/availability/{w.availability.id}/delete",
            **signed_in(404) | {"member_a": DONE},
        ),
        route(
            "campaigns.regenerate_my_feed",
            "POST",
            lambda w: "/me/calendar/regenerate",
            **signed_in(DONE),
        ),
    ]


ROUTES = _routes()
CAMPAIGN_ROUTE_EXPECTATIONS: dict[str, list[Route]] = {}
for _r in ROUTES:
    CAMPAIGN_ROUTE_EXPECTATIONS.setdefault(_r.endpoint, []).append(_r)


def _cases():
    """Actors whose request changes nothing share one world; each allowed change gets its own."""
    for case in ROUTES:
        unchanged = tuple(a for a in ACTORS if case.expect[a] != DONE)
        if unchanged:
            yield pytest.param(case, unchanged, id=f"{case.id} [{' '.join(unchanged)}]")
        for actor in ACTORS:
            if case.expect[actor] == DONE:
                yield pytest.param(case, (actor,), id=f"{case.id} [{actor}]")


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


@pytest.mark.parametrize(("case", "actors"), list(_cases()))
def test_permission_matrix(world, case, actors, app, login_as, post):
    if case.prepare:
        case.prepare(world)
    for actor in actors:
        client = client_for(actor, world, app, login_as)
        before = snapshot()
        response = send(case, world, client, post)
        after = snapshot()
        expected = case.expect[actor]
        status = response.status_code
        if expected == LOGIN:
            assert is_login_redirect(response), (actor, status)
        elif expected in (DONE, REFUSED):
            assert status == 302, (actor, response.get_data(as_text=True))
            assert not is_login_redirect(response), actor
        else:
            assert status == expected, actor
        if expected == DONE:
            assert after != before, f"{actor}: the allowed POST changed nothing"
        else:
            assert after == before, f"{actor}: a refused request (or a GET) changed the database"


def test_every_campaigns_route_and_method_has_an_expectation(app):
    served = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("campaigns.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {(r.endpoint, r.method) for r in ROUTES}
    assert served - covered == set(), "add these routes to CAMPAIGN_ROUTE_EXPECTATIONS"
    assert covered - served == set(), "these expectations name routes that do not exist"
    assert {e for e, _m in served} == set(CAMPAIGN_ROUTE_EXPECTATIONS)


# --- another chapter's objects through your own chapter's address --------------------------

# Routes that name an object of chapter A (not the chapter itself).
OBJECT_ROUTES = [
    r
    for r in ROUTES
    if r.endpoint
    not in {
        "campaigns.campaign_list",
        "campaigns.new_campaign",
        "campaigns.fairness",
        "campaigns.chapter_calendar",
        "campaigns.regenerate_chapter_feed",
        "campaigns.playbooks",
        "campaigns.playbook_page",
        "campaigns.chapter_feed",
        "campaigns.person_feed",
        "campaigns.my_availability",
        "campaigns.delete_availability",
        "campaigns.regenerate_my_feed",
    }
]


def test_a_leader_of_b_gets_404_for_a_objects_even_under_their_own_slug(world, app, login_as, post):
    for case in OBJECT_ROUTES:
        if case.prepare:
            case.prepare(world)
    client = client_for("leader_b", world, app, login_as)
    assert client.get("/c/lakeside/campaigns").status_code == 200  # their own chapter works
    for case in OBJECT_ROUTES:
        url = case.url(world)
        assert url.startswith("/c/riverside/"), case.id
        mixed = Route(
            case.endpoint,
            case.method,
            lambda w, u=url: u.replace("riverside", "lakeside", 1),
            {},
            case.data,
        )
        before = snapshot()
        response = send(mixed, world, client, post)
        assert response.status_code == 404, case.id
        assert snapshot() == before, case.id


# --- an archived chapter is read-only -------------------------------------------------------


def test_in_an_archived_chapter_nobody_manages_or_signs_up(world, client, login_as, post):
    world.a.status = "archived"
    db.session.commit()
    login_as(world.people["leader_a"])
    before = snapshot()
    assert client.get(f"/c/riverside/campaigns/{world.campaign.id}").status_code == 200
    assert client.get("/c/riverside/campaigns/new").status_code == 403
    assert post(f"/c/riverside/actions/{world.action.id}/signup").status_code == 403
    assert post(f"/c/riverside/campaigns/{world.campaign.id}/status/archived").status_code == 403
    assert snapshot() == before
