"""Invitations: accepting the emailed link, with a new account or an existing one."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from accounts.models import User
from core.extensions import db
from tests.factories import PASSWORD, make_user
from tests.invitations_world import (
    NEW_PASSWORD,
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

# --- accepting ------------------------------------------------------------------------------


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


# --- what people type is shown as text ------------------------------------------------------

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_a_display_name_given_on_acceptance_is_escaped(chapter, invited_newcomer, client, post):
    response = post(f"/invite/{invited_newcomer}", new_account_form(display_name=XSS))
    for page in (client.get(response.location), client.get(f"/c/{chapter.slug}/roster")):
        html = page.get_data(as_text=True)
        assert ESCAPED in html
        assert XSS not in html
