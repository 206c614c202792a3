"""A notification in a person's inbox, and their per-kind delivery preference."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from chapters.models import Chapter
from core.db import UTCDateTime, utcnow
from core.extensions import db


class EmailState(StrEnum):
    NONE = "none"  # in-app only
    DIGEST = "digest"  # waits for the next daily digest
    SENT = "sent"  # queued in the outbox (at once, or in a digest)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # The inbox (newest first) and the unread count, per recipient.
        Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
        Index("ix_notifications_recipient_read", "recipient_id", "read_at"),
        # The digest: what waits, per recipient.
        Index("ix_notifications_email_state_recipient", "email_state", "recipient_id"),
        # A reminder is made once per recipient (`flask notify run` twice sends it once).
        UniqueConstraint("recipient_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    chapter_id: Mapped[int | None] = mapped_column(ForeignKey("chapters.id"), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    # A path on this site (no host), so the link survives a change of BASE_URL.
    link: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_state: Mapped[str] = mapped_column(String(10), default=EmailState.NONE)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dedupe_key: Mapped[str | None] = mapped_column(String(120))

    recipient: Mapped[User] = relationship()
    chapter: Mapped[Chapter | None] = relationship()


class NotificationPreference(db.Model):
    """How one person wants one kind delivered; no row means the kind's default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    delivery: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
