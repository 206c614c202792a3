"""The rotation pool, the chapter's lead counts and fairness, and members' unavailable dates."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.fairness import gini, gini_in_words, profession_shares, share_who_led
from campaigns.models import Action, ActionStatus, Campaign, RotationPoolMember, Unavailability
from campaigns.services.campaigns import require_open_campaign
from chapters.models import Chapter, Membership
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.extensions import db
from core.timefmt import academic_year_start, local, to_utc

# --- the pool -------------------------------------------------------------------------------


def _in_pool(query, campaign_id: int):
    """Restrict a query on RotationPoolMember to the pool: people who opted in and are still
    active participants of the chapter."""
    return (
        query.select_from(RotationPoolMember)
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
    )


def pool_members(campaign_id: int) -> list[RotationPoolMember]:
    """The pool: people who opted in and are still active members of the chapter."""
    return list(
        db.session.scalars(
            _in_pool(select(RotationPoolMember), campaign_id)
            .options(joinedload(RotationPoolMember.user))
            .order_by(User.display_name)
        )
    )


class PoolPerson(NamedTuple):
    user_id: int
    display_name: str
    profession: str


def pool_people(campaign_id: int) -> list[PoolPerson]:
    """The pool as plain rows (id, name, profession) by name: what pickers and the rotation
    need, without loading a membership and a user object per person."""
    rows = db.session.execute(
        _in_pool(select(User.id, User.display_name, User.profession), campaign_id).order_by(
            User.display_name, User.id
        )
    )
    return [PoolPerson(*row) for row in rows]


POOL_NAMES_SHOWN = 20


@dataclass(frozen=True)
class PoolSummary:
    size: int
    names: list[str]  # the first POOL_NAMES_SHOWN, by name
    has_viewer: bool


def pool_summary(campaign_id: int, viewer_id: int | None) -> PoolSummary:
    """The pool's size, whether the viewer is in it and the first few names, for a page
    that mentions the pool without listing it."""
    size, has_viewer = db.session.execute(
        _in_pool(
            select(
                func.count(RotationPoolMember.id),
                func.count(RotationPoolMember.id).filter(RotationPoolMember.user_id == viewer_id),
            ),
            campaign_id,
        )
    ).one()
    names = db.session.scalars(
        _in_pool(select(User.display_name), campaign_id)
        .order_by(User.display_name)
        .limit(POOL_NAMES_SHOWN)
    ).all()
    return PoolSummary(size, list(names), bool(has_viewer))


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
    require_open_campaign(campaign)
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


# --- filling the pool in one go -------------------------------------------------------------

POOL_EVERYONE, POOL_EMPTY = "everyone", "empty"
POOL_COPY_PREFIX = "campaign-"  # "campaign-12": the same people as campaign 12's pool


def pool_start_choices(chapter: Chapter) -> dict[str, str]:
    """What a new campaign's pool can start with: every active student member (the default),
    the pool of another campaign of the chapter, or nobody."""
    students = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.chapter_id == chapter.id, Membership.counts_for_vision
        )
    )
    others = db.session.execute(
        select(Campaign.id, Campaign.title)
        .where(Campaign.chapter_id == chapter.id)
        .order_by(Campaign.start_date.desc(), Campaign.id.desc())
    )
    return {
        POOL_EVERYONE: f"Every active student member ({students})",
        **{f"{POOL_COPY_PREFIX}{cid}": f"The same people as “{title}”" for cid, title in others},
        POOL_EMPTY: "Nobody yet: members join themselves, or you add them",
    }


def start_pool(campaign: Campaign, start: str, actor: User) -> int:
    """Fill a new campaign's pool as its form asked; the number of people added."""
    if start == POOL_EMPTY:
        return 0
    if start == POOL_EVERYONE:
        query = select(Membership.user_id).where(
            Membership.chapter_id == campaign.chapter_id, Membership.counts_for_vision
        )
    elif start.startswith(POOL_COPY_PREFIX) and start[len(POOL_COPY_PREFIX) :].isdigit():
        source = db.session.get(Campaign, int(start[len(POOL_COPY_PREFIX) :]))
        if source is None or source.chapter_id != campaign.chapter_id:
            raise PolicyError("Copy the pool of a campaign of this chapter.")
        query = _in_pool(select(RotationPoolMember.user_id), source.id)
    else:
        raise PolicyError("Choose who the rotation pool starts with.")
    return _add(campaign, list(db.session.scalars(query)), actor, start)


def add_many_to_pool(campaign: Campaign, user_ids: list[int] | None, actor: User) -> int:
    """A leader adds several people at once (None: every participant not in the pool yet).
    Ids of people who are not participants of the chapter are ignored."""
    require_open_campaign(campaign)
    query = select(Membership.user_id).where(
        Membership.chapter_id == campaign.chapter_id, Membership.is_participant
    )
    if user_ids is not None:
        query = query.where(Membership.user_id.in_(user_ids))
    added = _add(
        campaign, list(db.session.scalars(query)), actor, "selected" if user_ids else "all"
    )
    if not added:
        raise PolicyError(
            "Nobody was added: choose members who are not in the pool yet."
            if user_ids is not None
            else "Everyone who can lead is already in the pool."
        )
    return added


def _add(campaign: Campaign, user_ids: list[int], actor: User, how: str) -> int:
    already = set(
        db.session.scalars(
            select(RotationPoolMember.user_id).where(RotationPoolMember.campaign_id == campaign.id)
        )
    )
    new = sorted(set(user_ids) - already)
    db.session.add_all(RotationPoolMember(campaign_id=campaign.id, user_id=u) for u in new)
    db.session.flush()
    if new:
        record_event(
            "pool.filled",
            actor=actor,
            obj=campaign,
            chapter_id=campaign.chapter_id,
            after={"user_ids": new, "how": how},
        )
    return len(new)


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
    history: list[Row]  # (id, title, starts_at, lead_id) of the last few actions led


FAIRNESS_PER_PAGE = 50
HISTORY_SHOWN = 5


def chapter_fairness(chapter: Chapter, page: int = 1) -> dict:
    """The fairness figures over every participant, this academic year, counted in SQL; the
    member table one page at a time, each row with its last few leads of the year."""
    year_start = year_start_utc(chapter)
    this_year = and_(Action.starts_at >= year_start, Action.status != ActionStatus.CANCELLED)
    # Open leads feed the cap badge, so they count every planned action, as lead_stats does.
    per_lead = (
        select(
            Action.lead_id.label("user_id"),
            func.count(Action.id).filter(this_year).label("leads"),
            func.count(Action.id).filter(Action.status == ActionStatus.PLANNED).label("open_leads"),
        )
        .join(Campaign, Campaign.id == Action.campaign_id)
        .where(
            Campaign.chapter_id == chapter.id,
            Action.lead_id.is_not(None),
            or_(this_year, Action.status == ActionStatus.PLANNED),
        )
        .group_by(Action.lead_id)
        .subquery()
    )
    leads = func.coalesce(per_lead.c.leads, 0)
    open_leads = func.coalesce(per_lead.c.open_leads, 0)

    def of_participants(query):
        return (
            query.join(Membership, Membership.user_id == User.id)
            .outerjoin(per_lead, per_lead.c.user_id == User.id)
            .where(Membership.chapter_id == chapter.id, Membership.is_participant)
        )

    everyone = db.session.execute(
        of_participants(select(User.id, User.profession, leads, open_leads))
    ).all()
    counts = {user_id: n for user_id, _, n, _ in everyone}
    open_by_user = {user_id: n for user_id, _, _, n in everyone}
    table = db.paginate(
        of_participants(select(User)).order_by(leads.desc(), User.display_name, User.id),
        page=page,
        per_page=FAIRNESS_PER_PAGE,
        error_out=False,
        count=False,  # the same people as `everyone`: no second count
    )
    table.total = len(everyone)
    history = _recent_leads(chapter, [u.id for u in table.items], this_year)
    members = [
        MemberLeads(u, counts[u.id], open_by_user[u.id], history.get(u.id, [])) for u in table.items
    ]
    index = gini(list(counts.values()))
    return {
        "members": members,
        "page": table,
        "share_who_led": share_who_led(list(counts.values())),
        "gini": index,
        "gini_words": gini_in_words(index, any(c > 0 for c in counts.values())),
        "professions": profession_shares(counts, {u: p for u, p, _, _ in everyone}),
        "year_start": year_start,
    }


def _recent_leads(chapter: Chapter, user_ids: list[int], this_year) -> dict[int, list[Row]]:
    """The last HISTORY_SHOWN actions each person led this year, newest first, in one query:
    their id, title and start, which is all the table shows."""
    if not user_ids:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=Action.lead_id, order_by=(Action.starts_at.desc(), Action.id.desc()))
        .label("rank")
    )
    ranked = (
        select(Action.id, rank)
        .join(Campaign, Campaign.id == Action.campaign_id)
        .where(Campaign.chapter_id == chapter.id, Action.lead_id.in_(user_ids), this_year)
        .subquery()
    )
    by_lead: dict[int, list[Row]] = {}
    for a in db.session.execute(
        select(Action.id, Action.title, Action.starts_at, Action.lead_id)
        .join(ranked, ranked.c.id == Action.id)
        .where(ranked.c.rank <= HISTORY_SHOWN)
        .order_by(Action.starts_at.desc(), Action.id.desc())
    ):
        by_lead.setdefault(a.lead_id, []).append(a)
    return by_lead


# --- unavailability -------------------------------------------------------------------------

_UNAVAILABILITY_FIELDS = ("start_date", "end_date", "reason")


def _values(row: Unavailability) -> dict:
    return {f: getattr(row, f) for f in _UNAVAILABILITY_FIELDS}


def unavailable_in_pool(campaign_id: int, day: date) -> set[int]:
    """Who in the campaign's rotation pool marked the day unavailable (a join, not a list
    of the pool's ids: with 200 people that list cost more than the query)."""
    return set(
        db.session.scalars(
            select(Unavailability.user_id)
            .join(
                RotationPoolMember,
                (RotationPoolMember.user_id == Unavailability.user_id)
                & (RotationPoolMember.campaign_id == campaign_id),
            )
            .where(Unavailability.start_date <= day, Unavailability.end_date >= day)
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
