"""The chapter, leader and invitation helpers the invitation tests share.

Used by test_invitations_*.py, which import the fixtures by name.
"""

import re

import pytest
from sqlalchemy import select

from chapters.models import Invitation, Membership
from core.extensions import db
from core.models import AuditEvent
from tests.factories import make_chapter, make_member

NEW_PASSWORD = "a long and private passphrase"
LINK = re.compile(r"http://127\.0\.0\.1:5000/invite/([A-Za-z0-9_-]+)")


@pytest.fixture(name="chapter")
def chapter_fixture(app):
    return make_chapter("Riverside Health", slug="riverside")


@pytest.fixture(name="leader")
def leader_fixture(chapter):
    return make_member(chapter, "leader", name="Leo Leader").user


def invite(post, chapter, email, role="member", client_=None):
    return post(f"/c/{chapter.slug}/invitations", {"email": email, "role": role}, client_=client_)


def link_token(sent_mail, to: str) -> str:
    """The token of the newest invitation link mailed to this address."""
    bodies = [m.get_content() for m in sent_mail if m["To"] == to]
    assert bodies, f"no mail to {to}"
    return LINK.findall(bodies[-1])[-1]


def invitations_for(email: str) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(Invitation.email == email)))


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def new_account_form(**overrides) -> dict:
    return {
        "display_name": "Nia Newcomer",
        "profession": "Nursing",
        "kind": "student",
        "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    } | overrides


def membership(chapter, user) -> Membership | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Membership).where(Membership.chapter_id == chapter.id, Membership.user_id == user.id)
    )


@pytest.fixture(name="invited_newcomer")
def invited_newcomer_fixture(chapter, leader, app, login_as, post, sent_mail):
    """A leader invites nia@example.org (no account yet) as a leader; returns the link token."""
    leader_client = app.test_client()
    login_as(leader, leader_client)
    response = invite(post, chapter, "nia@example.org", "leader", client_=leader_client)
    assert response.status_code == 302
    return link_token(sent_mail, "nia@example.org")
