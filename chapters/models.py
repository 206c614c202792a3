"""Chapter, Membership, Invitation and the versioned Vision with its goals and responses."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    exists,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from accounts.models import SIGNED_IN_GROUP, User, UserKind
from core.db import UTCDateTime, utcnow
from core.extensions import db


class ChapterStatus(StrEnum):
    DEVELOPING = "developing"
    ACTIVE = "active"
    AFFILIATE = "affiliate"
    ARCHIVED = "archived"


class Role(StrEnum):
    MEMBER = "member"
    LEADER = "leader"
    ADVISOR = "advisor"


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"


class InvitationState(StrEnum):
    """Not stored: derived from an invitation's timestamps by `Invitation.state`."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


class VisionStatus(StrEnum):
    PROPOSED = "proposed"
    ADOPTED = "adopted"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class Stance(StrEnum):
    ENDORSE = "endorse"
    OBJECT = "object"
    COMMENT = "comment"


# Labels keyed by the enum members; typed by str, so a column's value looks its label up.
CHAPTER_STATUSES: dict[str, str] = {
    ChapterStatus.DEVELOPING: "Developing",
    ChapterStatus.ACTIVE: "Active",
    ChapterStatus.AFFILIATE: "Affiliate",
    ChapterStatus.ARCHIVED: "Archived",
}
ROLES: dict[str, str] = {
    Role.MEMBER: "Member",
    Role.LEADER: "Student leader",
    Role.ADVISOR: "Faculty advisor",
}
# Who takes part in the chapter's work (actions, leads, the vision); advisors oversee it.
PARTICIPANT_ROLES = (Role.MEMBER, Role.LEADER)


class Chapter(db.Model):
    __tablename__ = "chapters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    institution: Mapped[str] = mapped_column(String(160))
    region: Mapped[str] = mapped_column(String(80), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    status: Mapped[str] = mapped_column(String(12), default=ChapterStatus.DEVELOPING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped to invalidate the chapter's secret calendar feed URL.
    calendar_generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    memberships: Mapped[list["Membership"]] = relationship(back_populates="chapter")

    @property
    def status_label(self) -> str:
        return CHAPTER_STATUSES.get(self.status, self.status)

    def __repr__(self) -> str:
        return f"<Chapter {self.slug}>"


class Membership(db.Model):
    """A person's role in one chapter. Leaving keeps the row (status `left`) and its history."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("chapter_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default=Role.MEMBER)
    status: Mapped[str] = mapped_column(String(10), default=MembershipStatus.ACTIVE)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    chapter: Mapped[Chapter] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    # The two rules below are written once each, as hybrids: the Python form answers for
    # a loaded row, the SQL form filters a query (tests/test_vision.py checks they agree).

    @hybrid_property
    def is_participant(self) -> bool:
        """An active member or leader (not an advisor): who takes part in actions and leads."""
        return self.status == MembershipStatus.ACTIVE and self.role in PARTICIPANT_ROLES

    @is_participant.inplace.expression
    @classmethod
    def _is_participant_sql(cls) -> ColumnElement[bool]:
        return and_(cls.status == MembershipStatus.ACTIVE, cls.role.in_(PARTICIPANT_ROLES))

    @hybrid_property
    def counts_for_vision(self) -> bool:
        """An active student participant: endorses or objects. Faculty and advisors comment."""
        return self.is_participant and self.user.kind == UserKind.STUDENT

    @counts_for_vision.inplace.expression
    @classmethod
    def _counts_for_vision_sql(cls) -> ColumnElement[bool]:
        return and_(cls.is_participant, cls.user.has(User.kind == UserKind.STUDENT))


# Whether the person advises a chapter (the navigation's Sign-offs link): an EXISTS in the
# signed-in user's once-per-request load (accounts.services), nowhere else (deferred).
setattr(  # noqa: B010  (declarative maps an attribute set on the class after the fact)
    User,
    "advises_a_chapter",
    column_property(
        exists().where(
            Membership.user_id == User.id,
            Membership.role == Role.ADVISOR,
            Membership.status == MembershipStatus.ACTIVE,
        ),
        deferred=True,
        group=SIGNED_IN_GROUP,
    ),
)


class Invitation(db.Model):
    """A single-use, expiring invitation to join a chapter with a role; only its hash is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(10))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    chapter: Mapped[Chapter] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def state(self, now: datetime) -> InvitationState:
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= now:
            return InvitationState.EXPIRED
        return InvitationState.PENDING


VISION_STATUSES: dict[str, str] = {
    VisionStatus.PROPOSED: "Proposed",
    VisionStatus.ADOPTED: "Adopted",
    VisionStatus.SUPERSEDED: "Superseded",
    VisionStatus.WITHDRAWN: "Withdrawn",
}


class VisionVersion(db.Model):
    """One proposed text of the chapter's common vision, with 1-5 goals."""

    __tablename__ = "vision_versions"
    __table_args__ = (UniqueConstraint("chapter_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=VisionStatus.PROPOSED)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    chapter: Mapped[Chapter] = relationship()
    proposed_by: Mapped[User] = relationship()
    goals: Mapped[list["VisionGoal"]] = relationship(
        order_by="VisionGoal.position", cascade="all, delete-orphan", back_populates="vision"
    )
    responses: Mapped[list["VisionResponse"]] = relationship(
        order_by="VisionResponse.updated_at",
        cascade="all, delete-orphan",
        back_populates="vision",
    )

    @property
    def status_label(self) -> str:
        return VISION_STATUSES.get(self.status, self.status)

    @property
    def objections(self) -> list["VisionResponse"]:
        """Objections that still stand; once adopted, those the adoption left unanswered."""
        return [r for r in self.responses if r.stance == Stance.OBJECT]


class VisionGoal(db.Model):
    __tablename__ = "vision_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    vision_id: Mapped[int] = mapped_column(ForeignKey("vision_versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300))

    vision: Mapped[VisionVersion] = relationship(back_populates="goals")


STANCES: dict[str, str] = {
    Stance.ENDORSE: "Endorses",
    Stance.OBJECT: "Objects",
    Stance.COMMENT: "Comments",
}


class VisionResponse(db.Model):
    """A person's stance on a proposed version; one per person, changeable while proposed."""

    __tablename__ = "vision_responses"
    __table_args__ = (UniqueConstraint("vision_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vision_id: Mapped[int] = mapped_column(ForeignKey("vision_versions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stance: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vision: Mapped[VisionVersion] = relationship(back_populates="responses")
    user: Mapped[User] = relationship()

    @property
    def stance_label(self) -> str:
        return STANCES.get(self.stance, self.stance)
