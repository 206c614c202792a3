"""Tables the whole system shares: the audit log, the mail outbox and rate-limit hits."""

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, utcnow
from core.extensions import db


class AuditEvent(db.Model):
    """One append-only, hash-chained record of a state change or an authentication event."""

    __tablename__ = "audit_events"
    # The activity log reads a chapter's events newest first (chapters.services.activity).
    __table_args__ = (Index("ix_audit_events_chapter_id_at", "chapter_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    # No foreign key: the log must outlive and never block changes to what it describes.
    chapter_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def new_message_token() -> str:
    """The random part of an email's Message-ID."""
    return secrets.token_hex(16)


class OutboxMessage(db.Model):
    """An email written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_due", "status", "next_attempt_at"),
        # The delivery worker's second way in: claims whose holder seems to have died.
        Index("ix_outbox_messages_status_claim_expires_at", "status", "claim_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)  # an HTML alternative to the text body
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)  # e.g. List-Unsubscribe
    # The Message-ID is <token@BASE_URL's host>: the same on every attempt (a resend is a
    # duplicate mail programs recognise), and never reused, as row ids are after
    # `flask import network` starts a new database.
    message_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_message_token)
    # pending -> sending (claimed) -> sent; or back to pending, due again at next_attempt_at;
    # or failed.
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The worker holding the claim (core.delivery) and when the claim lapses: a worker that
    # dies mid-batch leaves its messages to be claimed again once this time has passed.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class RateLimitHit(db.Model):
    """One counted event (e.g. a failed login) under a limiter key, for the SQL limiter."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
