"""Invitations: sending one, and the invitations that are refused or throttled."""

from datetime import timedelta

import pytest

from core.extensions import db
from core.tokens import hash_token
from tests.factories import make_member, make_user
from tests.invitations_world import (
    audit,
    chapter_fixture,  # noqa: F401  (fixture)
    invitations_for,
    invite,
    leader_fixture,  # noqa: F401  (fixture)
    link_token,
)
from tests.test_chapter_permissions import (  # noqa: F401  (autouse fixture)
    snapshot,
)

# --- sending --------------------------------------------------------------------------------


def test_an_invitation_is_emailed_with_a_link_and_only_its_hash_is_kept(
    chapter, leader, client, login_as, post, sent_mail
):
    login_as(leader)
    response = invite(post, chapter, "nia@example.org", "leader")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Invitation sent to nia@example.org as student leader." in page
    assert "nia@example.org" in page.split("Pending invitations")[1]

    [mail] = sent_mail
    assert mail["To"] == "nia@example.org"
    assert mail["Subject"] == "You are invited to Riverside Health on Relay"
    body = mail.get_content()
    assert "Leo Leader invites you to join Riverside Health" in body
    assert "within 14 days" in body
    token = link_token(sent_mail, "nia@example.org")
    [inv] = invitations_for("nia@example.org")
    assert inv.token_hash == hash_token(token) != token
    assert inv.role == "leader" and inv.invited_by_id == leader.id
    assert inv.expires_at - inv.created_at == timedelta(days=14)
    [event] = audit("invitation.created")
    assert event.chapter_id == chapter.id and event.actor_id == leader.id


@pytest.mark.parametrize("email", ["mia@example.org", "MIA@Example.org"])
def test_inviting_someone_already_in_the_chapter_is_refused(
    chapter, leader, client, login_as, post, sent_mail, email
):
    make_member(chapter, user=make_user("mia@example.org"))
    login_as(leader)
    response = invite(post, chapter, email)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page
    assert "mia@example.org is already a member of Riverside Health." in page
    assert invitations_for("mia@example.org") == []
    assert sent_mail == []


def test_a_second_invitation_to_a_pending_email_is_refused(
    chapter, leader, login_as, post, sent_mail
):
    login_as(leader)
    assert invite(post, chapter, "nia@example.org").status_code == 302
    response = invite(post, chapter, "Nia@Example.org", "leader")
    assert response.status_code == 200
    assert "nia@example.org already has a pending invitation" in response.get_data(as_text=True)
    assert [i.role for i in invitations_for("nia@example.org")] == ["member"]
    assert len(sent_mail) == 1


def test_invitations_are_throttled_per_inviter(chapter, leader, app, client, login_as, post):
    app.config["INVITES_PER_HOUR"] = 2
    login_as(leader)
    assert invite(post, chapter, "one@example.org").status_code == 302
    assert invite(post, chapter, "two@example.org").status_code == 302
    response = invite(post, chapter, "three@example.org")
    assert response.status_code == 200
    assert "You have sent many invitations in the last hour" in response.get_data(as_text=True)
    assert invitations_for("three@example.org") == []

    # Another leader of the same chapter has their own allowance.
    other = make_member(chapter, "leader").user
    other_client = app.test_client()
    login_as(other, other_client)
    assert invite(post, chapter, "three@example.org", client_=other_client).status_code == 302
    assert len(invitations_for("three@example.org")) == 1


def test_an_archived_chapter_takes_no_invitations(chapter, leader, client, login_as, post):
    chapter.status = "archived"
    db.session.commit()
    login_as(leader)
    response = invite(post, chapter, "nia@example.org")
    assert response.status_code == 200
    assert "This chapter is archived; it takes no new members." in response.get_data(as_text=True)
    assert invitations_for("nia@example.org") == []
