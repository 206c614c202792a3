"""Outbox delivery: claim due messages, send them (SMTP, or a folder in development), retry.

A message moves pending -> sending (claimed by one worker until its claim expires) -> sent,
or back to pending with a later `next_attempt_at`, or to failed after MAIL_MAX_ATTEMPTS.
Claims are taken with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL (several workers on
several servers each take different rows) and under SQLite's write lock there. Each send
is preceded by renewing the claim, so a worker whose claim lapsed and was taken over by
another never sends that message too. The one duplicate left is a worker dying between
the SMTP server's "accepted" and its own "sent" commit: the message then goes again once
the claim expires, with the same Message-ID (at-least-once, as with any SMTP client).
"""

import logging
import os
import signal
import smtplib
import socket
import ssl
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import CursorResult, Update, or_, select, update

from core.db import utcnow
from core.extensions import db
from core.locking import take_write_lock
from core.models import OutboxMessage, OutboxStatus

log = logging.getLogger("relay.mail")

# However many attempts have failed, the next one is at most this far away.
MAX_BACKOFF = timedelta(hours=6)


class Attempt(StrEnum):
    SENT = "sent"
    FAILED = "failed"  # this attempt failed; retried later, or given up
    SKIPPED = "skipped"  # the claim was lost to another worker: not ours to send


def retry_delay(attempts: int, base_seconds: int) -> timedelta:
    """The wait after the n-th failed attempt: base, 2 × base, 4 × base, ..., capped."""
    exponent = min(max(attempts - 1, 0), 30)
    return min(timedelta(seconds=base_seconds * 2**exponent), MAX_BACKOFF)


def new_worker_id() -> str:
    """A name for one claimer: host and process for the logs, plus a random part so two
    claimers in one process (a worker and a request's after-response send) never share."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _due(now: datetime):
    """Pending and due, or claimed by a worker whose claim has lapsed."""
    return or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claim_expires_at < now),
    )


def _rows_changed(statement: Update) -> int:
    result = db.session.execute(statement)
    assert isinstance(result, CursorResult)  # nosec B101 # for mypy: an UPDATE gives a CursorResult
    return result.rowcount


def _claim_length() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])


def claim_batch(worker: str, limit: int, only: list[int] | None = None) -> list[int]:
    """Claim up to `limit` due messages (of `only`, when given) for `worker`; commit."""
    now = utcnow()
    take_write_lock()  # SQLite: claimers take turns; PostgreSQL: the row locks below
    due = select(OutboxMessage.id).where(_due(now))
    if only is not None:
        due = due.where(OutboxMessage.id.in_(only))
    due = due.order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                status=OutboxStatus.SENDING,
                claimed_by=worker,
                claimed_at=now,
                claim_expires_at=now + _claim_length(),
            )
        )
    db.session.commit()
    return ids


def release_claims(worker: str) -> int:
    """Hand back what `worker` claimed but did not try (a graceful stop); commit."""
    released = _rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.claimed_by == worker, OutboxMessage.status == OutboxStatus.SENDING)
        .values(status=OutboxStatus.PENDING, claim_expires_at=None)
    )
    db.session.commit()
    return released


def _start_attempt(msg_id: int, worker: str) -> OutboxMessage | None:
    """Renew the claim and count the attempt; None when another worker holds it now."""
    renewed = _rows_changed(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == msg_id,
            OutboxMessage.claimed_by == worker,
            OutboxMessage.status == OutboxStatus.SENDING,
        )
        .values(attempts=OutboxMessage.attempts + 1, claim_expires_at=utcnow() + _claim_length())
    )
    db.session.commit()
    if renewed != 1:
        return None
    return db.session.get(OutboxMessage, msg_id)


def _finish(msg_id: int, worker: str, **values: Any) -> None:
    """Record an attempt's result, if the claim is still this worker's."""
    recorded = _rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.id == msg_id, OutboxMessage.claimed_by == worker)
        .values(claim_expires_at=None, **values)
    )
    db.session.commit()
    if recorded != 1:
        log.warning(
            "mail %s: the claim lapsed during the attempt; its result is not recorded", msg_id
        )


def is_permanent(exc: Exception) -> bool:
    """A refusal no retry will change: the server rejected every recipient for good (5xx)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return False


def deliver_one(msg_id: int, worker: str) -> Attempt:
    from core.mail import _build  # the message as queued (core.mail owns its shape)

    msg = _start_attempt(msg_id, worker)
    if msg is None:
        return Attempt.SKIPPED
    cfg = current_app.config
    max_attempts = cfg["MAIL_MAX_ATTEMPTS"]
    if msg.attempts > max_attempts:
        # Every earlier attempt ended with its worker gone (a message that crashes it?).
        _finish(
            msg_id,
            worker,
            status=OutboxStatus.FAILED,
            last_error=(msg.last_error or "the worker stopped during every attempt")[:500],
        )
        log.error("mail %s to %s given up after %s attempts", msg_id, msg.to_addr, max_attempts)
        return Attempt.FAILED
    try:
        send_message(_build(msg), msg)
    except Exception as exc:  # any transport failure is recorded and retried later
        error = f"{type(exc).__name__}: {exc}"[:500]
        if msg.attempts >= max_attempts or is_permanent(exc):
            _finish(msg_id, worker, status=OutboxStatus.FAILED, last_error=error)
            log.error("mail %s to %s failed for good: %s", msg_id, msg.to_addr, error)
        else:
            delay = retry_delay(msg.attempts, cfg["MAIL_RETRY_SECONDS"])
            _finish(
                msg_id,
                worker,
                status=OutboxStatus.PENDING,
                last_error=error,
                next_attempt_at=utcnow() + delay,
            )
            log.warning("mail %s to %s failed, retry in %s: %s", msg_id, msg.to_addr, delay, error)
        return Attempt.FAILED
    _finish(msg_id, worker, status=OutboxStatus.SENT, sent_at=utcnow())
    return Attempt.SENT


def deliver(
    msg_ids: list[int] | None = None,
    limit: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[int, int]:
    """Claim one batch of due messages (or just the given ones) and send it.

    Returns (sent, failed attempts). Stopping early hands the untried rest back at once.
    """
    worker = new_worker_id()
    if limit is None:
        limit = len(msg_ids) if msg_ids is not None else current_app.config["MAIL_BATCH_SIZE"]
    ids = claim_batch(worker, limit, msg_ids)
    sent = failed = tried = 0
    try:
        for msg_id in ids:
            if should_stop():
                break
            result = deliver_one(msg_id, worker)
            tried += 1
            sent += result == Attempt.SENT
            failed += result == Attempt.FAILED
    finally:
        if tried < len(ids):  # stopped early, or an error: the rest is due again at once
            db.session.rollback()
            release_claims(worker)
    return sent, failed


def deliver_due() -> tuple[int, int]:
    """Send everything due now, batch after batch (`flask outbox deliver`)."""
    sent = failed = 0
    batch = current_app.config["MAIL_BATCH_SIZE"]
    while True:
        s, f = deliver(limit=batch)
        sent, failed = sent + s, failed + f
        # A failure is rescheduled for later, so a full batch always means more may be due.
        if s + f < batch:
            return sent, failed


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (systemd, docker stop) and SIGINT (Ctrl-C) ask the worker to stop after
    the message in hand; the previous handlers come back afterwards."""

    def _ask_to_stop(signum: int, _frame: object) -> None:
        log.info("mail worker: %s received, stopping after the current message", signum)
        stop.set()

    previous = {sig: signal.signal(sig, _ask_to_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_worker(
    stop: threading.Event, interval: float, report: Callable[[int, int], None] | None = None
) -> None:
    """Deliver until `stop` is set: a full batch goes straight on, otherwise wait `interval`.

    A database or other unexpected error is logged and tried again next round, so the
    worker outlives a database restart.
    """
    batch = current_app.config["MAIL_BATCH_SIZE"]
    log.info("mail worker started (batches of %s, polling every %ss)", batch, interval)
    while not stop.is_set():
        try:
            sent, failed = deliver(limit=batch, should_stop=stop.is_set)
        except Exception:
            db.session.rollback()
            log.exception("mail worker: delivery round failed; trying again")
            sent = failed = 0
        else:
            if report and (sent or failed):
                report(sent, failed)
            if sent + failed >= batch:
                continue
        stop.wait(interval)
    db.session.remove()
    log.info("mail worker stopped")


# --- transports --------------------------------------------------------------------------------


def send_message(em: EmailMessage, msg: OutboxMessage) -> None:
    """Hand one message to the configured transport; raises on failure."""
    cfg = current_app.config
    backend = cfg["MAIL_BACKEND"]
    if backend == "memory":  # the test suite's
        current_app.extensions.setdefault("relay_mail_sent", []).append(em)
    elif backend == "file":
        _write_to_folder(em, msg, Path(cfg["MAIL_DIR"]))
    elif backend == "smtp":
        _send_over_smtp(em, cfg)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


def _write_to_folder(em: EmailMessage, msg: OutboxMessage, folder: Path) -> None:
    """Development delivery: the message as an .eml file, and in the log."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{msg.created_at:%Y%m%dT%H%M%S}-{msg.id}.eml"
    path.write_bytes(bytes(em))
    log.info("mail to %s: %s (saved to %s)\n%s", msg.to_addr, msg.subject, path, msg.body)


def _send_over_smtp(em: EmailMessage, cfg: Any) -> None:
    host = cfg["MAIL_SERVER"] or "localhost"
    port = cfg["MAIL_PORT"]
    timeout = cfg["MAIL_TIMEOUT_SECONDS"]
    if cfg["MAIL_USE_SSL"] and cfg["MAIL_USE_TLS"]:
        raise RuntimeError("set MAIL_USE_SSL (port 465) or MAIL_USE_TLS (STARTTLS), not both")
    smtp: smtplib.SMTP
    if cfg["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(em)
