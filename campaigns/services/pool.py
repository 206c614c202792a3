"""The rotation pool, the chapter's lead counts and fairness, and members' unavailable dates."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from accounts.models import User
from campaigns.fairness import gini, profession_shares, share_who_led
from campaigns.models import Action, ActionStatus, Campaign, RotationPoolMember, Unavailability
from campaigns.services.campaigns import require_open_campaign
from chapters.models import Chapter, Membership
from chapters.services import participants
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.extensions import db
from core.timefmt import academic_year_start, local, to_utc

# --- the pool -------------------------------------------------------------------------------


def pool_members(campaign_id: int) -> list[RotationPoolMember]:
    """The pool: people who opted in and are still active members of the chapter."""
    return list(
        db.session.scalars(
            select(RotationPoolMember)
            .join(Campaign, Campaign.id == RotationPoolMember.campaign_id)
            .join(
                Membership,
                and_(
                    Membership.user_id == RotationPoolMember.user_id,
                    Membership.chapter_id == Campaign.chapter_id,
                ),
            )
            .join(User, User.id == RotationPoolMember.user_id)
            .where(RotationPoolMember.campaign_id == campaign_id, Membership.is_participant)
            .options(selectinload(RotationPoolMember.user))
            .order_by(User.display_name)
        )
    )


def chapter_participant(chapter_id: int, user_id: int) -> Membership | None:
    """The person's membership if they take part in the chapter's actions (not an advisor)."""
    return db.session.scalar(
        select(Membership).where(
            Membership.chapter_id == chapter_id,
            Membership.user_id == user_id,
            Membership.is_participant,
        )
    )


def join_pool(campaign: Campaign, user: User, actor: User) -> None:
    require_open_campaign(campaign)
    exists = db.session.scalar(
        select(RotationPoolMember.id).where(
            RotationPoolMember.campaign_id == campaign.id, RotationPoolMember.user_id == user.id
        )
    )
    if exists:
        raise PolicyError(f"{user.display_name} is already in the rotation pool.")
    db.session.add(RotationPoolMember(campaign_id=campaign.id, user_id=user.id))
    db.session.flush()
    record_event(
        "pool.joined",
        actor=actor,
        obj=campaign,
        chapter_id=campaign.chapter_id,
        after={"user_id": user.id},
    )


def leave_pool(campaign: Campaign, user: User, actor: User) -> None:
    row = db.session.scalar(
        select(RotationPoolMember).where(
            RotationPoolMember.campaign_id == campaign.id, RotationPoolMember.user_id == user.id
        )
    )
    if row is None:
        raise PolicyError(f"{user.display_name} is not in the rotation pool.")
    db.session.delete(row)
    db.session.flush()
    record_event(
        "pool.left",
        actor=actor,
        obj=campaign,
        chapter_id=campaign.chapter_id,
        after={"user_id": user.id},
    )


# --- lead counts and fairness ---------------------------------------------------------------


def lead_stats(
    chapter_id: int, year_start: datetime
) -> dict[int, tuple[int, datetime | None, int]]:
    """Per person in the chapter: (leads this academic year, last lead's start, open leads)."""
    counted = Action.status != ActionStatus.CANCELLED
    rows = db.session.execute(
        select(
            Action.lead_id,
            func.count(Action.id).filter(counted, Action.starts_at >= year_start),
            func.max(Action.starts_at).filter(counted),
            func.count(Action.id).filter(Action.status == ActionStatus.PLANNED),
        )
        .join(Campaign, Campaign.id == Action.campaign_id)
        .where(Campaign.chapter_id == chapter_id, Action.lead_id.is_not(None))
        .group_by(Action.lead_id)
    ).all()
    return {lead: (n, last, open_) for lead, n, last, open_ in rows}


def year_start_utc(chapter: Chapter) -> datetime:
    """When the current academic year began, midnight in the chapter's zone."""
    today = local(utcnow(), chapter.timezone).date()
    start = academic_year_start(today, current_app.config["ACADEMIC_YEAR_START_MONTH"])
    return to_utc(start, time(0, 0), chapter.timezone)


@dataclass
class MemberLeads:
    user: User
    leads_this_year: int
    open_leads: int
    history: list[Action]


def chapter_fairness(chapter: Chapter) -> dict:
    roster = participants(chapter.id)
    year_start = year_start_utc(chapter)
    stats = lead_stats(chapter.id, year_start)
    led = list(
        db.session.scalars(
            select(Action)
            .join(Campaign)
            .where(
                Campaign.chapter_id == chapter.id,
                Action.lead_id.is_not(None),
                Action.status != ActionStatus.CANCELLED,
            )
            .options(selectinload(Action.campaign))
            .order_by(Action.starts_at.desc())
        )
    )
    by_lead: dict[int, list[Action]] = {}
    for a in led:
        by_lead.setdefault(a.lead_id, []).append(a)
    members = sorted(
        (
            MemberLeads(
                m.user,
                stats.get(m.user_id, (0, None, 0))[0],
                stats.get(m.user_id, (0, None, 0))[2],
                by_lead.get(m.user_id, []),
            )
            for m in roster
        ),
        key=lambda x: (-x.leads_this_year, x.user.display_name),
    )
    counts = {x.user.id: x.leads_this_year for x in members}
    return {
        "members": members,
        "share_who_led": share_who_led(list(counts.values())),
        "gini": gini(list(counts.values())),
        "professions": profession_shares(counts, {m.user_id: m.user.profession for m in roster}),
        "year_start": year_start,
    }


# --- unavailability -------------------------------------------------------------------------

_UNAVAILABILITY_FIELDS = ("start_date", "end_date", "reason")


def _values(row: Unavailability) -> dict:
    return {f: getattr(row, f) for f in _UNAVAILABILITY_FIELDS}


def unavailable_on(user_ids: list[int], day: date) -> set[int]:
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(Unavailability.user_id).where(
                Unavailability.user_id.in_(user_ids),
                Unavailability.start_date <= day,
                Unavailability.end_date >= day,
            )
        )
    )


def add_unavailability(user: User, start: date, end: date, reason: str) -> Unavailability:
    if end < start:
        raise PolicyError("The last unavailable day cannot be before the first.")
    if (end - start).days > 366:
        raise PolicyError("Mark at most a year at a time.")
    row = Unavailability(user_id=user.id, start_date=start, end_date=end, reason=reason.strip())
    db.session.add(row)
    db.session.flush()
    record_event("unavailability.added", actor=user, obj=row, after=_values(row))
    return row


def delete_unavailability(row: Unavailability, actor: User) -> None:
    record_event("unavailability.removed", actor=actor, obj=row, before=_values(row))
    db.session.delete(row)
    db.session.flush()


def own_unavailability(row_id: int, user: User) -> Unavailability | None:
    """One of the person's unavailable periods; None for anyone else's."""
    row = db.session.get(Unavailability, row_id)
    return row if row is not None and row.user_id == user.id else None


def upcoming_unavailability(user: User) -> list[Unavailability]:
    """The person's unavailable periods that have not ended yet (a day's grace for time zones)."""
    return list(
        db.session.scalars(
            select(Unavailability)
            .where(
                Unavailability.user_id == user.id,
                Unavailability.end_date >= utcnow().date() - timedelta(days=1),
            )
            .order_by(Unavailability.start_date)
        )
    )
