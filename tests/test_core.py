"""Shared services: the hash-chained audit log, the UTC datetime type and the mail outbox."""

import re
import socket
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, StatementError

from core.audit import record_event
from core.db import utcnow
from core.delivery import deliver
from core.extensions import db
from core.mail import queue_email
from core.models import AuditEvent, OutboxMessage
from tests.factories import PASSWORD, make_user
from tests.test_sessions import sign_in

NEW_PASSWORD = "a different long passphrase"


# --- audit log ------------------------------------------------------------------------------


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by("id"))
    )


def test_authentication_events_are_audited(client, post, sent_mail):
    user = make_user()

    post("/login", {"email": user.email, "password": "wrong password!"})
    post("/login", {"email": "nobody@example.org", "password": "wrong password!"})
    sign_in(post, user.email)
    post(
        "/profile/password",
        {
            "pw-current_password": PASSWORD,
            "pw-new_password": NEW_PASSWORD,
            "pw-confirm": NEW_PASSWORD,
        },
    )
    post("/logout")
    post("/password/forgot", {"email": user.email})
    path = re.search(r"/password/reset/\S+", sent_mail[0].get_content()).group(0)
    post(path, {"new_password": "third long passphrase", "confirm": "third long passphrase"})

    failed = events("login.failed")
    assert [(e.object_id, e.after["email"]) for e in failed] == [
        (user.id, user.email),
        (None, "nobody@example.org"),
    ]
    assert all(e.ip == "127.0.0.1" for e in failed)
    for action in ("login", "password.changed", "logout", "password.reset"):
        (event,) = events(action)
        assert (event.actor_id, event.object_type, event.object_id) == (user.id, "users", user.id)
    (requested,) = events("password.reset_requested")
    assert requested.object_id == user.id


def _some_events(n=3) -> list[AuditEvent]:
    made = [record_event("test.event", object_type="thing", object_id=i) for i in range(n)]
    db.session.commit()
    return made


def test_the_orm_refuses_to_change_or_delete_audit_events(app):
    event = _some_events(1)[0]

    event.action = "something else"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()

    db.session.delete(event)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert events("test.event")[0].action == "test.event"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'login' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_events(app, statement):
    event = _some_events(1)[0]

    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement), {"id": event.id})
    db.session.rollback()
    assert len(events("test.event")) == 1


def audit_verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _drop_audit_triggers():
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_audit_verify_reports_an_intact_chain(app, client, post):
    user = make_user()
    sign_in(post, user.email)
    post("/logout")
    _some_events(2)

    result = audit_verify(app)

    assert result.exit_code == 0, result.output
    assert "audit chain intact: 4 events" in result.output


@pytest.mark.parametrize(
    ("tampering", "broken_at"),
    [
        ("UPDATE audit_events SET action = 'tampered' WHERE id = :id", 0),
        ("UPDATE audit_events SET actor_id = 99 WHERE id = :id", 0),
        ("DELETE FROM audit_events WHERE id = :id", 1),
    ],
)
def test_audit_verify_reports_tampering(app, tampering, broken_at):
    made = _some_events(3)
    middle = made[1].id
    expected_broken_id = [made[1].id, made[2].id][broken_at]
    try:
        # An attacker with database access would first remove the guard.
        _drop_audit_triggers()
        db.session.execute(text(tampering), {"id": middle})
        db.session.expire_all()  # forget the events as loaded, as a new `flask` process would

        result = audit_verify(app)
    finally:
        db.session.rollback()  # on PostgreSQL this restores the trigger for later tests

    assert result.exit_code == 1
    assert f"audit chain BROKEN at event {expected_broken_id} " in result.output
    assert "after 1 good events" in result.output


def test_audit_verify_on_an_empty_log(app):
    result = audit_verify(app)
    assert result.exit_code == 0
    assert "audit chain intact: 0 events" in result.output


# --- UTC datetimes --------------------------------------------------------------------------

EASTERN = timezone(timedelta(hours=-5))


def _message(**fields) -> OutboxMessage:
    fields = {"to_addr": "pat@example.org", "subject": "Hello", "body": "Hi.", **fields}
    return OutboxMessage(**fields)


def test_utc_datetime_round_trips_an_aware_value_as_utc(app):
    local = datetime(2026, 3, 8, 21, 30, 15, 123456, tzinfo=EASTERN)
    msg = _message(next_attempt_at=local)
    db.session.add(msg)
    db.session.commit()
    db.session.expire_all()

    loaded = db.session.get(OutboxMessage, msg.id).next_attempt_at

    assert loaded == local
    assert loaded.utcoffset() == timedelta(0)
    assert (loaded.day, loaded.hour, loaded.microsecond) == (9, 2, 123456)
    # Comparisons in SQL work whatever zone the value compared against is in.
    tokyo = local.astimezone(timezone(timedelta(hours=9)))
    found = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.next_attempt_at == tokyo)
    )
    assert found == msg.id
    earlier = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.next_attempt_at < tokyo + timedelta(minutes=1))
    )
    assert earlier == msg.id


def test_utc_datetime_refuses_a_naive_value(app):
    db.session.add(_message(next_attempt_at=datetime(2026, 3, 8, 21, 30)))

    with pytest.raises(StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.id)) is None


# --- mail outbox ----------------------------------------------------------------------------


@pytest.fixture
def mail_server_down(app):
    """Point the mail backend at a local port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)

    def _back_up():
        app.config["MAIL_BACKEND"] = "memory"

    return _back_up


def _make_due(msg: OutboxMessage) -> None:
    msg.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_a_failed_delivery_is_retried_later_and_then_sent(app, sent_mail, mail_server_down):
    msg = queue_email("pat@example.org", "Your invitation", "Welcome.")
    db.session.commit()
    before = utcnow()

    assert deliver() == (0, 1)

    db.session.refresh(msg)
    assert (msg.status, msg.attempts) == ("pending", 1)
    assert msg.next_attempt_at > before + timedelta(minutes=1)
    assert "ConnectionRefusedError" in msg.last_error
    mail_server_down()  # ...the mail server comes back
    assert deliver() == (0, 0)  # not yet due: the retry waits
    assert sent_mail == []

    _make_due(msg)
    assert deliver() == (1, 0)

    db.session.refresh(msg)
    assert (msg.status, msg.attempts) == ("sent", 2)
    assert msg.sent_at is not None
    assert [(m["To"], m["Subject"]) for m in sent_mail] == [("pat@example.org", "Your invitation")]


def test_a_message_is_never_sent_twice(app, sent_mail):
    msg = queue_email("pat@example.org", "Once", "Only once.")
    db.session.commit()

    assert deliver() == (1, 0)
    assert deliver() == (0, 0)
    assert deliver([msg.id]) == (0, 0)

    assert len(sent_mail) == 1


def test_a_message_another_worker_is_sending_is_left_alone_unless_that_worker_died(app, sent_mail):
    msg = queue_email("pat@example.org", "Claimed", "Being sent elsewhere.")
    msg.status, msg.claimed_by = "sending", "another-worker"
    msg.claimed_at, msg.claim_expires_at = utcnow(), utcnow() + timedelta(minutes=5)
    db.session.commit()

    assert deliver() == (0, 0)
    assert sent_mail == []

    msg.claim_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliver() == (1, 0)
    assert len(sent_mail) == 1


def test_a_message_that_keeps_failing_is_given_up_after_the_maximum_attempts(app, mail_server_down):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    msg = queue_email("pat@example.org", "Doomed", "Never arrives.")
    db.session.commit()

    assert deliver() == (0, 1)
    _make_due(msg)
    assert deliver() == (0, 1)

    db.session.refresh(msg)
    assert (msg.status, msg.attempts) == ("failed", 2)
    _make_due(msg)
    assert deliver() == (0, 0)


def test_reset_mail_survives_a_mail_server_outage(app, client, post, sent_mail, mail_server_down):
    user = make_user()

    response = post("/password/forgot", {"email": user.email})

    assert response.status_code == 302  # the person is told the same as always
    msg = db.session.scalar(select(OutboxMessage))
    assert (msg.to_addr, msg.status, msg.attempts) == (user.email, "pending", 1)
    mail_server_down()
    _make_due(msg)

    result = app.test_cli_runner().invoke(args=["outbox", "deliver"])

    assert result.exit_code == 0
    assert "sent 1, failed 0" in result.output
    assert [m["To"] for m in sent_mail] == [user.email]
    assert "/password/reset/" in sent_mail[0].get_content()
