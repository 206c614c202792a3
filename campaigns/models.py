"""Campaigns and their plan: milestones, actions with a rotating lead, and playbooks."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from campaigns.signoff_rules import MilestoneStatus  # one definition, with its rules
from chapters.models import Chapter, VisionGoal
from core.db import UTCDateTime, utcnow
from core.extensions import db


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    COMPLETED = "completed"
    ARCHIVED = "archived"


class ActionKind(StrEnum):
    MEETING = "meeting"
    TESTIMONY = "testimony"
    OP_ED = "op_ed"
    PETITION = "petition"
    COMMUNITY_EVENT = "community_event"
    HEALTH_FAIR = "health_fair"
    COALITION = "coalition"
    SOCIAL_MEDIA = "social_media"
    TRAINING = "training"
    OTHER = "other"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class LeadMethod(StrEnum):
    SUGGESTED = "suggested"
    OVERRIDE = "override"
    HANDOFF = "handoff"
    SWAP = "swap"


class SwapStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"


CAMPAIGN_STATUSES: dict[str, str] = {
    CampaignStatus.DRAFT: "Draft",
    CampaignStatus.ACTIVE: "Active",
    CampaignStatus.COMPLETED: "Completed",
    CampaignStatus.ARCHIVED: "Archived",
}
# Which status a campaign may move to from each status.
CAMPAIGN_TRANSITIONS: dict[str, tuple[CampaignStatus, ...]] = {
    CampaignStatus.DRAFT: (CampaignStatus.ACTIVE, CampaignStatus.ARCHIVED),
    CampaignStatus.ACTIVE: (CampaignStatus.COMPLETED, CampaignStatus.ARCHIVED),
    CampaignStatus.COMPLETED: (CampaignStatus.ACTIVE, CampaignStatus.ARCHIVED),
    CampaignStatus.ARCHIVED: (),
}
ACTION_KINDS: dict[str, str] = {
    ActionKind.MEETING: "Meeting with decision-maker",
    ActionKind.TESTIMONY: "Testimony",
    ActionKind.OP_ED: "Op-ed",
    ActionKind.PETITION: "Petition",
    ActionKind.COMMUNITY_EVENT: "Community event",
    ActionKind.HEALTH_FAIR: "Health fair",
    ActionKind.COALITION: "Coalition meeting",
    ActionKind.SOCIAL_MEDIA: "Social media",
    ActionKind.TRAINING: "Training",
    ActionKind.OTHER: "Other",
}
ACTION_STATUSES: dict[str, str] = {
    ActionStatus.PLANNED: "Planned",
    ActionStatus.DONE: "Done",
    ActionStatus.CANCELLED: "Cancelled",
}
MILESTONE_STATUSES: dict[str, str] = {
    MilestoneStatus.OPEN: "Open",
    MilestoneStatus.SUBMITTED: "Submitted",
    MilestoneStatus.APPROVED: "Approved",
    MilestoneStatus.RETURNED: "Returned",
}


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    issue: Mapped[str] = mapped_column(Text, default="")
    target_community: Mapped[str] = mapped_column(String(200), default="")
    decision_maker: Mapped[str] = mapped_column(String(200), default="")
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("vision_goals.id"))
    objective: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=CampaignStatus.DRAFT)
    playbook_slug: Mapped[str | None] = mapped_column(String(80))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic locking: two leaders saving the same campaign cannot both win silently.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    chapter: Mapped[Chapter] = relationship()
    goal: Mapped[VisionGoal | None] = relationship()
    actions: Mapped[list["Action"]] = relationship(
        back_populates="campaign", order_by="Action.starts_at"
    )
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="campaign", order_by="Milestone.due_date"
    )

    @property
    def status_label(self) -> str:
        return CAMPAIGN_STATUSES.get(self.status, self.status)


class Milestone(db.Model):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    criteria: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=MilestoneStatus.OPEN)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Moves on every change: the calendar feeds' validator and the events' DTSTAMP.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign] = relationship(back_populates="milestones")

    @property
    def status_label(self) -> str:
        return MILESTONE_STATUSES.get(self.status, self.status)


class Action(db.Model):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=ActionKind.OTHER)
    title: Mapped[str] = mapped_column(String(160))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=ActionStatus.PLANNED)
    capacity: Mapped[int | None] = mapped_column(Integer)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    handoff_note: Mapped[str | None] = mapped_column(String(1000))
    # Optimistic locking: two leaders assigning the lead at once cannot both win.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moves on every change: the calendar feeds' validator and the event's DTSTAMP.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign] = relationship(back_populates="actions")
    lead: Mapped[User | None] = relationship()
    signups: Mapped[list["ActionSignup"]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionSignup.created_at"
    )

    @property
    def kind_label(self) -> str:
        return ACTION_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return ACTION_STATUSES.get(self.status, self.status)


class ActionSignup(db.Model):
    __tablename__ = "action_signups"
    __table_args__ = (UniqueConstraint("action_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[Action] = relationship(back_populates="signups")
    user: Mapped[User] = relationship()


class LeadAssignment(db.Model):
    """The record of every change of an action's lead, with who decided and why."""

    __tablename__ = "lead_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    previous_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # suggested: the rotation's pick accepted; override: someone else, with a reason;
    # handoff: the lead passed it on with a note; swap: a pool member took it over.
    method: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(1000))
    suggested_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[Action] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    assigned_by: Mapped[User] = relationship(foreign_keys=[assigned_by_id])


class RotationPoolMember(db.Model):
    __tablename__ = "rotation_pool_members"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class SwapRequest(db.Model):
    """A lead asks to give their action to another pool member, who accepts it."""

    __tablename__ = "swap_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id")
    )  # None: anyone in the pool
    note: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(10), default=SwapStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    action: Mapped[Action] = relationship()
    from_user: Mapped[User] = relationship(foreign_keys=[from_user_id])
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_user_id])


class Unavailability(db.Model):
    """Dates a member cannot lead (exams, placements); the rotation skips them."""

    __tablename__ = "unavailabilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(120), default="")


class Playbook(db.Model):
    """A plan published by a chapter from its completed campaign; copies take the plan only."""

    __tablename__ = "playbooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(Text, default="")
    source_chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id"))
    source_campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), unique=True)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_days: Mapped[int] = mapped_column(Integer, default=0)

    source_chapter: Mapped[Chapter] = relationship()
    steps: Mapped[list["PlaybookStep"]] = relationship(
        order_by="PlaybookStep.position", cascade="all, delete-orphan"
    )


class PlaybookStep(db.Model):
    __tablename__ = "playbook_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    playbook_id: Mapped[int] = mapped_column(ForeignKey("playbooks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    is_milestone: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(160))
    detail: Mapped[str] = mapped_column(Text, default="")  # criteria or description
    action_kind: Mapped[str | None] = mapped_column(String(20))
    day_offset: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int | None] = mapped_column(Integer)  # local minutes after midnight
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
