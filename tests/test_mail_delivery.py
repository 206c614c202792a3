"""Delivering the outbox over SMTP: sent once, nothing lost while the server is down,
retried with backoff, given up after the maximum, and each message once with two workers.

The SMTP server is a real one on a free local port (aiosmtpd), started and stopped by the
tests, so the whole path — smtplib, the claim, the bookkeeping — runs as in production.
"""

import asyncio
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from config import BASE_DIR
from core.db import utcnow
from core.delivery import (
    MAX_BACKOFF,
    claim_batch,
    deliver,
    deliver_one,
    retry_delay,
    run_worker,
    send_message,
)
from core.extensions import db
from core.mail import _build, queue_email
from core.models import OutboxMessage

ON_SQLITE = not os.environ.get("TEST_DATABASE_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeSmtpServer:
    """An SMTP server on 127.0.0.1 that keeps what it accepts; `start()` and `stop()` it
    to take the mail server up and down, `refuse` to answer every message with an error."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[Message] = []
        self.envelopes: list[tuple[bytes, list[str]]] = []  # (the bytes, MAIL FROM options)
        self.refuse: str | None = None  # e.g. "451 4.3.0 Try again later"
        self.refuse_recipients: str | None = None  # e.g. "550 5.1.1 No such user"
        self.delay = 0.0
        self._controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients:
            return self.refuse_recipients
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append(message_from_bytes(envelope.content))
        self.envelopes.append((envelope.original_content, list(envelope.mail_options)))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.received]


@pytest.fixture
def smtp(app):
    """The app sends over SMTP to a fake server that is *not* running until started."""
    server = FakeSmtpServer(free_port())
    app.config.update(
        MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT_SECONDS=5
    )
    yield server
    server.stop()


def queue(n: int = 1, subject: str = "Your invitation") -> list[int]:
    ids = [queue_email(f"person{i}@example.org", f"{subject} {i}", "Hello.").id for i in range(n)]
    db.session.commit()
    return ids


def row(msg_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, msg_id)


def message_id(msg_id: int) -> str:
    return f"<{row(msg_id).message_token}@127.0.0.1>"  # BASE_URL's host, in the tests


def make_due(msg_id: int) -> None:
    """Move the clock past a message's next attempt (rather than waiting minutes)."""
    db.session.get(OutboxMessage, msg_id).next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def deliver_command(app) -> str:
    result = app.test_cli_runner().invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    return result.output


# --- sent once -------------------------------------------------------------------------------


def test_due_messages_are_sent_once_and_marked_sent(app, smtp):
    smtp.start()
    ids = queue(3)

    assert "sent 3, failed 0" in deliver_command(app)
    assert "sent 0, failed 0" in deliver_command(app)

    assert sorted(smtp.message_ids()) == sorted(message_id(i) for i in ids)
    assert [m["To"] for m in smtp.received] == [f"person{i}@example.org" for i in range(3)]
    for msg_id in ids:
        msg = row(msg_id)
        assert (msg.status, msg.attempts, msg.last_error) == ("sent", 1, None)
        assert msg.sent_at is not None and msg.claim_expires_at is None


def test_the_command_sends_everything_due_batch_after_batch(app, smtp):
    smtp.start()
    app.config["MAIL_BATCH_SIZE"] = 2
    queue(5)

    assert "sent 5, failed 0" in deliver_command(app)
    assert len(smtp.received) == 5


# --- the server is down ---------------------------------------------------------------------


def test_with_the_server_down_nothing_is_lost_it_backs_off_and_is_sent_once_back(app, smtp):
    (msg_id,) = queue(1)

    before = utcnow()
    assert deliver() == (0, 1)
    msg = row(msg_id)
    assert (msg.status, msg.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in msg.last_error
    first_wait = msg.next_attempt_at - before
    assert timedelta(seconds=119) < first_wait < timedelta(seconds=125)

    assert deliver() == (0, 0)  # not due yet: the retry waits

    make_due(msg_id)
    before = utcnow()
    assert deliver() == (0, 1)
    msg = row(msg_id)
    assert msg.attempts == 2
    assert timedelta(seconds=239) < msg.next_attempt_at - before < timedelta(seconds=245)

    smtp.start()  # ...the mail server is back
    make_due(msg_id)
    assert deliver() == (1, 0)
    assert deliver() == (0, 0)

    msg = row(msg_id)
    assert (msg.status, msg.attempts) == ("sent", 3)
    assert smtp.message_ids() == [message_id(msg_id)]


def test_a_server_that_says_try_later_is_tried_again_later(app, smtp):
    smtp.start()
    smtp.refuse = "451 4.3.0 Try again later"
    (msg_id,) = queue(1)

    assert deliver() == (0, 1)
    assert "451" in row(msg_id).last_error
    assert row(msg_id).status == "pending"

    smtp.refuse = None
    make_due(msg_id)
    assert deliver() == (1, 0)
    assert len(smtp.received) == 1


def test_after_the_maximum_attempts_it_gives_up_and_keeps_the_error(app, smtp):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp.start()
    smtp.refuse = "451 4.3.0 Mailbox busy"
    (msg_id,) = queue(1)

    for _ in range(3):
        assert deliver() == (0, 1)
        make_due(msg_id)

    msg = row(msg_id)
    assert (msg.status, msg.attempts) == ("failed", 3)
    assert "451" in msg.last_error and "Mailbox busy" in msg.last_error
    smtp.refuse = None
    assert deliver() == (0, 0)  # given up: never tried again
    assert smtp.received == []


def test_a_recipient_refused_for_good_is_not_retried(app, smtp):
    smtp.start()
    smtp.refuse_recipients = "550 5.1.1 No such user here"
    (msg_id,) = queue(1)

    assert deliver() == (0, 1)

    msg = row(msg_id)
    assert (msg.status, msg.attempts) == ("failed", 1)
    assert "No such user" in msg.last_error


def test_the_wait_doubles_after_each_failure_up_to_a_cap():
    assert [retry_delay(n, 120).total_seconds() for n in (1, 2, 3, 4)] == [120, 240, 480, 960]
    assert retry_delay(40, 120) == MAX_BACKOFF


# --- claims ------------------------------------------------------------------------------------


def test_a_crashed_workers_messages_come_back_when_its_claim_expires(app, smtp):
    smtp.start()
    (msg_id,) = queue(1)
    assert claim_batch("worker-that-dies", limit=10) == [msg_id]

    assert deliver() == (0, 0)  # claimed and not expired: left alone
    assert smtp.received == []

    msg = row(msg_id)
    msg.claim_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliver() == (1, 0)

    # The dead worker wakes up: the message is no longer its to send.
    assert deliver_one(msg_id, "worker-that-dies") == "skipped"
    assert len(smtp.received) == 1
    assert row(msg_id).status == "sent"


def test_a_message_whose_worker_keeps_dying_is_given_up(app, smtp):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    smtp.start()
    (msg_id,) = queue(1)
    for n in range(2):  # two workers each die mid-attempt (attempt counted, nothing recorded)
        claim_batch(f"doomed-{n}", limit=1)
        db.session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.id == msg_id)
            .values(attempts=OutboxMessage.attempts + 1, claim_expires_at=utcnow())
        )
        db.session.commit()

    assert deliver() == (0, 1)

    msg = row(msg_id)
    assert (msg.status, msg.attempts) == ("failed", 3)
    assert "stopped" in msg.last_error
    assert smtp.received == []


def test_stopping_early_hands_the_untried_claims_back(app, smtp):
    smtp.start()
    ids = queue(3)
    stops = iter([False, True, True])

    assert deliver(should_stop=lambda: next(stops)) == (1, 0)

    assert [row(i).status for i in ids] == ["sent", "pending", "pending"]
    assert [row(i).attempts for i in ids] == [1, 0, 0]
    assert deliver() == (2, 0)
    assert sorted(smtp.message_ids()) == sorted(message_id(i) for i in ids)


def test_the_worker_loop_sends_and_stops_when_asked(app, smtp):
    smtp.start()
    ids = queue(2)
    stop = threading.Event()
    reports: list[tuple[int, int]] = []

    def _stop_when_sent(sent: int, failed: int) -> None:
        reports.append((sent, failed))
        stop.set()

    run_worker(stop, interval=0.05, report=_stop_when_sent)

    assert reports == [(2, 0)]
    assert all(row(i).status == "sent" for i in ids)


def test_the_worker_process_finishes_and_exits_on_sigterm(app, smtp, db_url, tmp_path):
    """`flask outbox deliver --loop` as systemd runs it: sends, then stops cleanly on SIGTERM."""
    smtp.start()
    ids = queue(2)
    env = {
        **os.environ,
        "RELAY_ENV": "development",
        "RELAY_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "DATABASE_URL": db_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
    }
    env.pop("MAIL_BACKEND", None)
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "deliver", "--loop"]
        + ["--interval", "0.2"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(smtp.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    assert worker.returncode == 0, output
    assert "mail worker stopped" in output
    assert sorted(smtp.message_ids()) == sorted(message_id(i) for i in ids)
    assert all(row(i).status == "sent" for i in ids)


@pytest.mark.skipif(
    ON_SQLITE,
    reason="FOR UPDATE SKIP LOCKED claims need PostgreSQL; on SQLite claimers take turns "
    "under the database's write lock",
)
def test_two_workers_at_once_send_each_message_exactly_once(app, smtp, query_counter):
    smtp.start()
    smtp.delay = 0.005
    app.config["MAIL_BATCH_SIZE"] = 5
    ids = queue(60)
    barrier = threading.Barrier(2, timeout=30)
    sent_by: dict[int, int] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        with app.app_context():  # its own session and connection, as a separate process has
            try:
                barrier.wait()
                total = 0
                while True:
                    sent, failed = deliver()
                    assert failed == 0
                    total += sent
                    if sent == 0 and not db.session.scalar(
                        select(OutboxMessage.id).where(OutboxMessage.status != "sent").limit(1)
                    ):
                        break
                sent_by[n] = total
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    with query_counter() as statements:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)

    assert not errors
    assert sent_by[0] + sent_by[1] == len(ids)
    assert sent_by[0] > 0 and sent_by[1] > 0  # both really worked at once
    assert sorted(smtp.message_ids()) == sorted(message_id(i) for i in ids)
    assert all(row(i).status == "sent" and row(i).attempts == 1 for i in ids)
    assert any("FOR UPDATE SKIP LOCKED" in s for s in statements)


# --- the development delivery ------------------------------------------------------------------


def test_without_a_mail_server_messages_go_to_the_mail_folder_and_the_log(app, caplog):
    app.config["MAIL_BACKEND"] = "file"
    (msg_id,) = queue(1, subject="Reset your password")
    msg = row(msg_id)

    with caplog.at_level("INFO", logger="relay.mail"):
        send_message(_build(msg), msg)

    (path,) = list(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert path.name.endswith(f"-{msg_id}.eml")
    assert b"Reset your password 0" in path.read_bytes()
    assert "Reset your password 0" in caplog.text


@pytest.mark.parametrize(
    ("env", "backend"),
    [({}, "file"), ({"MAIL_SERVER": "smtp.example.org"}, "smtp")],
)
def test_mail_server_unset_means_the_development_delivery(env, backend):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MAIL_")}
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", "import config; print(config.Config.MAIL_BACKEND)"],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == backend


# --- what mail programs see ------------------------------------------------------------------


def test_every_message_carries_the_date_it_was_sent(app, smtp, monkeypatch):
    smtp.start()
    (msg_id,) = queue(1)
    sent_at = datetime(2026, 12, 5, 9, 30, 15, tzinfo=UTC)
    monkeypatch.setattr("core.mail.utcnow", lambda: sent_at)
    assert deliver() == (1, 0)
    [received] = smtp.received
    assert received["Date"] == "Sat, 05 Dec 2026 09:30:15 +0000"
    assert parsedate_to_datetime(received["Date"]) == sent_at


def test_message_ids_are_unique_on_the_sites_domain_and_kept_by_a_resend(app, smtp):
    app.config["BASE_URL"] = "https://relay.example.org/relay"
    (first,) = queue(1)
    assert deliver() == (0, 1)  # the server is down: the attempt fails
    smtp.start()
    make_due(first)
    assert deliver() == (1, 0)
    [sent] = smtp.message_ids()
    assert re.fullmatch(r"<[0-9a-f]{32}@relay\.example\.org>", sent)
    assert _build(row(first))["Message-ID"] == sent  # a resend carries the same ID

    # A new database (`flask import network`) numbers its outbox from 1 again: a new
    # message with the old one's row id still has an ID of its own.
    db.session.delete(row(first))
    db.session.commit()
    db.session.add(OutboxMessage(id=first, to_addr="pat@example.org", subject="New", body="."))
    db.session.commit()
    assert _build(row(first))["Message-ID"] not in (sent, None)


def test_non_ascii_text_reaches_the_server_7bit_clean(app, smtp):
    """A server that does not offer 8BITMIME must not get 8-bit bytes (RFC 6152), and we do
    not declare BODY=8BITMIME: the bodies are quoted-printable (or base64)."""
    smtp.start()
    text = "Tomás and Zoë from the Université de Montréal 🌍\n" * 3
    queue_email("pat@example.org", "Réunion à l'Université", text, html=f"<p>{text}</p>")
    db.session.commit()
    assert deliver() == (1, 0)
    [(raw, options)] = smtp.envelopes
    assert raw.isascii() and "BODY=8BITMIME" not in options
    received = message_from_bytes(raw, policy=email.policy.strict)
    plain, html = received.iter_parts()
    assert plain.get_content().replace("\r\n", "\n") == text
    assert html.get_content().replace("\r\n", "\n") == f"<p>{text}</p>\n"
    assert received["Subject"] == "Réunion à l'Université"


ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def test_encoded_subject_words_keep_to_75_characters_and_urls_stay_whole(app):
    subject = "Relay: Zoë asked you to lead “Réunion de quartier, salle polyvalente” " * 3
    url = "https://relay.example.org/notifications/unsubscribe/" + "Ab1_-" * 40
    msg = queue_email(
        "pat@example.org", subject, "Hello.", headers={"List-Unsubscribe": f"<{url}>"}
    )
    raw = bytes(_build(msg))
    words = ENCODED_WORD.findall(raw)
    assert words and max(len(w) for w in words) <= 75  # RFC 2047, section 2
    assert f"List-Unsubscribe: <{url}>".encode() in raw  # one line, no encoded words
    parsed = message_from_bytes(raw, policy=email.policy.strict)
    assert parsed["Subject"] == subject[:200]
    assert parsed["List-Unsubscribe"] == f"<{url}>"
