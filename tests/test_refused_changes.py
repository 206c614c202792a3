"""A refused operation changes nothing: every refusal a chapters or accounts route can reach.

Each case sets up a world in which a service raises `PolicyError`, sends the request as
someone allowed to try, and checks that the user is told why and that no row of any
table a chapters or accounts request could touch has changed (the session was rolled
back, not committed).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import current_app
from sqlalchemy import select

from chapters.models import Chapter, Invitation, Membership, VisionVersion
from core.extensions import db
from tests.factories import make_chapter, make_invitation, make_member, make_user
from tests.factories import make_vision as _make_vision
from tests.helpers import table_snapshot

TABLES = (
    "users",
    "user_sessions",
    "password_reset_tokens",
    "chapters",
    "memberships",
    "invitations",
    "vision_versions",
    "vision_goals",
    "vision_responses",
    "audit_events",
    "outbox_messages",
    "rate_limit_hits",
)


@dataclass
class World:
    a: Chapter
    b: Chapter
    leader: Membership  # the only leader of A
    member: Membership
    advisor: Membership
    staff: object
    admin: object


@pytest.fixture
def world(app) -> World:
    a = make_chapter("Riverside Health", slug="riverside")
    b = make_chapter("Lakeside Health", slug="lakeside")
    return World(
        a=a,
        b=b,
        leader=make_member(a, "leader", name="Leo Leader"),
        member=make_member(a, "member", name="Mia Member", profession="Nursing"),
        advisor=make_member(a, "advisor", name="Dr Ada Advisor"),
        staff=make_user(national_staff=True),
        admin=make_user(admin=True),
    )


@dataclass
class Refusal:
    id: str
    actor: Callable[[World], object]  # the user who tries
    url: Callable[[World], str]
    said: str  # part of the message that says why
    data: Callable[[World], dict] = field(default=lambda w: {})
    prepare: Callable[[World], None] = field(default=lambda w: None)


def _chapter_form(slug: str) -> dict:
    return {
        "name": "Any Chapter",
        "slug": slug,
        "institution": "Any University",
        "region": "West",
        "timezone": "America/Denver",
        "status": "active",
    }


def _left(w: World) -> None:
    w.member.status = "left"
    db.session.commit()


def _archived(w: World) -> None:
    w.a.status = "archived"
    db.session.commit()


def _no_invites_left(w: World) -> None:
    current_app.config["INVITES_PER_HOUR"] = 0


def _invitation(state: str | None = None):
    def make(w: World) -> None:
        inv, _raw = make_invitation(w.a, "guest@example.org", commit=False)
        if state == "revoked":
            inv.revoked_at = inv.created_at
        db.session.commit()

    return make


def _invitation_id(w: World) -> int:
    return db.session.scalar(select(Invitation.id))


def _vision(status: str = "proposed"):
    def make(w: World) -> None:
        _make_vision(w.a, w.member.user, status=status)

    return make


def _vision_id(w: World) -> int:
    return db.session.scalar(select(VisionVersion.id))


REFUSALS = [
    Refusal(
        "new chapter with a slug in use",
        lambda w: w.staff,
        lambda w: "/chapters/new",
        "already uses that short name",
        data=lambda w: _chapter_form("lakeside"),
    ),
    Refusal(
        "chapter renamed to a slug in use",
        lambda w: w.staff,
        lambda w: "/c/riverside/edit",
        "already uses that short name",
        data=lambda w: _chapter_form("lakeside"),
    ),
    Refusal(
        "last leader made a member",
        lambda w: w.advisor.user,
        lambda w: f"/c/riverside/roster/{w.leader.id}/role",
        "last student leader",
        data=lambda w: {f"m{w.leader.id}-role": "member"},
    ),
    Refusal(
        "last leader removed",
        lambda w: w.advisor.user,
        lambda w: f"/c/riverside/roster/{w.leader.id}/remove",
        "last student leader",
    ),
    Refusal(
        "someone who already left removed",
        lambda w: w.leader.user,
        lambda w: f"/c/riverside/roster/{w.member.id}/remove",
        "is no longer a member",
        prepare=_left,
    ),
    Refusal(
        "last leader leaves",
        lambda w: w.leader.user,
        lambda w: "/c/riverside/leave",
        "last student leader",
    ),
    Refusal(
        "a member invited again",
        lambda w: w.leader.user,
        lambda w: "/c/riverside/invitations",
        "is already a member of Riverside Health",
        data=lambda w: {"email": w.member.user.email, "role": "member"},
    ),
    Refusal(
        "an invitation into an archived chapter",
        lambda w: w.staff,
        lambda w: "/c/riverside/invitations",
        "This chapter is archived",
        data=lambda w: {"email": "new@example.org", "role": "member"},
        prepare=_archived,
    ),
    Refusal(
        "a second pending invitation",
        lambda w: w.leader.user,
        lambda w: "/c/riverside/invitations",
        "already has a pending invitation",
        data=lambda w: {"email": "guest@example.org", "role": "member"},
        prepare=_invitation(),
    ),
    Refusal(
        "an invitation over the hourly limit",
        lambda w: w.leader.user,
        lambda w: "/c/riverside/invitations",
        "many invitations in the last hour",
        data=lambda w: {"email": "new@example.org", "role": "member"},
        prepare=_no_invites_left,
    ),
    Refusal(
        "a resend over the hourly limit",
        lambda w: w.leader.user,
        lambda w: f"/c/riverside/invitations/{_invitation_id(w)}/resend",
        "many invitations in the last hour",
        prepare=lambda w: (_invitation()(w), _no_invites_left(w)),
    ),
    *[
        Refusal(
            f"a revoked invitation {change}",
            lambda w: w.leader.user,
            lambda w, change=change: f"/c/riverside/invitations/{_invitation_id(w)}/{change}",
            "no longer pending",
            prepare=_invitation("revoked"),
        )
        for change in ("resend", "revoke")
    ],
    Refusal(
        "a proposal while one is open",
        lambda w: w.leader.user,
        lambda w: "/c/riverside/vision/propose",
        "already under discussion",
        data=lambda w: {"statement": "Health for every neighbour.", "goals-0": "Run a clinic."},
        prepare=_vision(),
    ),
    Refusal(
        "an objection without a comment",
        lambda w: w.leader.user,
        lambda w: f"/c/riverside/vision/{_vision_id(w)}/respond",
        "a comment is required",
        data=lambda w: {"stance": "object", "comment": ""},
        prepare=_vision(),
    ),
    Refusal(
        "a response to a withdrawn proposal",
        lambda w: w.leader.user,
        lambda w: f"/c/riverside/vision/{_vision_id(w)}/respond",
        "no longer open for endorsement",
        data=lambda w: {"stance": "endorse", "comment": ""},
        prepare=_vision("withdrawn"),
    ),
    Refusal(
        "a withdrawn proposal withdrawn again",
        lambda w: w.leader.user,
        lambda w: f"/c/riverside/vision/{_vision_id(w)}/withdraw",
        "Only a proposal under discussion",
        prepare=_vision("withdrawn"),
    ),
    Refusal(
        "a password change with the wrong current password",
        lambda w: w.member.user,
        lambda w: "/profile/password",
        "current password is not correct",
        data=lambda w: {
            "pw-current_password": "not the password",
            "pw-new_password": "a brand new passphrase",
            "pw-confirm": "a brand new passphrase",
        },
    ),
    Refusal(
        "an admin disabling their own account",
        lambda w: w.admin,
        lambda w: f"/admin/users/{w.admin.id}/disable",
        "cannot disable your own account",
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=lambda r: r.id)
def test_a_refused_operation_changes_nothing(world, case, client, login_as, post):
    case.prepare(world)
    login_as(case.actor(world))
    url, data = case.url(world), case.data(world)
    before = table_snapshot(TABLES)
    response = post(url, data, follow_redirects=True)
    assert table_snapshot(TABLES) == before
    assert response.status_code in (200, 400)
    assert case.said in response.get_data(as_text=True)
