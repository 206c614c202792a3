"""Login throttling: per account and per address, shared by every app process (SQL or Redis)."""

import uuid

from sqlalchemy import func, select

from core.extensions import db
from core.models import RateLimitHit
from tests.conftest import REDIS_TEST_URL
from tests.factories import PASSWORD, make_user
from tests.test_sessions import (
    assert_signed_in,
)

WRONG_PASSWORD = "wrong password!"


def browser_at(app, address):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def attempt(post, email, password=WRONG_PASSWORD, client_=None):
    return post("/login", {"email": email, "password": password}, client_=client_)


def assert_throttled(response, window):
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= window
    page = response.get_data(as_text=True)
    assert "Too many sign-in attempts" in page
    assert "Try again in about" in page
    assert 'href="/password/forgot"' in page


def test_account_is_paused_after_too_many_failures(app, client, post):
    user = make_user()
    cap = app.config["LOGIN_MAX_PER_ACCOUNT"]
    assert cap == 5

    for _ in range(cap):
        assert attempt(post, user.email).status_code == 200

    # Even the right password is refused until the window has passed.
    response = attempt(post, user.email, PASSWORD)
    assert_throttled(response, app.config["LOGIN_WINDOW_SECONDS"])
    assert client.get("/profile").status_code == 302
    # The pause is per account: someone else signs in from the same address.
    other = make_user()
    attempt(post, other.email, PASSWORD)
    assert_signed_in(client, other)


def test_a_successful_login_clears_the_account_failures(app, client, post):
    user = make_user()
    cap = app.config["LOGIN_MAX_PER_ACCOUNT"]
    for _ in range(cap - 1):
        attempt(post, user.email)
    assert attempt(post, user.email, PASSWORD).status_code == 302
    post("/logout")

    for _ in range(cap - 1):
        assert attempt(post, user.email).status_code == 200
    assert attempt(post, user.email, PASSWORD).status_code == 302


def test_unknown_emails_are_throttled_like_real_ones(app, client, post):
    for _ in range(app.config["LOGIN_MAX_PER_ACCOUNT"]):
        attempt(post, "nobody@example.org")

    assert_throttled(attempt(post, "NOBODY@example.org"), app.config["LOGIN_WINDOW_SECONDS"])


def test_address_is_paused_after_too_many_failures_across_accounts(other_app, post):
    app = other_app(LOGIN_MAX_PER_ADDRESS=3)
    browser = app.test_client()
    user = make_user()
    for n in range(3):
        assert attempt(post, f"guess{n}@example.org", client_=browser).status_code == 200

    response = attempt(post, user.email, PASSWORD, client_=browser)

    assert_throttled(response, app.config["LOGIN_WINDOW_SECONDS"])
    elsewhere = browser_at(app, "198.51.100.7")
    assert attempt(post, user.email, PASSWORD, client_=elsewhere).status_code == 302


def test_throttle_is_shared_by_two_app_instances_on_one_database(app, client, post, other_app):
    second = other_app()
    second_browser = second.test_client()
    user = make_user()

    for _ in range(3):
        assert attempt(post, user.email).status_code == 200
    for _ in range(2):
        assert attempt(post, user.email, client_=second_browser).status_code == 200

    window = app.config["LOGIN_WINDOW_SECONDS"]
    assert_throttled(attempt(post, user.email, PASSWORD), window)
    assert_throttled(attempt(post, user.email, PASSWORD, client_=second_browser), window)


def test_throttle_in_redis_is_shared_by_two_app_instances(other_app, post, redis_keys):
    # Unique names, so that parallel test runs sharing this Redis cannot collide.
    email = f"redis-{uuid.uuid4().hex[:12]}@example.org"
    address = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    redis_keys(f"login:acct:{email}", f"login:addr:{address}")
    first, second = other_app(REDIS_URL=REDIS_TEST_URL), other_app(REDIS_URL=REDIS_TEST_URL)
    make_user(email)
    browsers = [browser_at(first, address), browser_at(second, address)]

    for n in range(5):
        assert attempt(post, email, client_=browsers[n % 2]).status_code == 200

    window = first.config["LOGIN_WINDOW_SECONDS"]
    for browser in browsers:
        assert_throttled(attempt(post, email, PASSWORD, client_=browser), window)
    # The counts lived in Redis, not in the database.
    assert db.session.scalar(select(func.count(RateLimitHit.id))) == 0
