"""Milestone sign-off records: submissions (and addenda) with their evidence, and decisions.

A submission is what a leader sends an advisor: a milestone with its summary and the
outcomes that evidence it, or an addendum (a correction to approved, locked work). Both
wait in the advisor's queue and take the same decisions, so they share one table,
told apart by `kind`; the milestone page's timeline reads them with the decisions.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from campaigns.models import Milestone
from campaigns.outcome_models import Outcome, StoredFileColumns
from core.db import UTCDateTime, utcnow
from core.extensions import db


class SubmissionKind(StrEnum):
    MILESTONE = "milestone"
    ADDENDUM = "addendum"


class SubmissionStatus(StrEnum):
    SUBMITTED = "submitted"  # waiting for an advisor
    APPROVED = "approved"  # stands: the milestone (or addendum) is signed off
    RETURNED = "returned"  # with the advisor's comment
    WITHDRAWN = "withdrawn"  # the leader edited the milestone while it waited
    REOPENED = "reopened"  # was approved; an advisor reopened the milestone


class DecisionKind(StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"
    REOPENED = "reopened"


# The outcomes a milestone submission offers as its evidence.
submission_outcomes = Table(
    "submission_outcomes",
    db.metadata,
    Column("submission_id", ForeignKey("milestone_submissions.id"), primary_key=True),
    Column("outcome_id", ForeignKey("outcomes.id"), primary_key=True, index=True),
)


class MilestoneSubmission(db.Model):
    __tablename__ = "milestone_submissions"
    # The advisor's queue: waiting submissions, oldest first.
    __table_args__ = (Index("ix_milestone_submissions_status_at", "status", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=SubmissionKind.MILESTONE)
    text: Mapped[str] = mapped_column(Text)  # the summary, or the addendum's correction
    status: Mapped[str] = mapped_column(String(10), default=SubmissionStatus.SUBMITTED)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two advisors deciding at once: the second write finds the version moved.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    milestone: Mapped[Milestone] = relationship()
    submitted_by: Mapped[User] = relationship()
    outcomes: Mapped[list[Outcome]] = relationship(
        secondary=submission_outcomes, order_by=Outcome.id
    )
    decisions: Mapped[list["MilestoneDecision"]] = relationship(
        back_populates="submission", order_by="MilestoneDecision.decided_at"
    )
    # An addendum's files (a milestone submission's evidence is its outcomes' files).
    files: Mapped[list["AddendumFile"]] = relationship(
        back_populates="submission", order_by="AddendumFile.id"
    )

    @property
    def is_addendum(self) -> bool:
        return self.kind == SubmissionKind.ADDENDUM


class AddendumFile(StoredFileColumns, db.Model):
    """A PDF, PNG or JPEG sent with an addendum, under the evidence files' rules (see
    campaigns.evidence_rules and EvidenceFile): kept in the database, bytes deferred and
    streamed back in slices, a server-made name. An addendum is a record sent for sign-off,
    so its files are never changed or removed once it is submitted."""

    __tablename__ = "addendum_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("milestone_submissions.id"), index=True)

    submission: Mapped[MilestoneSubmission] = relationship(back_populates="files")


class MilestoneDecision(db.Model):
    """An advisor's approval, return (with a comment) or reopening (with a reason)."""

    __tablename__ = "milestone_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("milestone_submissions.id"), index=True)
    advisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    # Indexed: the national comparison counts the decisions made within a period.
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    submission: Mapped[MilestoneSubmission] = relationship(back_populates="decisions")
    advisor: Mapped[User] = relationship()
