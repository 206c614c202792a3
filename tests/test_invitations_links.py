"""Invitations: links that no longer work (expired, unknown, replaced, revoked, archived)."""

from datetime import timedelta

from core.db import utcnow
from core.extensions import db
from tests.factories import make_member, make_user
from tests.invitations_world import (
    audit,
    chapter_fixture,  # noqa: F401  (fixture)
    invitations_for,
    invite,
    invited_newcomer_fixture,  # noqa: F401  (fixture)
    leader_fixture,  # noqa: F401  (fixture)
    link_token,
    membership,
    new_account_form,
)
from tests.test_chapter_permissions import (  # noqa: F401  (autouse fixture)
    snapshot,
)

# --- links that no longer work --------------------------------------------------------------


def test_an_expired_invitation_says_so(chapter, invited_newcomer, client, post):
    [inv] = invitations_for("nia@example.org")
    inv.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    link = f"/invite/{invited_newcomer}"
    response = client.get(link)
    assert response.status_code == 410
    text = response.get_data(as_text=True)
    assert "This invitation has expired" in text
    assert "Ask Leo Leader or another leader of Riverside Health to send it again." in text
    before = snapshot()
    assert post(link, new_account_form()).status_code == 410
    assert snapshot() == before


def test_an_unknown_link_is_not_found(client):
    response = client.get("/invite/not-a-real-token")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.get_data(as_text=True)


def test_resending_replaces_the_link(
    chapter, leader, invited_newcomer, client, login_as, post, sent_mail, app
):
    [inv] = invitations_for("nia@example.org")
    inv.expires_at = utcnow() - timedelta(days=1)  # resending also revives an expired one
    db.session.commit()
    leader_client = app.test_client()
    login_as(leader, leader_client)
    response = post(f"/c/{chapter.slug}/invitations/{inv.id}/resend", {}, client_=leader_client)
    assert response.status_code == 302
    flashed = leader_client.get(response.location).get_data(as_text=True)
    assert "Invitation to nia@example.org sent again." in flashed

    fresh = link_token(sent_mail, "nia@example.org")
    assert fresh != invited_newcomer
    assert len(sent_mail) == 2
    old = client.get(f"/invite/{invited_newcomer}")
    assert old.status_code == 404
    assert "A link that was sent again replaces the earlier one." in old.get_data(as_text=True)
    assert client.get(f"/invite/{fresh}").status_code == 200
    assert post(f"/invite/{fresh}", new_account_form()).status_code == 302


def test_a_revoked_invitation_stops_working(
    chapter, leader, invited_newcomer, client, login_as, post, app
):
    [inv] = invitations_for("nia@example.org")
    leader_client = app.test_client()
    login_as(leader, leader_client)
    url = f"/c/{chapter.slug}/invitations/{inv.id}/revoke"
    response = post(url, {}, client_=leader_client)
    page = leader_client.get(response.location).get_data(as_text=True)
    assert "Invitation to nia@example.org revoked." in page
    assert "No pending invitations." in page
    [event] = audit("invitation.revoked")
    assert event.chapter_id == chapter.id

    gone = client.get(f"/invite/{invited_newcomer}")
    assert gone.status_code == 410
    assert "This invitation was withdrawn" in gone.get_data(as_text=True)

    again = post(url, {}, client_=leader_client)
    assert "That invitation is no longer pending." in leader_client.get(again.location).get_data(
        as_text=True
    )


def test_an_invitation_cannot_be_accepted_once_the_chapter_is_archived(
    chapter, invited_newcomer, client, post
):
    chapter.status = "archived"
    db.session.commit()
    link = f"/invite/{invited_newcomer}"
    response = client.get(link)
    assert response.status_code == 410
    assert "Riverside Health is archived" in response.get_data(as_text=True)
    before = snapshot()
    assert post(link, new_account_form()).status_code == 410
    assert snapshot() == before


def test_a_removed_member_can_be_invited_back(
    chapter, leader, app, client, login_as, post, sent_mail
):
    m = make_member(chapter, user=make_user("mia@example.org"))
    m.status, m.left_at = "left", utcnow()
    db.session.commit()
    leader_client = app.test_client()
    login_as(leader, leader_client)
    assert (
        invite(post, chapter, "mia@example.org", "leader", client_=leader_client).status_code == 302
    )
    link = f"/invite/{link_token(sent_mail, 'mia@example.org')}"
    login_as(m.user)
    assert post(link, {}).status_code == 302
    back = membership(chapter, m.user)
    assert (back.id, back.status, back.role) == (m.id, "active", "leader")
    assert client.get(f"/c/{chapter.slug}").status_code == 200
