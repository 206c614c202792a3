"""Calendars: the chapter's coming weeks, and the iCalendar feeds behind signed addresses."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.models import User
from campaigns.models import Action, ActionSignup, ActionStatus, Campaign, Milestone
from chapters.models import Chapter, Membership, MembershipStatus
from core.audit import record_event
from core.db import utcnow
from core.extensions import db
from core.timefmt import local
from core.tokens import read_signed_numbers, sign_numbers

CALENDAR_WEEKS = 12
FEED_HISTORY = timedelta(days=90)  # how far back a feed still lists past actions

# --- feed addresses -------------------------------------------------------------------------

# A feed URL carries ids and generation counters, signed with the app's secret. Bumping a
# generation (the person's, or the chapter's for everyone) kills the old URLs.


def person_feed_token(user: User) -> str:
    """The person's own feed: their leads and sign-ups."""
    return sign_numbers("calendar:user", (user.id, user.calendar_generation))


def chapter_feed_token(chapter: Chapter, user: User) -> str:
    """The chapter feed, as one person's address: it stops working when they leave."""
    return sign_numbers(
        "calendar:chapter",
        (chapter.id, user.id, chapter.calendar_generation, user.calendar_generation),
    )


def chapter_feed_reader(token: str) -> tuple[Chapter, User] | None:
    """The chapter and person a chapter-feed token is for, if it is current and they may read."""
    numbers = read_signed_numbers("calendar:chapter", token, 4)
    if numbers is None:
        return None
    chapter_id, user_id, chapter_generation, user_generation = numbers
    chapter, user = db.session.get(Chapter, chapter_id), db.session.get(User, user_id)
    if chapter is None or user is None or not user.active:
        return None
    if (chapter.calendar_generation, user.calendar_generation) != (
        chapter_generation,
        user_generation,
    ):
        return None
    member = db.session.scalar(
        select(Membership.id).where(
            Membership.chapter_id == chapter.id,
            Membership.user_id == user.id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )
    return (chapter, user) if member or user.is_staff else None


def person_feed_reader(token: str) -> User | None:
    numbers = read_signed_numbers("calendar:user", token, 2)
    if numbers is None:
        return None
    user = db.session.get(User, numbers[0])
    if user is None or not user.active or user.calendar_generation != numbers[1]:
        return None
    return user


def renew_chapter_feed_addresses(chapter: Chapter, actor: User) -> None:
    """New chapter-feed addresses for everyone; the old ones stop working."""
    chapter.calendar_generation += 1
    record_event("calendar.regenerated", actor=actor, obj=chapter, chapter_id=chapter.id)


def renew_person_feed_address(user: User) -> None:
    """A new address for the person's own feed (and their chapter feeds); the old ones stop."""
    user.calendar_generation += 1
    record_event("calendar.regenerated", actor=user, obj=user)


# --- what calendars show --------------------------------------------------------------------


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def chapter_calendar_weeks(chapter: Chapter) -> dict[date, list[Action]]:
    """The chapter's actions of the coming weeks (not cancelled), by the Monday of their week."""
    now = utcnow()
    actions = db.session.scalars(
        select(Action)
        .join(Campaign)
        .where(
            Campaign.chapter_id == chapter.id,
            Action.ends_at >= now,
            Action.starts_at < now + timedelta(weeks=CALENDAR_WEEKS),
            Action.status != ActionStatus.CANCELLED,
        )
        .options(selectinload(Action.lead), selectinload(Action.campaign))
        .order_by(Action.starts_at)
    )
    weeks: dict[date, list[Action]] = {}
    for a in actions:
        weeks.setdefault(_week_start(local(a.starts_at, chapter.timezone).date()), []).append(a)
    return weeks


def chapter_feed_entries(chapter: Chapter) -> tuple[list[Action], list[Milestone]]:
    """The chapter feed: its actions and milestone due dates, from a while back on."""
    since = utcnow() - FEED_HISTORY
    actions = db.session.scalars(
        select(Action)
        .join(Campaign)
        .where(Campaign.chapter_id == chapter.id, Action.ends_at >= since)
        .options(
            selectinload(Action.lead), selectinload(Action.campaign).selectinload(Campaign.chapter)
        )
        .order_by(Action.starts_at)
    ).all()
    milestones = db.session.scalars(
        select(Milestone)
        .join(Campaign)
        .where(Campaign.chapter_id == chapter.id, Milestone.due_date >= since.date())
        .options(selectinload(Milestone.campaign))
    ).all()
    return list(actions), list(milestones)


def person_feed_actions(user: User) -> list[Action]:
    """What the person leads or signed up for, in the chapters they are still active in."""
    since = utcnow() - FEED_HISTORY
    signed = select(ActionSignup.action_id).where(ActionSignup.user_id == user.id)
    return list(
        db.session.scalars(
            select(Action)
            .join(Campaign)
            .join(
                Membership,
                (Membership.chapter_id == Campaign.chapter_id) & (Membership.user_id == user.id),
            )
            .where(
                Membership.status == MembershipStatus.ACTIVE,
                Action.ends_at >= since,
                (Action.lead_id == user.id) | Action.id.in_(signed),
            )
            .options(
                selectinload(Action.lead),
                selectinload(Action.campaign).selectinload(Campaign.chapter),
            )
            .order_by(Action.starts_at)
        )
    )
