"""The permission predicates on their own: who may do what, as a table, without HTTP.

Each chapter, person and membership here is a plain object that never touches the
database, so the whole table runs in well under a second. The matrices in
tests/test_*_permissions.py check the wiring: that each route asks the right predicate
and that a refused request changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask_login import AnonymousUserMixin

from accounts.models import User
from accounts.permissions import can_administer_accounts
from campaigns.models import Action, Campaign
from campaigns.permissions import can_edit_action, can_manage_campaigns, can_take_part
from chapters.models import Chapter, Membership
from chapters.permissions import (
    can_comment_vision,
    can_create_chapter,
    can_edit_chapter,
    can_invite,
    can_manage_roster,
    can_propose_vision,
    can_remove_member,
    can_view_chapter,
    can_withdraw_vision,
    counts_for_vision,
    invitable_roles,
    settable_roles,
)

# Everyone is looked at from chapter A. member_b belongs to another chapter, so in A they
# have no membership; staff and admin belong to none.
ACTORS = (
    "anonymous",
    "member",  # a student member of A
    "leader",  # a student leader of A
    "advisor",  # a faculty advisor of A
    "faculty_member",  # faculty in A with the plain member role
    "member_b",
    "staff",
    "admin",
)
ROLES_IN_A = {
    "member": ("student", "member"),
    "leader": ("student", "leader"),
    "advisor": ("faculty", "advisor"),
    "faculty_member": ("faculty", "member"),
    "lead": ("student", "member"),  # the lead of `action`, an ordinary member otherwise
    "target": ("student", "member"),  # a member whom managers act on
    "target_advisor": ("faculty", "advisor"),
    "target_faculty": ("faculty", "member"),
}


@dataclass
class World:
    a: Chapter
    archived: Chapter
    users: dict[str, User | AnonymousUserMixin]
    memberships: dict[str, Membership]  # each person's active membership in A
    archived_memberships: dict[str, Membership]  # the same people in the archived chapter
    action: Action  # in A, led by "lead"
    archived_action: Action  # in the archived chapter, led by "lead"

    def user(self, actor: str):
        return self.users[actor]

    def m(self, actor: str) -> Membership | None:
        return self.memberships.get(actor)

    def m_archived(self, actor: str) -> Membership | None:
        return self.archived_memberships.get(actor)


def _person(n: int, kind: str, *, staff: bool = False, admin: bool = False) -> User:
    return User(
        id=n,
        email=f"person{n}@example.org",
        display_name=f"Person {n}",
        profession="Medicine",
        kind=kind,
        active=True,
        is_national_staff=staff or admin,
        is_admin=admin,
    )


@pytest.fixture(scope="module")
def w() -> World:
    a = Chapter(name="Riverside Health", slug="riverside", status="active")
    b = Chapter(name="Lakeside Health", slug="lakeside", status="active")
    archived = Chapter(name="Closed Health", slug="closed", status="archived")
    users: dict[str, User | AnonymousUserMixin] = {"anonymous": AnonymousUserMixin()}
    memberships, archived_memberships = {}, {}
    for n, (actor, (kind, role)) in enumerate(ROLES_IN_A.items(), start=1):
        users[actor] = user = _person(n, kind)
        memberships[actor] = Membership(chapter=a, user=user, role=role, status="active")
        archived_memberships[actor] = Membership(
            chapter=archived, user=user, role=role, status="active"
        )
    users["member_b"] = member_b = _person(90, "student")
    Membership(chapter=b, user=member_b, role="member", status="active")
    users["staff"] = _person(91, "faculty", staff=True)
    users["admin"] = _person(92, "faculty", admin=True)
    lead_id = users["lead"].id
    return World(
        a=a,
        archived=archived,
        users=users,
        memberships=memberships,
        archived_memberships=archived_memberships,
        action=Action(campaign=Campaign(chapter=a, title="Clinic hours"), lead_id=lead_id),
        archived_action=Action(
            campaign=Campaign(chapter=archived, title="Old campaign"), lead_id=lead_id
        ),
    )


# --- role × predicate: what each person may do in chapter A ---------------------------------

Check = Callable[[World, str], object]


@dataclass(frozen=True)
class Ability:
    what: str  # what the person would try to do, in their words
    check: Check  # the predicate, asked for one actor
    allowed: dict[str, bool]

    def __post_init__(self):
        assert set(self.allowed) == set(ACTORS), f"{self.what}: give every actor an expectation"


def ability(what: str, check: Check, allowed: str) -> Ability:
    """`allowed` is one letter per actor, in ACTORS order: Y may, N may not."""
    assert len(allowed) == len(ACTORS), what
    return Ability(what, check, {a: c == "Y" for a, c in zip(ACTORS, allowed, strict=True)})


# One letter per actor:  anonymous, member, leader, advisor, faculty_member, member_b, staff, admin
ABILITIES = [
    ability("see the chapter", lambda w, a: can_view_chapter(w.user(a), w.m(a)), "NYYYYNYY"),
    ability("edit the chapter's details", lambda w, a: can_edit_chapter(w.user(a)), "NNNNNNYY"),
    ability("create a chapter", lambda w, a: can_create_chapter(w.user(a)), "NNNNNNYY"),
    ability(
        "change roles and remove members",
        lambda w, a: can_manage_roster(w.user(a), w.m(a)),
        "NNYYNNNY",  # national staff read every roster but do not manage one
    ),
    ability("invite people", lambda w, a: can_invite(w.user(a), w.m(a)), "NNYYNNYY"),
    ability(
        "endorse or object to the vision",
        lambda w, a: counts_for_vision(w.m(a)),
        "NYYNNNNN",  # active student members; faculty comment, staff only read
    ),
    ability(
        "propose a vision",
        lambda w, a: can_propose_vision(w.user(a), w.m(a), w.a),
        "NYYNNNNN",
    ),
    ability(
        "comment on the vision",
        lambda w, a: can_comment_vision(w.user(a), w.m(a), w.a),
        "NYYYYNNN",
    ),
    ability(
        "withdraw someone else's proposal",
        lambda w, a: can_withdraw_vision(w.user(a), w.m(a), proposer_id=w.user("target").id),
        "NNYNNNNN",
    ),
    ability(
        "create and edit campaigns",
        lambda w, a: can_manage_campaigns(w.user(a), w.m(a), w.a),
        "NNYNNNNN",  # the chapter's student leaders; advisors advise
    ),
    ability(
        "edit an action they do not lead",
        lambda w, a: can_edit_action(w.user(a), w.m(a), w.action),
        "NNYNNNNN",
    ),
    ability(
        "sign up for actions and join rotation pools",
        lambda w, a: can_take_part(w.user(a), w.m(a), w.a),
        "NYYNYNNN",
    ),
    ability(
        "administer accounts",
        lambda w, a: can_administer_accounts(w.user(a)),
        "NNNNNNNY",
    ),
]


@pytest.mark.parametrize(
    ("ability", "actor"),
    [
        pytest.param(
            ab, actor, id=f"{actor} {'may' if ab.allowed[actor] else 'may not'}: {ab.what}"
        )
        for ab in ABILITIES
        for actor in ACTORS
    ],
)
def test_who_may_do_what_in_a_chapter(w, ability, actor):
    assert bool(ability.check(w, actor)) is ability.allowed[actor]


# --- expectations that depend on whom or what the action is about ---------------------------


def expect(expectation: str, check: Callable[[World], object], expected: object):
    return pytest.param(check, expected, id=expectation)


CASES = [
    # Roles: who may give whom which role.
    expect(
        "a leader may make a student member a leader, or back",
        lambda w: settable_roles(w.user("leader"), w.m("leader"), w.m("target")),
        ("member", "leader"),
    ),
    expect(
        "a leader may not change an advisor's role",
        lambda w: settable_roles(w.user("leader"), w.m("leader"), w.m("target_advisor")),
        (),
    ),
    expect(
        "a leader may not make a faculty member an advisor",
        lambda w: settable_roles(w.user("leader"), w.m("leader"), w.m("target_faculty")),
        ("member",),
    ),
    expect(
        "an advisor may make a faculty member an advisor",
        lambda w: settable_roles(w.user("advisor"), w.m("advisor"), w.m("target_faculty")),
        ("member", "advisor"),
    ),
    expect(
        "an advisor may make a student a leader but not an advisor",
        lambda w: settable_roles(w.user("advisor"), w.m("advisor"), w.m("target")),
        ("member", "leader"),
    ),
    expect(
        "not even an admin may make an advisor a student leader",
        lambda w: "leader" in settable_roles(w.user("admin"), None, w.m("target_advisor")),
        False,
    ),
    expect(
        "not even an admin may make a student an advisor",
        lambda w: "advisor" in settable_roles(w.user("admin"), None, w.m("target")),
        False,
    ),
    expect(
        "a member may not change anyone's role, their own included",
        lambda w: (
            settable_roles(w.user("member"), w.m("member"), w.m("target")),
            settable_roles(w.user("member"), w.m("member"), w.m("member")),
        ),
        ((), ()),
    ),
    expect(
        "national staff may not change roles",
        lambda w: settable_roles(w.user("staff"), None, w.m("target")),
        (),
    ),
    # Removing people from the roster.
    expect(
        "a leader may remove a member",
        lambda w: can_remove_member(w.user("leader"), w.m("leader"), w.m("target")),
        True,
    ),
    expect(
        "a leader may not remove an advisor",
        lambda w: can_remove_member(w.user("leader"), w.m("leader"), w.m("target_advisor")),
        False,
    ),
    expect(
        "an advisor may remove another advisor",
        lambda w: can_remove_member(w.user("advisor"), w.m("advisor"), w.m("target_advisor")),
        True,
    ),
    expect(
        "an admin may remove an advisor",
        lambda w: can_remove_member(w.user("admin"), None, w.m("target_advisor")),
        True,
    ),
    expect(
        "a member may not remove another member",
        lambda w: can_remove_member(w.user("member"), w.m("member"), w.m("target")),
        False,
    ),
    expect(
        "national staff may not remove a member",
        lambda w: can_remove_member(w.user("staff"), None, w.m("target")),
        False,
    ),
    # Invitations: which roles each inviter may hand out.
    expect(
        "a leader may invite members and leaders, not advisors",
        lambda w: invitable_roles(w.user("leader"), w.m("leader")),
        ("member", "leader"),
    ),
    expect(
        "an advisor may invite advisors",
        lambda w: invitable_roles(w.user("advisor"), w.m("advisor")),
        ("member", "leader", "advisor"),
    ),
    expect(
        "national staff may invite to any role",
        lambda w: invitable_roles(w.user("staff"), None),
        ("member", "leader", "advisor"),
    ),
    expect(
        "a member may not invite anyone",
        lambda w: invitable_roles(w.user("member"), w.m("member")),
        (),
    ),
    # The vision.
    expect(
        "a member may withdraw their own proposal",
        lambda w: can_withdraw_vision(w.user("target"), w.m("target"), w.user("target").id),
        True,
    ),
    expect(
        "an advisor may not withdraw a student's proposal",
        lambda w: can_withdraw_vision(w.user("advisor"), w.m("advisor"), w.user("target").id),
        False,
    ),
    expect(
        "nobody may propose a vision in an archived chapter",
        lambda w: can_propose_vision(w.user("leader"), w.m_archived("leader"), w.archived),
        False,
    ),
    expect(
        "nobody may comment on the vision of an archived chapter",
        lambda w: can_comment_vision(w.user("member"), w.m_archived("member"), w.archived),
        False,
    ),
    # Campaigns and actions.
    expect(
        "an action's lead may edit it",
        lambda w: can_edit_action(w.user("lead"), w.m("lead"), w.action),
        True,
    ),
    expect(
        "an action's lead may not edit it once the chapter is archived",
        lambda w: can_edit_action(w.user("lead"), w.m_archived("lead"), w.archived_action),
        False,
    ),
    expect(
        "leading an action does not make one a campaign manager",
        lambda w: can_manage_campaigns(w.user("lead"), w.m("lead"), w.a),
        False,
    ),
    expect(
        "a leader may not manage campaigns in an archived chapter",
        lambda w: can_manage_campaigns(w.user("leader"), w.m_archived("leader"), w.archived),
        False,
    ),
    expect(
        "a member may not sign up for actions in an archived chapter",
        lambda w: can_take_part(w.user("member"), w.m_archived("member"), w.archived),
        False,
    ),
]


@pytest.mark.parametrize(("check", "expected"), CASES)
def test_permission_expectations(w, check, expected):
    assert check(w) == expected
