"""The password policy (a pure function) and the change-password form that applies it."""

import html

import pytest

from accounts.passwords import MAX_LENGTH, MIN_LENGTH, common_passwords, password_problems
from core.extensions import db
from tests.factories import PASSWORD, make_user
from tests.test_sessions import (
    assert_sent_to_login,
    assert_signed_in,
)

GOOD = "tapir kettle orbit"
NEW_PASSWORD = "a different long passphrase"


# --- the policy -----------------------------------------------------------------------------


def test_a_reasonable_passphrase_passes():
    assert password_problems(GOOD, "pat@example.org") == []


def test_too_short_is_refused_and_the_minimum_is_allowed():
    assert password_problems("k7#pq2z") == [f"Use at least {MIN_LENGTH} characters."]
    assert MIN_LENGTH == 8
    assert password_problems("k7#pq2zx") == []


@pytest.mark.parametrize("length", [64, MAX_LENGTH])
def test_long_passphrases_are_allowed(length):
    phrase = ("river stone lantern " * 10)[:length]
    assert len(phrase) == length
    assert password_problems(phrase) == []


def test_more_than_the_maximum_is_refused():
    assert password_problems("x" * (MAX_LENGTH + 1)) == [f"Use at most {MAX_LENGTH} characters."]


@pytest.mark.parametrize("password", ["password123", "PASSWORD123", "Password123", " password123 "])
def test_common_passwords_are_refused_whatever_the_case(password):
    assert "password123" in common_passwords()
    assert password_problems(password) == [
        "This is one of the most common passwords; choose another."
    ]


@pytest.mark.parametrize(
    ("password", "email"),
    [
        ("pat.example@example.org", "pat.example@example.org"),
        ("Pat.Example@Example.ORG", "pat.example@example.org"),
        ("pat.example@example.org", " PAT.EXAMPLE@example.org "),
        ("PAT.EXAMPLE", "pat.example@example.org"),
    ],
)
def test_the_email_address_or_its_name_part_is_refused(password, email):
    assert password_problems(password, email) == ["Do not use your email address as your password."]


def test_several_problems_are_all_reported():
    problems = password_problems("pat", "pat@example.org")
    assert len(problems) == 2


# --- the change-password form on the profile page ----------------------------------------------


def change_password(post, current, new, confirm=None):
    return post(
        "/profile/password",
        {
            "pw-current_password": current,
            "pw-new_password": new,
            "pw-confirm": new if confirm is None else confirm,
        },
    )


@pytest.mark.parametrize(
    ("current", "new", "confirm", "error"),
    [
        ("not my password", NEW_PASSWORD, None, "Your current password is not correct."),
        (PASSWORD, "password123", None, "one of the most common passwords"),
        (PASSWORD, "short", None, "Use at least 8 characters."),
        (PASSWORD, "pat@example.org", None, "Do not use your email address"),
        (PASSWORD, NEW_PASSWORD, "a different long passphrasE", "The two passwords differ."),
    ],
)
def test_change_password_refuses_bad_input_and_changes_nothing(
    app, client, post, login_as, current, new, confirm, error
):
    user = make_user("pat@example.org")
    other_device = login_as(user, client_=app.test_client())
    login_as(user)

    response = change_password(post, current, new, confirm)

    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert error in page
    assert 'aria-invalid="true"' in page
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
    assert not user.check_password(new)
    assert_signed_in(client, user)
    assert_signed_in(other_device, user)


def test_change_password_with_the_right_current_password(app, client, post, login_as):
    user = make_user()
    other_device = login_as(user, client_=app.test_client())
    login_as(user)

    response = change_password(post, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your password is changed. Other devices have been signed out." in page
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert_sent_to_login(other_device.get("/profile"))


def test_reset_form_applies_the_policy_and_keeps_the_link_usable(client, post, sent_mail):
    user = make_user("pat@example.org")
    post("/password/forgot", {"email": user.email})
    path = "/password/reset/" + sent_mail[0].get_content().split("/password/reset/")[1].split()[0]

    response = post(path, {"new_password": "Pat@Example.org", "confirm": "Pat@Example.org"})

    assert response.status_code == 200
    assert "Do not use your email address" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
