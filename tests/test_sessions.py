"""Server-side sessions: a new one at each login, ended by logout, password change, disabling,
idling and age; remember-me cookies."""

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from accounts.models import User, UserSession
from core.db import utcnow
from core.extensions import db
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a different long passphrase"


def sign_in(post, email, password=PASSWORD, remember=False, client_=None):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    response = post("/login", data, client_=client_)
    assert response.status_code == 302, "sign-in through the form failed"
    return response


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def assert_signed_in(client, user):
    response = client.get("/profile")
    assert response.status_code == 200
    assert user.email in response.get_data(as_text=True)


def replay_on_fresh_client(app, cookies: dict[str, str]):
    fresh = app.test_client()
    for name, value in cookies.items():
        fresh.set_cookie(name, value)
    return fresh


def session_key(client) -> str | None:
    with client.session_transaction() as sess:
        return sess.get("_user_id")


def open_sessions(user) -> list[UserSession]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(UserSession).where(
                UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
            )
        )
    )


def test_each_login_gets_a_new_session_id(app, client, post):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted_by_someone_else"] = "x"
    cookie_before = client.get_cookie("relay_session").value

    sign_in(post, user.email)
    first_key = session_key(client)
    first_cookie = client.get_cookie("relay_session").value
    with client.session_transaction() as sess:
        assert "planted_by_someone_else" not in sess
    post("/logout")
    sign_in(post, user.email)
    second_key = session_key(client)

    assert first_cookie != cookie_before
    assert first_key and second_key and first_key != second_key
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert len(rows) == 2
    assert rows[0].token_hash != rows[1].token_hash
    assert [r.revoked_at is None for r in rows] == [False, True]


def test_replayed_cookie_after_logout_is_refused(app, client, post):
    user = make_user()
    sign_in(post, user.email)
    assert_signed_in(client, user)
    stolen = {"relay_session": client.get_cookie("relay_session").value}

    response = post("/logout")

    assert_sent_to_login(response)
    assert_sent_to_login(client.get("/profile"))
    assert_sent_to_login(replay_on_fresh_client(app, stolen).get("/profile"))


def test_logout_ends_the_sessions_on_every_device(app, client, post, login_as):
    user = make_user()
    phone = login_as(user, client_=app.test_client())
    login_as(user)

    post("/logout")

    assert_sent_to_login(phone.get("/profile"))
    assert open_sessions(user) == []


def test_replayed_cookie_after_password_change_is_refused(app, client, post):
    user = make_user()
    sign_in(post, user.email)
    stolen = {"relay_session": client.get_cookie("relay_session").value}

    response = post(
        "/profile/password",
        {
            "pw-current_password": PASSWORD,
            "pw-new_password": NEW_PASSWORD,
            "pw-confirm": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert_signed_in(client, user)  # the browser that changed it stays signed in
    assert_sent_to_login(replay_on_fresh_client(app, stolen).get("/profile"))
    assert len(open_sessions(user)) == 1


def test_replayed_cookie_after_admin_disables_the_account_is_refused(app, client, post, login_as):
    admin = make_user(admin=True)
    user = make_user()
    users_browser = app.test_client()
    sign_in(post, user.email, client_=users_browser)
    stolen = {"relay_session": users_browser.get_cookie("relay_session").value}
    login_as(admin)

    response = post(f"/admin/users/{user.id}/disable")
    assert response.status_code == 302
    assert_sent_to_login(users_browser.get("/profile"))
    assert_sent_to_login(replay_on_fresh_client(app, stolen).get("/profile"))

    # Enabling the account again does not bring the old session back.
    post(f"/admin/users/{user.id}/enable")
    assert db.session.get(User, user.id).active
    assert_sent_to_login(replay_on_fresh_client(app, stolen).get("/profile"))


def _age_session(user, **changes):
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    for name, value in changes.items():
        setattr(row, name, value)
    db.session.commit()


def test_idle_session_expires(app, client, login_as):
    user = make_user()
    login_as(user)
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])

    _age_session(user, last_seen_at=utcnow() - idle + timedelta(minutes=5))
    assert_signed_in(client, user)

    _age_session(user, last_seen_at=utcnow() - idle - timedelta(minutes=1))
    assert_sent_to_login(client.get("/profile"))
    assert open_sessions(user) == []


def test_session_expires_at_its_absolute_lifetime_even_when_active(app, client, login_as):
    user = make_user()
    login_as(user)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    lifetime = row.expires_at - row.created_at
    assert lifetime == timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])

    _age_session(user, expires_at=utcnow() - timedelta(seconds=1), last_seen_at=utcnow())

    assert_sent_to_login(client.get("/profile"))


def test_remember_cookie_alone_signs_in_until_logout(app, client, post):
    user = make_user()
    sign_in(post, user.email, remember=True)
    remember = {"relay_remember": client.get_cookie("relay_remember").value}

    returning = replay_on_fresh_client(app, remember)  # the browser was closed and reopened
    assert_signed_in(returning, user)
    # A remembered session outlives the idle timeout, but not its own lifetime.
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    _age_session(user, last_seen_at=utcnow() - 3 * idle)
    assert_signed_in(replay_on_fresh_client(app, remember), user)

    post("/logout")

    assert client.get_cookie("relay_remember") is None  # the browser drops it
    assert_sent_to_login(replay_on_fresh_client(app, remember).get("/profile"))


def test_remembered_session_expires_after_its_lifetime(app, client, post):
    user = make_user()
    sign_in(post, user.email, remember=True)
    remember = {"relay_remember": client.get_cookie("relay_remember").value}

    _age_session(user, expires_at=utcnow() - timedelta(seconds=1))

    assert_sent_to_login(replay_on_fresh_client(app, remember).get("/profile"))


def test_without_remember_me_nothing_outlives_the_browser(client, post):
    user = make_user()
    sign_in(post, user.email)
    assert_signed_in(client, user)
    # Nothing outlives the browser: no remember cookie, and the session cookie has no expiry.
    assert client.get_cookie("relay_remember") is None
    assert client.get_cookie("relay_session").expires is None
