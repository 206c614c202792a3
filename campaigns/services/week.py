"""The campaigns' part of the signed-in home ("my week"): my next actions, swaps asked of me,
actions I lead with no outcome logged yet, sign-offs waiting for my decision (advisors),
milestones returned to my chapter (leaders), and for leaders the actions without a lead.

Each list is one statement with a LIMIT (its total counted in the same statement by a
window function) and each count one GROUP BY, whatever the data size;
chapters.panels.add_week_panel places them on the page (see campaigns/__init__.py).
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from accounts.models import User
from campaigns.models import (
    Action,
    ActionSignup,
    ActionStatus,
    Campaign,
    CampaignStatus,
    Milestone,
    RotationPoolMember,
    SwapRequest,
    SwapStatus,
)
from campaigns.outcome_models import Outcome
from campaigns.permissions import can_manage_campaigns, can_sign_off, can_take_part
from campaigns.services.signoff_queue import QueueItem  # what waits, as the queue shows it
from campaigns.signoff_models import (
    DecisionKind,
    MilestoneDecision,
    MilestoneSubmission,
    SubmissionStatus,
)
from campaigns.signoff_rules import MilestoneStatus, waiting
from chapters.models import Chapter, Membership, Role
from core.db import utcnow
from core.extensions import db

NEXT_SHOWN = 10
NEEDS_SHOWN = 10
GAPS_SHOWN = 10
# The advisor's oldest waiting sign-offs shown on the home; the queue has them all.
SIGNOFFS_SHOWN = 3
TO_CLOSE_PER_PAGE = 25

T = TypeVar("T")


@dataclass(frozen=True)
class Shown(Generic[T]):
    """The first few rows of a list and how many it has in all."""

    items: list[T]
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _first_and_total(statement) -> tuple[list, int]:
    """Run a LIMITed statement whose last column is `count(*) OVER ()`: the rows' first
    columns and the total before the LIMIT, in one round trip."""
    rows = db.session.execute(statement).unique().all()
    if not rows:
        return [], 0
    return [row[0] if len(row) == 2 else tuple(row[:-1]) for row in rows], rows[0][-1]


@dataclass(frozen=True)
class CampaignCounts:
    active: int = 0
    draft: int = 0


def _with_campaign_and_chapter(query):
    """Action rows joined to their campaign and chapter (for links and the chapter's zone),
    leaving archived campaigns out: they are a read-only record."""
    return (
        query.join(Action.campaign)
        .join(Campaign.chapter)
        .options(contains_eager(Action.campaign).contains_eager(Campaign.chapter))
        .where(Campaign.status != CampaignStatus.ARCHIVED)
    )


def my_next_actions(user_id: int, chapter_ids: list[int]) -> list[Action]:
    """Planned actions not yet over that I lead or signed up for, soonest first."""
    if not chapter_ids:
        return []
    signed_up = exists().where(ActionSignup.action_id == Action.id, ActionSignup.user_id == user_id)
    return list(
        db.session.scalars(
            _with_campaign_and_chapter(select(Action))
            .where(
                Campaign.chapter_id.in_(chapter_ids),
                Action.status == ActionStatus.PLANNED,
                Action.ends_at >= utcnow(),
                or_(Action.lead_id == user_id, signed_up),
            )
            .order_by(Action.starts_at, Action.id)
            .limit(NEXT_SHOWN)
        )
    )


def swaps_asked_of(user_id: int, chapter_ids: list[int]) -> list[SwapRequest]:
    """Open swaps I could accept: asked of me, or of the pool of a campaign I am in."""
    if not chapter_ids:
        return []
    in_pool = exists().where(
        RotationPoolMember.campaign_id == Action.campaign_id,
        RotationPoolMember.user_id == user_id,
    )
    return list(
        db.session.scalars(
            select(SwapRequest)
            .join(SwapRequest.action)
            .join(Action.campaign)
            .join(Campaign.chapter)
            .options(
                contains_eager(SwapRequest.action)
                .contains_eager(Action.campaign)
                .contains_eager(Campaign.chapter),
                joinedload(SwapRequest.from_user),
            )
            .where(
                Campaign.chapter_id.in_(chapter_ids),
                Campaign.status != CampaignStatus.ARCHIVED,
                SwapRequest.status == SwapStatus.OPEN,
                SwapRequest.from_user_id != user_id,
                Action.status == ActionStatus.PLANNED,
                Action.starts_at >= utcnow(),
                or_(
                    SwapRequest.to_user_id == user_id,
                    and_(SwapRequest.to_user_id.is_(None), in_pool),
                ),
            )
            .order_by(Action.starts_at, SwapRequest.id)
            .limit(NEEDS_SHOWN)
        )
    )


def _to_close(query, user_id: int, chapter_ids: list[int]):
    """Actions I lead that are over (done, or ended and still planned) and have no outcome
    logged yet, in campaigns that are not archived."""
    return query.where(
        Campaign.chapter_id.in_(chapter_ids),
        Action.lead_id == user_id,
        or_(
            Action.status == ActionStatus.DONE,
            and_(Action.status == ActionStatus.PLANNED, Action.ends_at < utcnow()),
        ),
        ~exists().where(Outcome.action_id == Action.id),
    )


def actions_to_close(user_id: int, chapter_ids: list[int]) -> Shown[Action]:
    """The most recently ended of the actions I lead with no outcome logged yet, and how many
    there are in all (the rest are on /me/actions-to-close)."""
    if not chapter_ids:
        return Shown([])
    items, total = _first_and_total(
        _to_close(
            _with_campaign_and_chapter(select(Action, func.count().over())), user_id, chapter_ids
        )
        .order_by(Action.ends_at.desc(), Action.id)
        .limit(NEEDS_SHOWN)
    )
    return Shown(items, total)


def actions_to_close_page(user_id: int, chapter_ids: list[int], page: int) -> Pagination:
    """One page of every action I lead with no outcome logged yet, most recently ended first."""
    query = _to_close(_with_campaign_and_chapter(select(Action)), user_id, chapter_ids)
    return db.paginate(
        query.order_by(Action.ends_at.desc(), Action.id),
        page=page,
        per_page=TO_CLOSE_PER_PAGE,
        error_out=False,
    )


def signoffs_waiting_for(advised_ids: list[int]) -> Shown[QueueItem]:
    """The oldest submissions (and addenda) waiting for a decision in the chapters I advise,
    and how many wait in all: what the advisor's queue lists first."""
    if not advised_ids:
        return Shown([])
    submissions, total = _first_and_total(
        select(MilestoneSubmission, func.count().over())
        .join(MilestoneSubmission.milestone)
        .join(Milestone.campaign)
        .join(Campaign.chapter)
        .where(
            Campaign.chapter_id.in_(advised_ids),
            MilestoneSubmission.status == SubmissionStatus.SUBMITTED,
        )
        .options(
            contains_eager(MilestoneSubmission.milestone)
            .contains_eager(Milestone.campaign)
            .contains_eager(Campaign.chapter),
            joinedload(MilestoneSubmission.submitted_by),
        )
        .order_by(MilestoneSubmission.submitted_at, MilestoneSubmission.id)
        .limit(SIGNOFFS_SHOWN)
    )
    now, days = utcnow(), current_app.config["SIGNOFF_OVERDUE_DAYS"]
    return Shown(
        [
            QueueItem(s, waiting(s.submitted_at, now, s.milestone.campaign.chapter.timezone, days))
            for s in submissions
        ],
        total,
    )


def milestones_returned(leading_ids: list[int]) -> Shown[tuple[Milestone, MilestoneDecision]]:
    """Milestones of my chapters that an advisor returned, each with its latest return (the
    comment, who, when), longest waiting first."""
    if not leading_ids:
        return Shown([])
    latest_return = (
        select(func.max(MilestoneDecision.id))
        .where(
            MilestoneDecision.milestone_id == Milestone.id,
            MilestoneDecision.decision == DecisionKind.RETURNED,
        )
        .correlate(Milestone)
        .scalar_subquery()
    )
    rows, total = _first_and_total(
        select(Milestone, MilestoneDecision, func.count().over())
        .join(Milestone.campaign)
        .join(Campaign.chapter)
        .join(MilestoneDecision, MilestoneDecision.id == latest_return)
        .where(
            Campaign.chapter_id.in_(leading_ids),
            Campaign.status != CampaignStatus.ARCHIVED,
            Milestone.status == MilestoneStatus.RETURNED,
        )
        .options(
            contains_eager(Milestone.campaign).contains_eager(Campaign.chapter),
            joinedload(MilestoneDecision.advisor),
        )
        .order_by(MilestoneDecision.decided_at, Milestone.id)
        .limit(NEEDS_SHOWN)
    )
    return Shown(rows, total)


def _unled(query, chapter_ids: list[int]):
    return query.where(
        Campaign.chapter_id.in_(chapter_ids),
        Campaign.status != CampaignStatus.ARCHIVED,
        Action.status == ActionStatus.PLANNED,
        Action.lead_id.is_(None),
        Action.starts_at >= utcnow(),
    )


def unled_actions(chapter_ids: list[int]) -> tuple[list[Action], dict[int, int]]:
    """The soonest upcoming actions without a lead in these chapters, and how many each
    chapter has in all."""
    if not chapter_ids:
        return [], {}
    soonest = db.session.scalars(
        _unled(_with_campaign_and_chapter(select(Action)), chapter_ids)
        .order_by(Action.starts_at, Action.id)
        .limit(GAPS_SHOWN)
    ).all()
    counts = dict(
        db.session.execute(
            _unled(
                select(Campaign.chapter_id, func.count(Action.id)).join(Action.campaign),
                chapter_ids,
            ).group_by(Campaign.chapter_id)
        ).all()
    )
    return list(soonest), counts


def campaign_counts(chapter_ids: list[int]) -> dict[int, CampaignCounts]:
    """Active and draft campaigns per chapter, in one GROUP BY."""
    if not chapter_ids:
        return {}
    rows = db.session.execute(
        select(Campaign.chapter_id, Campaign.status, func.count(Campaign.id))
        .where(
            Campaign.chapter_id.in_(chapter_ids),
            Campaign.status.in_((CampaignStatus.ACTIVE, CampaignStatus.DRAFT)),
        )
        .group_by(Campaign.chapter_id, Campaign.status)
    ).all()
    found: dict[int, dict[str, int]] = {}
    for chapter_id, status, n in rows:
        found.setdefault(chapter_id, {})[status] = n
    return {cid: CampaignCounts(**found.get(cid, {})) for cid in chapter_ids}


def my_week(user: User, memberships: list[Membership]) -> dict:
    """What the home page's campaign parts show this person (see chapters.panels)."""
    chapters: list[Chapter] = [m.chapter for m in memberships]
    taking_part = [m.chapter_id for m in memberships if can_take_part(user, m, m.chapter)]
    leading = [m.chapter_id for m in memberships if can_manage_campaigns(user, m, m.chapter)]
    advising = [m.chapter_id for m in memberships if can_sign_off(user, m, m.chapter)]
    swaps = swaps_asked_of(user.id, taking_part)
    to_close = actions_to_close(user.id, [c.id for c in chapters])
    signoffs = signoffs_waiting_for(advising)
    returned = milestones_returned(leading)
    unled, unled_counts = unled_actions(leading)
    return {
        "next_actions": my_next_actions(user.id, taking_part),
        "can_take_part": bool(taking_part),
        "advising_only": all(m.role == Role.ADVISOR for m in memberships),
        # Where "see what is coming" points: a chapter I take part in, else my first.
        "first_chapter": next(
            (m.chapter for m in memberships if m.chapter_id in taking_part),
            chapters[0] if chapters else None,
        ),
        "swaps": swaps,
        "to_close": to_close,
        "signoffs": signoffs,
        "advising": bool(advising),
        "returned": returned,
        "unled": unled,
        "unled_counts": unled_counts,
        "leading": set(leading),
        "campaigns": campaign_counts([c.id for c in chapters]),
        "needs": len(swaps) + to_close.total + signoffs.total + returned.total,
        "gaps": sum(unled_counts.values()),
    }
