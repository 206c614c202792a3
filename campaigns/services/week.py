"""The campaigns' part of the signed-in home ("my week"): my next actions, swaps asked of me,
actions I lead that have ended but are still planned, and for leaders the actions without a lead.

Each list is one statement with a LIMIT and each count one GROUP BY, whatever the data size;
chapters.panels.add_week_panel places them on the page (see campaigns/__init__.py).
"""

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from accounts.models import User
from campaigns.models import (
    Action,
    ActionSignup,
    ActionStatus,
    Campaign,
    CampaignStatus,
    RotationPoolMember,
    SwapRequest,
    SwapStatus,
)
from campaigns.permissions import can_manage_campaigns, can_take_part
from chapters.models import Chapter, Membership, Role
from core.db import utcnow
from core.extensions import db

NEXT_SHOWN = 10
NEEDS_SHOWN = 10
GAPS_SHOWN = 10


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


def my_ended_actions(user_id: int, chapter_ids: list[int]) -> list[Action]:
    """Actions I lead whose end has passed and that are still planned: mark them done or
    cancelled (once outcomes exist, logging one will be the next step)."""
    if not chapter_ids:
        return []
    return list(
        db.session.scalars(
            _with_campaign_and_chapter(select(Action))
            .where(
                Campaign.chapter_id.in_(chapter_ids),
                Action.lead_id == user_id,
                Action.status == ActionStatus.PLANNED,
                Action.ends_at < utcnow(),
            )
            .order_by(Action.ends_at.desc(), Action.id)
            .limit(NEEDS_SHOWN)
        )
    )


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
    swaps = swaps_asked_of(user.id, taking_part)
    ended = my_ended_actions(user.id, [c.id for c in chapters])
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
        "ended": ended,
        "unled": unled,
        "unled_counts": unled_counts,
        "leading": set(leading),
        "campaigns": campaign_counts([c.id for c in chapters]),
        "needs": len(swaps) + len(ended),
        "gaps": sum(unled_counts.values()),
    }
