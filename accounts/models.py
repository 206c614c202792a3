"""User accounts, their server-side login sessions, and password reset tokens."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import UTCDateTime, utcnow
from core.extensions import db


class UserKind(StrEnum):
    STUDENT = "student"
    FACULTY = "faculty"


KINDS: dict[str, str] = {UserKind.STUDENT: "Student", UserKind.FACULTY: "Faculty / staff"}

# Deferred User attributes that features to the right add (chapters: advises_a_chapter)
# and that the signed-in user's once-per-request load fetches in the same statement.
SIGNED_IN_GROUP = "signed_in"

# A valid hash of a random password, checked when the email is unknown so that
# a failed login takes as long whether or not the account exists.
_DUMMY_HASH = generate_password_hash("relay-timing-equaliser-not-a-password")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    profession: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(10), default=UserKind.STUDENT)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_national_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moves on every change (a lead's new name must reach the calendar feeds' validators).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Bumped to invalidate the person's secret calendar feed URL.
    calendar_generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    sessions: Mapped[list["UserSession"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The raw key of the login session this object was loaded for (not a column).
    session_key = None

    if TYPE_CHECKING:
        # Added by chapters.models (group SIGNED_IN_GROUP): advises an active chapter.
        advises_a_chapter: bool

    def __init__(self, **kwargs):
        password = kwargs.pop("password", None)
        if "email" in kwargs:
            kwargs["email"] = normalize_email(kwargs["email"])
        super().__init__(**kwargs)
        if password is not None:
            self.set_password(password)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def is_staff(self) -> bool:
        """National staff or admin: reads the whole network."""
        return self.is_national_staff or self.is_admin

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the signed cookie: it names a server-side
        # session row, so ending the row ends the cookie.
        return self.session_key

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def dummy_password_check(password: str) -> bool:
    """As slow as a real check, and always False."""
    check_password_hash(_DUMMY_HASH, password)
    return False


class UserSession(db.Model):
    """One signed-in browser. Revoking the row logs that browser out, whatever cookie it holds."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(back_populates="sessions")


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
