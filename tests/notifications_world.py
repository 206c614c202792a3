"""Two chapters with every kind of person, a campaign with a planned action, and helpers to
read who was notified (shared by the tests/test_notifications*.py modules)."""

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from accounts.models import User
from campaigns.models import Action, Campaign, Milestone
from chapters.models import Chapter
from core.extensions import db
from core.models import OutboxMessage
from notifications.models import Notification
from tests.factories import (
    add_to_pool,
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_milestone,
    make_signup,
    make_user,
)


@dataclass
class World:
    a: Chapter
    b: Chapter
    leader: User
    leader2: User
    lead: User  # leads the action
    m1: User  # signed up for the action
    m2: User  # signed up for the action
    m3: User  # in the pool, not signed up
    advisor: User
    advisor2: User
    staff: User
    b_member: User
    b_leader: User
    b_advisor: User
    campaign: Campaign
    action: Action
    milestone: Milestone

    def everyone(self) -> list[User]:
        return [
            self.leader,
            self.leader2,
            self.lead,
            self.m1,
            self.m2,
            self.m3,
            self.advisor,
            self.advisor2,
            self.staff,
            self.b_member,
            self.b_leader,
            self.b_advisor,
        ]


def build_world() -> World:
    a = make_chapter("Riverside Health", slug="riverside", timezone="America/Chicago")
    b = make_chapter("Lakeside Health", slug="lakeside", timezone="Europe/Berlin")
    leader = make_member(a, "leader", name="Leo Leader").user
    leader2 = make_member(a, "leader", name="Lena Leader", profession="Nursing").user
    lead = make_member(a, "member", name="Lara Lead", profession="Pharmacy").user
    m1 = make_member(a, "member", name="Mia One").user
    m2 = make_member(a, "member", name="Max Two", profession="Nursing").user
    m3 = make_member(a, "member", name="Moe Three", profession="Social Work").user
    advisor = make_member(a, "advisor", name="Dr Ada Advisor").user
    advisor2 = make_member(a, "advisor", name="Dr Abe Advisor").user
    staff = make_user(name="Stella Staff", national_staff=True, kind="faculty")
    b_member = make_member(b, "member", name="Ben Other").user
    b_leader = make_member(b, "leader", name="Bea Other").user
    b_advisor = make_member(b, "advisor", name="Dr Bo Other").user
    campaign = make_campaign(a, title="Clinic hours", status="active", created_by=leader)
    add_to_pool(campaign, lead, m1, m2, m3)
    action = make_action(campaign, title="Health fair", lead=lead, location="Main hall")
    make_signup(action, m1)
    make_signup(action, m2)
    milestone = make_milestone(campaign, title="Dean agrees")
    return World(
        a, b, leader, leader2, lead, m1, m2, m3, advisor, advisor2, staff,
        b_member, b_leader, b_advisor, campaign, action, milestone,
    )  # fmt: skip


@pytest.fixture(name="world")
def world_fixture(app) -> World:
    return build_world()


def notified(kind: str) -> set[int]:
    """Who has a notification of this kind."""
    return set(
        db.session.scalars(select(Notification.recipient_id).where(Notification.kind == kind))
    )


def ids(*users: User) -> set[int]:
    return {u.id for u in users}


def outbox_to(user: User) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_addr == user.email)
            .order_by(OutboxMessage.id)
        )
    )
