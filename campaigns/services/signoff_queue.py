"""What waits for sign-off: the advisor's queue across their chapters, and a chapter's
milestones by state for its leaders."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from accounts.models import User
from campaigns.models import Campaign, Milestone
from campaigns.signoff_models import (
    DecisionKind,
    MilestoneDecision,
    MilestoneSubmission,
    SubmissionStatus,
)
from campaigns.signoff_rules import MilestoneStatus, Waiting, waiting
from chapters.models import Chapter, Membership, MembershipStatus, Role
from core.db import utcnow
from core.extensions import db

QUEUE_PER_PAGE = 25
MILESTONES_PER_PAGE = 25


def _advised(user: User):
    return select(Membership.chapter_id).where(
        Membership.user_id == user.id,
        Membership.role == Role.ADVISOR,
        Membership.status == MembershipStatus.ACTIVE,
    )


def advises_a_chapter(user: User) -> bool:
    return bool(db.session.scalar(select(exists(_advised(user)))))


@dataclass(frozen=True)
class QueueItem:
    submission: MilestoneSubmission
    waited: Waiting

    @property
    def chapter(self) -> Chapter:
        return self.submission.milestone.campaign.chapter


def advisor_queue(user: User, page: int, now: datetime | None = None) -> tuple[Pagination, list]:
    """One page of everything waiting for this advisor's decision, oldest first."""
    query = (
        select(MilestoneSubmission)
        .join(MilestoneSubmission.milestone)
        .join(Milestone.campaign)
        .join(Campaign.chapter)
        .where(
            Campaign.chapter_id.in_(_advised(user)),
            MilestoneSubmission.status == SubmissionStatus.SUBMITTED,
        )
        .options(
            contains_eager(MilestoneSubmission.milestone)
            .contains_eager(Milestone.campaign)
            .contains_eager(Campaign.chapter),
            joinedload(MilestoneSubmission.submitted_by),
            selectinload(MilestoneSubmission.files),  # an addendum's files, for deciding
        )
        .order_by(MilestoneSubmission.submitted_at, MilestoneSubmission.id)
    )
    result = db.paginate(query, page=page, per_page=QUEUE_PER_PAGE, error_out=False)
    now = now or utcnow()
    days = current_app.config["SIGNOFF_OVERDUE_DAYS"]
    items = [
        QueueItem(s, waiting(s.submitted_at, now, s.milestone.campaign.chapter.timezone, days))
        for s in result.items
    ]
    return result, items


MILESTONE_STATES: dict[str, str] = {
    MilestoneStatus.OPEN: "Open",
    MilestoneStatus.SUBMITTED: "Waiting for sign-off",
    MilestoneStatus.RETURNED: "Returned",
    MilestoneStatus.APPROVED: "Approved",
}


def chapter_milestones(chapter: Chapter, state: str, page: int) -> Pagination:
    """One page of the chapter's milestones in one state, by due date, with their campaign."""
    state = state if state in MILESTONE_STATES else MilestoneStatus.OPEN
    query = (
        select(Milestone)
        .join(Milestone.campaign)
        .where(Campaign.chapter_id == chapter.id, Milestone.status == state)
        .options(contains_eager(Milestone.campaign))
        .order_by(Milestone.due_date, Milestone.id)
    )
    return db.paginate(query, page=page, per_page=MILESTONES_PER_PAGE, error_out=False)


def milestone_state_counts(chapter: Chapter) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(Milestone.status, func.count(Milestone.id))
            .join(Milestone.campaign)
            .where(Campaign.chapter_id == chapter.id)
            .group_by(Milestone.status)
        ).all()
    )


def return_comments(milestone_ids: list[int]) -> dict[int, MilestoneDecision]:
    """The latest return (comment, advisor, when) of each of these milestones, in one query."""
    if not milestone_ids:
        return {}
    latest = (
        select(func.max(MilestoneDecision.id))
        .where(
            MilestoneDecision.milestone_id.in_(milestone_ids),
            MilestoneDecision.decision == DecisionKind.RETURNED,
        )
        .group_by(MilestoneDecision.milestone_id)
    )
    rows = db.session.scalars(
        select(MilestoneDecision)
        .where(MilestoneDecision.id.in_(latest))
        .options(joinedload(MilestoneDecision.advisor))
    )
    return {d.milestone_id: d for d in rows}
