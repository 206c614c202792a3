"""The email outbox: messages are queued in the caller's transaction and delivered with retries."""

import email.policy
import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from flask import after_this_request, current_app, g
from sqlalchemy import or_, select, update

from core.db import utcnow
from core.extensions import db
from core.models import OutboxMessage, OutboxStatus

log = logging.getLogger("relay.mail")

# A claim older than this is taken to be from a worker that died mid-send.
STALE_CLAIM = timedelta(minutes=15)


def queue_email(
    to_addr: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Write an email to the outbox as part of the current transaction.

    `html` adds an HTML alternative to the plain text; `headers` adds headers such as
    List-Unsubscribe.
    """
    msg = OutboxMessage(
        to_addr=to_addr, subject=subject[:200], body=body, html=html, headers=headers or None
    )
    db.session.add(msg)
    db.session.flush()
    g.setdefault("queued_mail_ids", []).append(msg.id)
    return msg


# Headers are folded at SMTP's line limit, not at 78: a List-Unsubscribe URL longer than 78
# characters would otherwise be turned into RFC 2047 encoded words that mail programs
# cannot follow.
_POLICY = email.policy.default.clone(max_line_length=998)


def _build(msg: OutboxMessage) -> EmailMessage:
    em = EmailMessage(policy=_POLICY)
    em["From"] = current_app.config["MAIL_FROM"]
    em["To"] = msg.to_addr
    em["Subject"] = msg.subject
    em["Message-ID"] = f"<outbox-{msg.id}@relay>"
    for name, value in (msg.headers or {}).items():
        em[name] = value
    em.set_content(msg.body)
    if msg.html:
        em.add_alternative(msg.html, subtype="html")
    return em


def _transport(em: EmailMessage, msg: OutboxMessage) -> None:
    cfg = current_app.config
    backend = cfg["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("relay_mail_sent", []).append(em)
    elif backend == "file":
        folder = Path(cfg["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{msg.created_at:%Y%m%dT%H%M%S}-{msg.id}.eml"
        path.write_bytes(bytes(em))
        log.info("mail to %s: %s (saved to %s)\n%s", msg.to_addr, msg.subject, path, msg.body)
    elif backend == "smtp":
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(em)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


def _due(now):
    """Pending and due, or claimed by a worker that seems to have died."""
    return or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING)
        & (OutboxMessage.claimed_at < now - STALE_CLAIM),
    )


def _claim(msg_id: int) -> bool:
    """Mark a due message as being sent; only one worker can win the claim."""
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == msg_id, _due(now))
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver(msg_ids: list[int] | None = None, limit: int = 50) -> tuple[int, int]:
    """Send due messages (or just the given ones). Returns (sent, failed attempts)."""
    now = utcnow()
    if msg_ids is None:
        msg_ids = list(
            db.session.scalars(
                select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
            )
        )
    sent = failed = 0
    for msg_id in msg_ids:
        if not _claim(msg_id):
            continue
        msg = db.session.get(OutboxMessage, msg_id)
        try:
            _transport(_build(msg), msg)
        except Exception as exc:  # any transport failure is retried later
            failed += 1
            max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
            msg.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if msg.attempts >= max_attempts:
                msg.status = OutboxStatus.FAILED
                log.error("mail %s to %s failed for good: %s", msg.id, msg.to_addr, exc)
            else:
                msg.status = OutboxStatus.PENDING
                msg.next_attempt_at = utcnow() + timedelta(minutes=2**msg.attempts)
                log.warning("mail %s to %s failed, will retry: %s", msg.id, msg.to_addr, exc)
        else:
            sent += 1
            msg.status = OutboxStatus.SENT
            msg.sent_at = utcnow()
        db.session.commit()
    return sent, failed


def deliver_queued_after_request(response):
    """Send what this request queued once the response has gone out; the worker retries.

    Sending after the response keeps a slow mail server out of the user's wait, and
    keeps response times the same whether or not a message was sent (a reset request
    must not reveal whether the email has an account).
    """
    ids = g.pop("queued_mail_ids", None)
    if ids and response.status_code < 400:
        app = current_app._get_current_object()

        def _send() -> None:
            with app.app_context():
                try:
                    deliver(ids)
                except Exception:  # never fail over mail; the worker retries
                    db.session.rollback()
                    log.exception("mail delivery after the response failed; left for the worker")

        response.call_on_close(_send)
    return response


def after_response(work: Callable[..., None], *args) -> None:
    """Run `work(*args)` once this request's response has gone out, in its own
    transaction, then send the mail it queued.

    For work whose duration must not show in the response time (a password reset must
    answer as fast for an unknown email as for an account). A failure is logged, and
    the work is lost (the person can ask again); nothing the response said was wrong.
    """
    app = current_app._get_current_object()

    @after_this_request
    def _register(response):
        def _run() -> None:
            with app.app_context():
                try:
                    work(*args)
                    db.session.commit()
                    ids = g.pop("queued_mail_ids", None)
                    if ids:
                        deliver(ids)
                except Exception:  # the response is gone; log and move on
                    db.session.rollback()
                    log.exception("work after the response failed: %s", work.__name__)

        response.call_on_close(_run)
        return response
