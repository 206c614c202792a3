"""Many people writing at once: places never overfill and the audit chain stays unbroken.

On SQLite (the embedded default) there are no row locks: requests that may write take the
database's write lock when their transaction begins, and record_event takes it outside
requests (core.extensions, core.locking). On PostgreSQL the row and advisory locks do
the same job; the first two tests run on both.
"""

import os
import sqlite3
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, text

from accounts.models import User
from campaigns.models import Action, ActionSignup
from core.audit import record_event, verify_chain
from core.extensions import db
from core.models import AuditEvent
from tests.conftest import csrf_token_for
from tests.factories import make_action, make_campaign, make_chapter, make_member

PEOPLE = 20
PLACES = 5
ON_SQLITE = not os.environ.get("TEST_DATABASE_URL")


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Start every job at the same moment, each in its own thread; their results in order."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = job()
        except Exception as exc:  # reported by the caller's assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def audit_verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


@pytest.fixture
def crowd(app):
    chapter = make_chapter("Riverside Health", slug="riverside")
    people = [
        make_member(chapter, "member", name=f"Student {i:02}", commit=False).user
        for i in range(PEOPLE)
    ]
    campaign = make_campaign(chapter, status="active")
    action = make_action(campaign, title="Free flu shots", capacity=PLACES)
    return action.id, [p.id for p in people]


def test_twenty_people_signing_up_at_once_for_five_places_fill_exactly_five(app, crowd, login_as):
    action_id, people = crowd
    url = f"/c/riverside/actions/{action_id}/signup"
    clients = [login_as(db.session.get(User, uid), client_=app.test_client()) for uid in people]
    tokens = [csrf_token_for(c) for c in clients]

    responses = run_together(
        [
            lambda c=c, t=t: c.post(url, data={"csrf_token": t})
            for c, t in zip(clients, tokens, strict=True)
        ]
    )

    assert [getattr(r, "status_code", r) for r in responses] == [302] * PEOPLE
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ActionSignup.id))) == PLACES
    told = [
        c.get(r.location).get_data(as_text=True) for c, r in zip(clients, responses, strict=True)
    ]
    assert sum("You are signed up." in page for page in told) == PLACES
    assert sum("This action is full (5 places)." in page for page in told) == PEOPLE - PLACES
    signed_up = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "action.signed_up")
    )
    assert signed_up == PLACES
    result = audit_verify(app)
    assert result.exit_code == 0, result.output
    assert "audit chain intact" in result.output


def test_commands_and_workers_appending_to_the_audit_log_at_once_keep_the_chain(app, crowd):
    """Outside any request (a CLI command, the mail worker), each append reads the last
    hash and writes the next: two at once must not read the same one."""
    action_id, people = crowd

    def append(uid: int) -> None:
        with app.app_context():  # its own session and connection, as a command has
            try:
                action = db.session.get(Action, action_id)
                # Both read first, then write: the interleaving that broke the chain.
                db.session.scalar(select(func.count(AuditEvent.id)))
                record_event("test.noted", actor=db.session.get(User, uid), obj=action)
                db.session.commit()
            finally:
                db.session.remove()

    results = run_together([lambda uid=uid: append(uid) for uid in people])

    assert results == [None] * PEOPLE
    db.session.expire_all()
    checked, broken = verify_chain()
    assert broken is None
    assert checked == db.session.scalar(select(func.count(AuditEvent.id))) >= PEOPLE
    assert audit_verify(app).exit_code == 0


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite's database-wide write lock")
def test_a_writer_waits_for_the_write_lock_while_pages_keep_loading(app, crowd, login_as):
    """Only requests that may write queue for SQLite's write lock; reading never waits."""
    action_id, people = crowd
    client = login_as(db.session.get(User, people[0]), client_=app.test_client())
    token = csrf_token_for(client)
    page_url = f"/c/riverside/actions/{action_id}"
    finished: dict[str, float] = {}

    def request(name: str, send: Callable[[], object]) -> threading.Thread:
        def run() -> None:
            response = send()
            finished[name] = time.monotonic()
            finished[f"{name} status"] = response.status_code

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    # Another process in the middle of a write.
    other_writer = sqlite3.connect(db.engine.url.database, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")
    signup = f"{page_url}/signup"
    writer = request("signup", lambda: client.post(signup, data={"csrf_token": token}))
    reader = request("page", lambda: client.get(page_url))
    reader.join(timeout=10)
    assert "page" in finished, "a page waited for a writer"
    time.sleep(0.3)
    assert "signup" not in finished, "a write did not wait for the write lock"
    released = time.monotonic()
    other_writer.execute("COMMIT")
    other_writer.close()
    writer.join(timeout=30)

    assert finished["page status"] == 200
    assert finished["signup status"] == 302 and finished["signup"] >= released
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ActionSignup.id))) == 1
    assert db.session.scalar(text("PRAGMA busy_timeout")) >= 10_000
