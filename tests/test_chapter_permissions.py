"""Who may do what in a chapter: every route of the chapters blueprint, for every kind of person.

DESIGN.md's quality bar: permissions are enforced on the server per object, a member
of chapter B gets 404 for chapter A's objects whatever the URL or form says, a refused
POST changes nothing, and form fields a role may not set are ignored.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from accounts.models import User
from chapters.models import Chapter, Invitation, Membership, VisionVersion
from core.extensions import db
from tests.factories import (
    make_chapter,
    make_invitation,
    make_member,
    make_user,
    make_vision,
)
from tests.helpers import is_login_redirect, table_snapshot

# --- shared by the chapters test modules ----------------------------------------------------


SNAPSHOT_TABLES = (
    "chapters",
    "memberships",
    "invitations",
    "vision_versions",
    "vision_goals",
    "vision_responses",
    "users",
    "audit_events",
    "outbox_messages",
)


def snapshot() -> dict[str, list]:
    """Every row a chapters request could change."""
    return table_snapshot(SNAPSHOT_TABLES)


# --- the world every matrix case runs in ----------------------------------------------------

ACTORS = ("anonymous", "member_a", "leader_a", "advisor_a", "member_b", "staff", "admin")


@dataclass
class World:
    a: Chapter
    b: Chapter
    people: dict[str, User]
    target: Membership  # a student member of A whom managers act on
    target_b: Membership
    invitation: Invitation  # pending, in A, for someone without an account
    token: str
    proposal: VisionVersion  # open, in A, proposed by `target`


@pytest.fixture
def world(app) -> World:
    a = make_chapter("Riverside Health", slug="riverside")
    b = make_chapter("Lakeside Health", slug="lakeside")
    member_a = make_member(a, "member", name="Mia Member", commit=False)
    leader_a = make_member(a, "leader", name="Leo Leader", commit=False)
    make_member(a, "leader", name="Lena Second-Leader", profession="Nursing", commit=False)
    advisor_a = make_member(a, "advisor", name="Dr Ada Advisor", commit=False)
    target = make_member(a, "member", name="Tom Target", profession="Pharmacy", commit=False)
    member_b = make_member(b, "member", name="Ben Other-Chapter", commit=False)
    leader_b = make_member(b, "leader", name="Bea Leader-B", commit=False)
    target_b = make_member(b, "member", name="Tia Target-B", commit=False)
    people = {
        "member_a": member_a.user,
        "leader_a": leader_a.user,
        "advisor_a": advisor_a.user,
        "member_b": member_b.user,
        "leader_b": leader_b.user,
        "staff": make_user(name="Stella Staff", national_staff=True, kind="faculty", commit=False),
        "admin": make_user(name="Adam Admin", admin=True, kind="faculty", commit=False),
    }
    invitation, token = make_invitation(
        a, "newcomer@example.org", invited_by=leader_a.user, commit=False
    )
    w = World(
        a=a,
        b=b,
        people=people,
        target=target,
        target_b=target_b,
        invitation=invitation,
        token=token,
        proposal=make_vision(a, target.user, commit=False),
    )
    db.session.commit()
    return w


# --- the expectations table -----------------------------------------------------------------

OK = 200  # the page is shown, nothing changes
DONE = "done"  # the change is made (answered with a redirect)
LOGIN = "login"  # redirected to the sign-in page, nothing changes


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: Callable[[World], str]
    expect: dict[str, int | str]
    data: Callable[[World], dict] = lambda w: {}
    prepare: Callable[[World], None] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}"


def route(endpoint, method, url, *, data=None, prepare=None, **expect) -> Route:
    expect.setdefault("anonymous", LOGIN)
    assert set(expect) == set(ACTORS), f"{endpoint} {method}: give every actor an expectation"
    return Route(endpoint, method, url, expect, data or (lambda w: {}), prepare)


def _readers(**overrides):
    """A page every member of A and national staff may read."""
    return {
        "member_a": OK,
        "leader_a": OK,
        "advisor_a": OK,
        "member_b": 404,
        "staff": OK,
        "admin": OK,
    } | overrides


def _staff_only(allowed):
    """National staff pages: others are told the page does not exist."""
    return {"member_a": 404, "leader_a": 404, "advisor_a": 404, "member_b": 404} | {
        "staff": allowed,
        "admin": allowed,
    }


def _staff_edits(allowed):
    """Chapter details: members of A may see the chapter (403), member B may not (404)."""
    return {"member_a": 403, "leader_a": 403, "advisor_a": 403, "member_b": 404} | {
        "staff": allowed,
        "admin": allowed,
    }


def _chapter_form(w: World) -> dict:
    return {
        "name": "Riverside Health Renamed",
        "slug": "riverside",
        "institution": "Riverside University",
        "region": "West",
        "timezone": "America/Denver",
        "status": "active",
    }


def _new_chapter_form(w: World) -> dict:
    return _chapter_form(w) | {"name": "Fresh Chapter", "slug": "fresh-chapter"}


def _close_open_proposal(w: World) -> None:
    w.proposal.status = "withdrawn"
    db.session.commit()


def _slug_a(path: str) -> Callable[[World], str]:
    return lambda w: f"/c/{w.a.slug}{path}"


ROUTES: list[Route] = [
    # National staff land on the network (All chapters): a redirect, not a page.
    route("chapters.home", "GET", lambda w: "/", **_readers(member_b=OK, staff=302, admin=302)),
    route("chapters.list_chapters", "GET", lambda w: "/chapters", **_staff_only(OK)),
    route("chapters.new_chapter", "GET", lambda w: "/chapters/new", **_staff_only(OK)),
    route(
        "chapters.new_chapter",
        "POST",
        lambda w: "/chapters/new",
        data=_new_chapter_form,
        **_staff_only(DONE),
    ),
    route("chapters.chapter_home", "GET", _slug_a(""), **_readers()),
    route("chapters.edit_chapter", "GET", _slug_a("/edit"), **_staff_edits(OK)),
    route(
        "chapters.edit_chapter", "POST", _slug_a("/edit"), data=_chapter_form, **_staff_edits(DONE)
    ),
    route("chapters.archive_chapter", "GET", _slug_a("/archive"), **_staff_edits(OK)),
    route("chapters.archive_chapter", "POST", _slug_a("/archive"), **_staff_edits(DONE)),
    route("chapters.roster", "GET", _slug_a("/roster"), **_readers()),
    route(
        "chapters.change_member_role",
        "POST",
        lambda w: f"/c/{w.a.slug}/roster/{w.target.id}/role",
        data=lambda w: {f"m{w.target.id}-role": "leader"},
        **_readers(member_a=403, leader_a=DONE, advisor_a=DONE, staff=403, admin=DONE),
    ),
    route(
        "chapters.remove_member",
        "GET",
        lambda w: f"/c/{w.a.slug}/roster/{w.target.id}/remove",
        **_readers(member_a=403, staff=403),
    ),
    route(
        "chapters.remove_member",
        "POST",
        lambda w: f"/c/{w.a.slug}/roster/{w.target.id}/remove",
        **_readers(member_a=403, leader_a=DONE, advisor_a=DONE, staff=403, admin=DONE),
    ),
    route("chapters.leave_chapter", "GET", _slug_a("/leave"), **_readers(staff=403, admin=403)),
    route(
        "chapters.leave_chapter",
        "POST",
        _slug_a("/leave"),
        **_readers(member_a=DONE, leader_a=DONE, advisor_a=DONE, staff=403, admin=403),
    ),
    route("chapters.invitations", "GET", _slug_a("/invitations"), **_readers(member_a=403)),
    route(
        "chapters.invitations",
        "POST",
        _slug_a("/invitations"),
        data=lambda w: {"email": "fresh@example.org", "role": "member"},
        **_readers(member_a=403, leader_a=DONE, advisor_a=DONE, staff=DONE, admin=DONE),
    ),
    *[
        route(
            "chapters.change_invitation",
            "POST",
            lambda w, change=change: f"/c/{w.a.slug}/invitations/{w.invitation.id}/{change}",
            **_readers(member_a=403, leader_a=DONE, advisor_a=DONE, staff=DONE, admin=DONE),
        )
        for change in ("resend", "revoke")
    ],
    # The invitation page is public; a signed-in person with another account is turned away.
    route(
        "chapters.accept_invitation",
        "GET",
        lambda w: f"/invite/{w.token}",
        anonymous=OK,
        **dict.fromkeys(ACTORS[1:], 403),
    ),
    route(
        "chapters.accept_invitation",
        "POST",
        lambda w: f"/invite/{w.token}",
        data=lambda w: {
            "display_name": "Nia Newcomer",
            "profession": "Nursing",
            "kind": "student",
            "new_password": "a long and private passphrase",
            "confirm": "a long and private passphrase",
        },
        anonymous=DONE,
        **dict.fromkeys(ACTORS[1:], 403),
    ),
    route("chapters.vision", "GET", _slug_a("/vision"), **_readers()),
    route(
        "chapters.propose",
        "GET",
        _slug_a("/vision/propose"),
        prepare=_close_open_proposal,
        **_readers(advisor_a=403, staff=403, admin=403),
    ),
    route(
        "chapters.propose",
        "POST",
        _slug_a("/vision/propose"),
        prepare=_close_open_proposal,
        data=lambda w: {"statement": "Health for every neighbour.", "goals-0": "Run a clinic."},
        **_readers(member_a=DONE, leader_a=DONE, advisor_a=403, staff=403, admin=403),
    ),
    route(
        "chapters.respond",
        "POST",
        lambda w: f"/c/{w.a.slug}/vision/{w.proposal.id}/respond",
        data=lambda w: {"stance": "endorse", "comment": "Agreed."},
        **_readers(member_a=DONE, leader_a=DONE, advisor_a=DONE, staff=403, admin=403),
    ),
    route(
        "chapters.withdraw",
        "GET",
        lambda w: f"/c/{w.a.slug}/vision/{w.proposal.id}/withdraw",
        **_readers(member_a=403, advisor_a=403, staff=403, admin=403),
    ),
    route(
        "chapters.withdraw",
        "POST",
        lambda w: f"/c/{w.a.slug}/vision/{w.proposal.id}/withdraw",
        **_readers(member_a=403, leader_a=DONE, advisor_a=403, staff=403, admin=403),
    ),
    route("chapters.history", "GET", _slug_a("/vision/history"), **_readers()),
    # The activity log: the chapter's advisors and national staff (tests/test_activity_log.py).
    route(
        "chapters.chapter_activity",
        "GET",
        _slug_a("/activity"),
        **_readers(member_a=403, leader_a=403),
    ),
    route("chapters.network_activity", "GET", lambda w: "/activity", **_staff_only(OK)),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", ROUTES, ids=lambda r: r.id)
def test_permission_matrix(world, case, actor, client, login_as, post):
    if case.prepare:
        case.prepare(world)
    if actor != "anonymous":
        login_as(world.people[actor])
    url = case.url(world)
    before = snapshot()
    response = client.get(url) if case.method == "GET" else post(url, case.data(world))
    expected = case.expect[actor]
    after = snapshot()
    if expected == LOGIN:
        assert is_login_redirect(response), response.status_code
    elif expected == DONE:
        assert response.status_code == 302, response.get_data(as_text=True)
        assert not is_login_redirect(response)
    else:
        assert response.status_code == expected
    if expected == DONE:
        assert after != before, "the allowed POST changed nothing"
    else:
        assert after == before, "a refused request (or a GET) changed the database"


# --- fields a role may not set --------------------------------------------------------------


def test_a_leader_inviting_an_advisor_gets_a_member_invitation(world, login_as, post, client):
    login_as(world.people["leader_a"])
    page = client.get(f"/c/{world.a.slug}/invitations").get_data(as_text=True)
    assert 'value="advisor"' not in page  # not even offered
    response = post(
        f"/c/{world.a.slug}/invitations", {"email": "prof@example.org", "role": "advisor"}
    )
    assert response.status_code == 302
    inv = db.session.scalar(select(Invitation).where(Invitation.email == "prof@example.org"))
    assert inv.role == "member"
    assert "as member" in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize(
    ("inviter", "asked", "given"),
    [
        ("leader_a", "leader", "leader"),
        ("advisor_a", "advisor", "advisor"),
        ("staff", "advisor", "advisor"),
        ("staff", "owner", "member"),
    ],
)
def test_roles_an_inviter_may_hand_out(world, login_as, post, inviter, asked, given):
    login_as(world.people[inviter])
    response = post(f"/c/{world.a.slug}/invitations", {"email": "x@example.org", "role": asked})
    assert response.status_code == 302
    inv = db.session.scalar(select(Invitation).where(Invitation.email == "x@example.org"))
    assert inv.role == given


def test_a_posted_chapter_id_is_ignored(world, login_as, post):
    login_as(world.people["leader_a"])
    response = post(
        f"/c/{world.a.slug}/invitations",
        {"email": "x@example.org", "role": "member", "chapter_id": str(world.b.id)},
    )
    assert response.status_code == 302
    invs = db.session.scalars(select(Invitation).where(Invitation.email == "x@example.org")).all()
    assert [i.chapter_id for i in invs] == [world.a.id]


def test_a_member_cannot_promote_themselves(world, login_as, post):
    me = db.session.scalar(
        select(Membership).where(Membership.user_id == world.people["member_a"].id)
    )
    login_as(world.people["member_a"])
    before = snapshot()
    response = post(f"/c/{world.a.slug}/roster/{me.id}/role", {f"m{me.id}-role": "leader"})
    assert response.status_code == 403
    assert snapshot() == before


# --- another chapter's object ids, through one's own chapter --------------------------------

CROSS_CHAPTER = [
    ("GET", lambda w: f"/c/{w.b.slug}/roster/{w.target.id}/remove", {}),
    ("POST", lambda w: f"/c/{w.b.slug}/roster/{w.target.id}/remove", {}),
    ("POST", lambda w: f"/c/{w.b.slug}/roster/{w.target.id}/role", "role"),
    ("POST", lambda w: f"/c/{w.b.slug}/invitations/{w.invitation.id}/resend", {}),
    ("POST", lambda w: f"/c/{w.b.slug}/invitations/{w.invitation.id}/revoke", {}),
    ("POST", lambda w: f"/c/{w.b.slug}/vision/{w.proposal.id}/respond", "respond"),
    ("POST", lambda w: f"/c/{w.b.slug}/vision/{w.proposal.id}/withdraw", {}),
]


@pytest.mark.parametrize(("method", "url", "data"), CROSS_CHAPTER)
@pytest.mark.parametrize("actor", ["member_b", "leader_b"])
def test_chapter_a_objects_through_chapter_b_are_not_found(
    world, client, login_as, post, actor, method, url, data
):
    # leader B may manage B's roster, invitations and vision; A's ids must still be 404.
    if data == "role":
        data = {f"m{world.target.id}-role": "leader"}
    elif data == "respond":
        data = {"stance": "endorse", "comment": "From the wrong chapter."}
    login_as(world.people[actor])
    before = snapshot()
    response = client.get(url(world)) if method == "GET" else post(url(world), data)
    assert response.status_code == 404
    assert snapshot() == before


def test_the_same_actions_on_chapter_b_own_objects_work_for_leader_b(world, login_as, post):
    # The counterpart of the test above: the 404s come from the chapter check, not from
    # leader B lacking the right altogether.
    login_as(world.people["leader_b"])
    response = post(
        f"/c/{world.b.slug}/roster/{world.target_b.id}/role",
        {f"m{world.target_b.id}-role": "leader"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, world.target_b.id).role == "leader"
    assert db.session.get(Membership, world.target.id).role == "member"
