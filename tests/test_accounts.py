"""Accounts: login, password reset, the profile, account administration and `flask users`."""

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from accounts.models import PasswordResetToken, User
from core.db import utcnow
from core.extensions import db
from core.models import OutboxMessage
from tests.factories import PASSWORD, make_user
from tests.test_sessions import (
    assert_sent_to_login,
    assert_signed_in,
    sign_in,
)

NEW_PASSWORD = "a different long passphrase"
LOGIN_ERROR = "Email or password is incorrect."
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="[^"]*"')


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def fresh(obj):
    db.session.refresh(obj)
    return obj


# --- login ----------------------------------------------------------------------------------


def test_failed_login_says_the_same_whether_or_not_the_email_exists(client, post):
    make_user("pat@example.org")

    wrong_password = post("/login", {"email": "pat@example.org", "password": "not it at all"})
    unknown_email = post("/login", {"email": "nobody@example.org", "password": "not it at all"})

    assert wrong_password.status_code == unknown_email.status_code == 200
    assert LOGIN_ERROR in wrong_password.get_data(as_text=True)

    def normalised(response, email):
        html = response.get_data(as_text=True).replace(email, "EMAIL")
        return CSRF_FIELD.sub("CSRF", html)

    assert normalised(wrong_password, "pat@example.org") == normalised(
        unknown_email, "nobody@example.org"
    )


def test_disabled_account_cannot_sign_in(client, post):
    user = make_user(active=False)

    response = post("/login", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert LOGIN_ERROR in response.get_data(as_text=True)
    assert_sent_to_login(client.get("/profile"))


def test_login_is_case_insensitive_on_email_and_returns_to_the_page_asked_for(client, post):
    user = make_user("pat@example.org")
    asked = client.get("/profile")
    assert_sent_to_login(asked)

    response = post(asked.headers["Location"], {"email": "PAT@Example.org", "password": PASSWORD})

    assert response.headers["Location"] == "/profile"
    assert_signed_in(client, user)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example"]
)
def test_login_never_redirects_off_site(client, post, target):
    user = make_user()

    response = post("/login", {"email": user.email, "password": PASSWORD, "next": target})

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc == "" and location.path == "/"


# --- password reset -------------------------------------------------------------------------


def _outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def _reset_path(message) -> str:
    link = re.search(r"https?://\S+/password/reset/\S+", message.get_content()).group(0)
    return urlsplit(link).path


def request_reset(client, post, email):
    response = post("/password/forgot", {"email": email})
    assert response.status_code == 302
    return client.get(response.headers["Location"])


def test_reset_answer_is_the_same_and_mail_goes_only_to_an_existing_account(
    client, post, sent_mail
):
    user = make_user("pat@example.org")
    make_user("gone@example.org", active=False)

    for_unknown = request_reset(client, post, "nobody@example.org")
    for_disabled = request_reset(client, post, "gone@example.org")
    assert sent_mail == [] and _outbox_count() == 0
    for_existing = request_reset(client, post, "PAT@example.org")

    pages = [CSRF_FIELD.sub("", r.get_data(as_text=True)) for r in (for_unknown, for_disabled)]
    pages.append(CSRF_FIELD.sub("", for_existing.get_data(as_text=True)))
    assert pages[0] == pages[1] == pages[2]
    assert "If an account uses that email" in pages[0]
    assert [m["To"] for m in sent_mail] == [user.email]
    message = db.session.scalar(select(OutboxMessage))
    assert (message.to_addr, message.status) == (user.email, "sent")
    assert _reset_path(sent_mail[0]).startswith("/password/reset/")


def test_reset_link_works_once_and_the_new_password_signs_in(client, post, sent_mail):
    user = make_user()
    request_reset(client, post, user.email)
    path = _reset_path(sent_mail[0])

    assert "Choose a new password" in client.get(path).get_data(as_text=True)
    done = post(path, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert_sent_to_login(done)
    assert "Your password is changed" in client.get("/login").get_data(as_text=True)

    again = client.get(path)
    assert again.status_code == 404
    assert "This reset link no longer works" in again.get_data(as_text=True)
    replay = post(
        path, {"new_password": "yet another passphrase", "confirm": "yet another passphrase"}
    )
    assert replay.status_code == 404

    assert post("/login", {"email": user.email, "password": PASSWORD}).status_code == 200
    sign_in(post, user.email, NEW_PASSWORD)
    assert_signed_in(client, user)


def test_expired_reset_link_is_refused(client, post, sent_mail):
    user = make_user()
    request_reset(client, post, user.email)
    path = _reset_path(sent_mail[0])
    token = db.session.scalar(select(PasswordResetToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert client.get(path).status_code == 404
    response = post(path, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 404
    assert "This reset link no longer works" in response.get_data(as_text=True)
    assert fresh(user).check_password(PASSWORD)


def test_reset_signs_out_every_existing_session(app, client, post, login_as, sent_mail):
    user = make_user()
    laptop = login_as(user, client_=app.test_client())
    request_reset(client, post, user.email)

    post(_reset_path(sent_mail[0]), {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert_sent_to_login(laptop.get("/profile"))


def test_changing_the_password_voids_an_outstanding_reset_link(client, post, login_as, sent_mail):
    user = make_user()
    request_reset(client, post, user.email)
    path = _reset_path(sent_mail[0])
    login_as(user)

    post(
        "/profile/password",
        {
            "pw-current_password": PASSWORD,
            "pw-new_password": NEW_PASSWORD,
            "pw-confirm": NEW_PASSWORD,
        },
    )

    assert client.get(path).status_code == 404


# --- profile --------------------------------------------------------------------------------


def test_profile_changes_name_and_profession(client, post, login_as):
    user = make_user(name="Pat Old", profession="Medicine")
    login_as(user)

    response = post("/profile", {"display_name": "  Pat New  ", "profession": "Nursing"})

    assert response.status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert "Your profile is saved." in page
    assert (fresh(user).display_name, user.profession) == ("Pat New", "Nursing")


@pytest.mark.parametrize(
    ("name", "profession", "error"),
    [
        ("Pat New", "Astrology", "Not a valid choice"),
        ("Pat New", "", "This field is required."),
        ("   ", "Nursing", "This field is required."),
        ("x" * 121, "Nursing", "Field cannot be longer than 120 characters."),
    ],
)
def test_profile_refuses_bad_input_and_changes_nothing(
    client, post, login_as, name, profession, error
):
    user = make_user(name="Pat Old", profession="Medicine")
    login_as(user)

    response = post("/profile", {"display_name": name, "profession": profession})

    assert response.status_code == 200
    assert error in response.get_data(as_text=True)
    assert (fresh(user).display_name, user.profession) == ("Pat Old", "Medicine")


# --- account administration ----------------------------------------------------------------


@pytest.mark.parametrize("flags", [{}, {"national_staff": True}])
def test_account_administration_is_for_admins_only(client, post, login_as, flags):
    target = make_user()
    login_as(make_user(**flags))

    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/users/{target.id}/disable").status_code == 403
    assert post(f"/admin/users/{target.id}/disable").status_code == 403
    assert fresh(target).active


def _add_accounts(count: int) -> None:
    # Direct rows with a placeholder hash: hashing a password per account would be slow.
    db.session.add_all(
        User(
            email=f"bulk{count}-{n}@example.org",
            display_name=f"Bulk {n}",
            profession="Nursing",
            password_hash="not-a-real-hash",
        )
        for n in range(count)
    )
    db.session.commit()


def test_account_list_issues_the_same_queries_however_many_accounts(
    client, login_as, query_counter
):
    login_as(make_user(admin=True))
    _add_accounts(2)
    with query_counter() as few:
        assert client.get("/admin/users").status_code == 200
    _add_accounts(40)
    with query_counter() as many:
        page = client.get("/admin/users")

    assert "43 accounts." in page.get_data(as_text=True)
    assert len(many) == len(few)


def test_anonymous_visitors_are_sent_to_login_from_account_administration(client):
    assert_sent_to_login(client.get("/admin/users"))


def test_disabling_an_account_asks_for_confirmation_first(app, client, post, login_as):
    target = make_user(name="Robin Target")
    login_as(make_user(admin=True))
    listing = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{target.id}/disable" in listing

    confirm = client.get(f"/admin/users/{target.id}/disable")

    assert confirm.status_code == 200
    assert "Disable Robin Target's account?" in text_of(confirm)
    assert fresh(target).active

    done = post(f"/admin/users/{target.id}/disable")

    assert done.status_code == 302
    assert "Robin Target's account is disabled." in text_of(client.get("/admin/users"))
    assert not fresh(target).active
    refused = post(
        "/login", {"email": target.email, "password": PASSWORD}, client_=app.test_client()
    )
    assert LOGIN_ERROR in text_of(refused)


def test_a_disabled_account_can_be_enabled_again(app, client, post, login_as):
    target = make_user(active=False)
    login_as(make_user(admin=True))

    post(f"/admin/users/{target.id}/enable")

    assert fresh(target).active
    browser = app.test_client()
    sign_in(post, target.email, client_=browser)
    assert_signed_in(browser, target)


def test_admin_cannot_disable_their_own_account(client, post, login_as):
    admin = make_user(admin=True)
    login_as(admin)

    response = post(f"/admin/users/{admin.id}/disable")

    assert response.status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "You cannot disable your own account." in page
    assert fresh(admin).active
    assert_signed_in(client, admin)


# --- flask users create-staff ---------------------------------------------------------------


def create_staff(app, *args, input):
    return app.test_cli_runner().invoke(args=["users", "create-staff", *args], input=input)


def test_create_staff_prompts_for_the_password_and_creates_a_staff_account(app, client, post):
    result = create_staff(
        app, "Sam.Staff@Example.org", input=f"Sam Staff\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    assert NEW_PASSWORD not in result.output
    assert "Created national staff account sam.staff@example.org." in result.output
    user = db.session.scalar(select(User).where(User.email == "sam.staff@example.org"))
    assert (user.display_name, user.kind) == ("Sam Staff", "faculty")
    assert user.is_national_staff and user.is_staff and not user.is_admin
    sign_in(post, "sam.staff@example.org", NEW_PASSWORD)
    assert_signed_in(client, user)


def test_create_staff_refuses_a_weak_password_and_creates_nothing(app):
    result = create_staff(app, "sam@example.org", input="Sam Staff\npassword123\npassword123\n")

    assert result.exit_code == 1
    assert "one of the most common passwords" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_staff_refuses_an_email_already_in_use(app):
    make_user("sam@example.org")

    result = create_staff(app, "SAM@example.org", input=f"Sam\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n")

    assert result.exit_code == 1
    assert "An account for sam@example.org already exists." in result.output
    assert db.session.scalar(select(func.count(User.id))) == 1
