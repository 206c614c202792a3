"""Invitations: the emailed link, accepting it (new or existing account), when it stops working."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from accounts.models import User
from chapters.models import Invitation, Membership
from core.db import utcnow
from core.extensions import db
from core.models import AuditEvent
from core.tokens import hash_token
from tests.factories import PASSWORD, make_chapter, make_member, make_user
from tests.test_chapter_permissions import (  # noqa: F401  (autouse fixture)
    snapshot,
)

NEW_PASSWORD = "a long and private passphrase"
LINK = re.compile(r"http://127\.0\.0\.1:5000/invite/([A-Za-z0-9_-]+)")


@pytest.fixture
def chapter(app):
    return make_chapter("Riverside Health", slug="riverside")


@pytest.fixture
def leader(chapter):
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


# --- accepting ------------------------------------------------------------------------------


@pytest.fixture
def invited_newcomer(chapter, leader, app, login_as, post, sent_mail):
    """A leader invites nia@example.org (no account yet) as a leader; returns the link token."""
    leader_client = app.test_client()
    login_as(leader, leader_client)
    response = invite(post, chapter, "nia@example.org", "leader", client_=leader_client)
    assert response.status_code == 302
    return link_token(sent_mail, "nia@example.org")


def test_a_new_person_accepts_creates_their_account_and_is_signed_in(
    chapter, invited_newcomer, client, post
):
    link = f"/invite/{invited_newcomer}"
    page = client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Leo Leader invited <strong>nia@example.org</strong> to join Riverside Health" in text
    assert "Create my account and join" in text

    response = post(link, new_account_form())
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/c/riverside"
    home = client.get(response.location)
    assert home.status_code == 200  # signed in, and a member
    assert "Welcome to Riverside Health, Nia Newcomer." in home.get_data(as_text=True)

    user = db.session.scalar(select(User).where(User.email == "nia@example.org"))
    assert (user.display_name, user.profession, user.kind) == ("Nia Newcomer", "Nursing", "student")
    assert user.check_password(NEW_PASSWORD)
    m = membership(chapter, user)
    assert (m.role, m.status) == ("leader", "active")
    [inv] = invitations_for("nia@example.org")
    assert inv.accepted_by_id == user.id and inv.accepted_at is not None
    assert {e.chapter_id for e in audit("invitation.accepted")} == {chapter.id}
    assert {e.chapter_id for e in audit("membership.joined")} == {chapter.id}


def test_an_invitation_link_works_once(chapter, invited_newcomer, app, client, post):
    link = f"/invite/{invited_newcomer}"
    assert post(link, new_account_form()).status_code == 302

    stranger = app.test_client()
    again = stranger.get(link)
    assert again.status_code == 410
    assert "This invitation has already been used" in again.get_data(as_text=True)
    before = snapshot()
    replay = post(link, new_account_form(display_name="Someone Else"), client_=stranger)
    assert replay.status_code == 410
    assert snapshot() == before
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.email == "nia@example.org")) == 1
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"confirm": "something else entirely"}, "The two passwords differ."),
        ({"new_password": "short", "confirm": "short"}, "Use at least 8 characters."),
        ({"new_password": "password1", "confirm": "password1"}, "most common passwords"),
        ({"display_name": ""}, "This field is required."),
        ({"profession": "Astrology"}, "Not a valid choice."),
    ],
)
def test_a_new_person_with_a_bad_form_gets_told_and_nothing_is_created(
    chapter, invited_newcomer, client, post, changes, message
):
    link = f"/invite/{invited_newcomer}"
    before = snapshot()
    response = post(link, new_account_form(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert snapshot() == before
    assert client.get(link).status_code == 200  # the link still works


@pytest.mark.parametrize(("kind", "role"), [("faculty", "advisor"), ("student", "member")])
def test_only_faculty_become_advisors_through_an_advisor_invitation(
    chapter, app, client, login_as, post, sent_mail, kind, role
):
    staff = make_user(national_staff=True, kind="faculty")
    staff_client = app.test_client()
    login_as(staff, staff_client)
    assert (
        invite(post, chapter, "prof@example.org", "advisor", client_=staff_client).status_code
        == 302
    )
    token = link_token(sent_mail, "prof@example.org")
    assert post(f"/invite/{token}", new_account_form(kind=kind)).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "prof@example.org"))
    assert membership(chapter, user).role == role


def test_an_existing_account_signs_in_first_then_joins(
    chapter, leader, app, client, login_as, post, sent_mail
):
    alex = make_user("alex@example.org", name="Alex Existing")
    leader_client = app.test_client()
    login_as(leader, leader_client)
    assert (
        invite(post, chapter, "alex@example.org", "member", client_=leader_client).status_code
        == 302
    )
    link = f"/invite/{link_token(sent_mail, 'alex@example.org')}"

    # Not signed in: sent to the sign-in page, and back to the link afterwards.
    response = client.get(link)
    assert response.status_code == 302
    login_url = urlsplit(response.location)
    assert (login_url.path, parse_qs(login_url.query)) == ("/login", {"next": [link]})
    assert "Sign in as alex@example.org" in client.get(response.location).get_data(as_text=True)
    signed_in = post(response.location, {"email": "alex@example.org", "password": PASSWORD})
    assert signed_in.location == link
    assert membership(chapter, alex) is None  # signing in alone does not join

    page = client.get(link)
    assert page.status_code == 200
    assert "Join Riverside Health" in page.get_data(as_text=True)
    assert "Create my account" not in page.get_data(as_text=True)
    joined = post(link, {})
    assert urlsplit(joined.location).path == "/c/riverside"
    assert "You have joined Riverside Health." in client.get(joined.location).get_data(as_text=True)
    m = membership(chapter, alex)
    assert (m.role, m.status) == ("member", "active")
    assert client.get(link).status_code == 410


def test_the_invitation_matches_an_account_whatever_the_email_casing(
    chapter, leader, app, client, login_as, post, sent_mail
):
    alex = make_user("alex@example.org")
    leader_client = app.test_client()
    login_as(leader, leader_client)
    assert (
        invite(post, chapter, "Alex@Example.org", "member", client_=leader_client).status_code
        == 302
    )
    link = f"/invite/{link_token(sent_mail, 'alex@example.org')}"
    login_as(alex)
    assert client.get(link).status_code == 200
    assert post(link, {}).status_code == 302
    assert membership(chapter, alex).status == "active"


def test_another_signed_in_account_is_told_and_nothing_changes(
    chapter, leader, client, login_as, post, sent_mail, app
):
    alex = make_user("alex@example.org")
    bob = make_user("bob@example.org")
    leader_client = app.test_client()
    login_as(leader, leader_client)
    assert (
        invite(post, chapter, "alex@example.org", "leader", client_=leader_client).status_code
        == 302
    )
    link = f"/invite/{link_token(sent_mail, 'alex@example.org')}"

    login_as(bob)
    page = client.get(link)
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert "This invitation is for another account" in text
    assert "sent to alex@example.org, but you are signed in as bob@example.org" in text
    before = snapshot()
    assert post(link, {}).status_code == 403
    assert snapshot() == before
    assert membership(chapter, bob) is None and membership(chapter, alex) is None


def test_a_signed_in_person_cannot_take_an_invitation_meant_for_a_new_account(
    chapter, invited_newcomer, client, login_as, post
):
    login_as(make_user("bob@example.org"))
    link = f"/invite/{invited_newcomer}"
    assert "This invitation is for another account" in client.get(link).get_data(as_text=True)
    before = snapshot()
    assert post(link, new_account_form()).status_code == 403
    assert snapshot() == before


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


# --- what people type is shown as text ------------------------------------------------------

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_a_display_name_given_on_acceptance_is_escaped(chapter, invited_newcomer, client, post):
    response = post(f"/invite/{invited_newcomer}", new_account_form(display_name=XSS))
    for page in (client.get(response.location), client.get(f"/c/{chapter.slug}/roster")):
        html = page.get_data(as_text=True)
        assert ESCAPED in html
        assert XSS not in html
