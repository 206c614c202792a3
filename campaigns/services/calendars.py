"""Calendars: the chapter's coming weeks, and the iCalendar feeds behind signed addresses."""

import hashlib
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    Select,
    bindparam,
    func,
    select,
    true,
)
from sqlalchemy.orm import aliased, joinedload

from accounts.models import User
from campaigns.calendar import ActionEvent, MilestoneEvent
from campaigns.models import Action, ActionSignup, ActionStatus, Campaign, Milestone
from chapters.models import Chapter, Membership, MembershipStatus
from core.audit import record_event
from core.db import utcnow
from core.extensions import db
from core.timefmt import local
from core.tokens import read_signed_numbers, sign_numbers

CALENDAR_WEEKS = 12
# The feeds' window, in whole UTC days so that it moves once a day: past actions and due
# dates stay this long, and nothing further ahead than FEED_DAYS_AHEAD is listed.
FEED_DAYS_BACK = 60
FEED_DAYS_AHEAD = 366
# Bump when build_calendar's output changes for the same data, so feeds' ETags change too.
FEED_FORMAT = 1

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


@dataclass(frozen=True)
class FeedChapter:
    """What a chapter feed shows of its chapter (so its validator holds all of it)."""

    id: int
    name: str
    slug: str
    timezone: str
    calendar_generation: int


def _core_rows(statement: Select, params: dict) -> Sequence[Row]:
    # A calendar app polls its feed every few minutes, mostly to hear "304". The statements
    # of that path are built once, with bind parameters (building one and computing its
    # cache key cost more than running it), return plain columns, and so skip the ORM
    # session's per-statement work; they run on its connection, in its transaction.
    return db.session.connection().execute(statement, params).all()


def _poll_rows(statement: Select, params: dict) -> Sequence[Row]:
    """One statement outside any transaction, for a feed's validator: a single SELECT sees
    one snapshot anyway, and on PostgreSQL this spares the poll's BEGIN and ROLLBACK round
    trips (an unchanged feed then costs one round trip). A feed that turns out to have
    changed is read afterwards in the session's own transaction: at worst it is newer than
    its ETag, and the next poll downloads it once more."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn.execute(statement, params).all()


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
        .options(joinedload(Action.lead), joinedload(Action.campaign))
        .order_by(Action.starts_at)
    )
    weeks: dict[date, list[Action]] = {}
    for a in actions:
        weeks.setdefault(_week_start(local(a.starts_at, chapter.timezone).date()), []).append(a)
    return weeks


# --- the feeds -------------------------------------------------------------------------------
# A calendar app polls a feed every few minutes. Each feed has a validator (its ETag) read
# with one aggregate query, so an unchanged feed is answered 304 without being built. The
# validator is complete when every value a feed shows is either part of it or moves one of
# its aggregates when it changes:
#   - rows in the window: count (a row left, or was deleted), sum(version) (an ORM edit adds
#     one: actions, milestones, and the campaigns of what is listed, once per listed row),
#     max(updated_at) (a row added or moved into the window, or changed by a bulk UPDATE);
#   - the leads' names, aggregated (a rename; not their updated_at, which a sign-in moves);
#     for a personal feed, the newest of the person's sign-ups listed (a sign-up added) and
#     their active chapters with zones;
#   - the chapter's name, slug and zone, the address's generation, the host (it is in the
#     UIDs), the window's first day and FEED_FORMAT.


@dataclass(frozen=True)
class FeedWindow:
    start: datetime  # midnight UTC, FEED_DAYS_BACK days ago
    end: datetime  # midnight UTC, FEED_DAYS_AHEAD days ahead

    @classmethod
    def today(cls) -> "FeedWindow":
        midnight = datetime.combine(utcnow().date(), time(), tzinfo=UTC)
        return cls(
            midnight - timedelta(days=FEED_DAYS_BACK), midnight + timedelta(days=FEED_DAYS_AHEAD)
        )

    @property
    def params(self) -> dict:
        """The values of the bind parameters in _ACTIONS_IN_WINDOW and _DUE_IN_WINDOW."""
        return {
            "start": self.start,
            "end": self.end,
            "first_day": self.start.date(),
            "last_day": self.end.date(),
        }


_ACTIONS_IN_WINDOW = (Action.ends_at >= bindparam("start")) & (Action.starts_at < bindparam("end"))
_DUE_IN_WINDOW = Milestone.due_date.between(bindparam("first_day"), bindparam("last_day"))
_IN_CHAPTER = Campaign.chapter_id == bindparam("chapter_id")


def _etag(*parts: object) -> str:
    return hashlib.blake2b(repr((FEED_FORMAT, *parts)).encode(), digest_size=16).hexdigest()


_lead = aliased(User)
_signup = aliased(ActionSignup)  # the person's own sign-up, in a personal feed

# The columns of an ActionEvent, in order.
_ACTION_EVENTS: Select = (
    select(
        Action.id,
        Action.title,
        Campaign.title,
        Chapter.timezone,
        Action.starts_at,
        Action.ends_at,
        Action.location,
        Action.description,
        Action.kind,
        Action.status,
        Action.version,
        Action.updated_at,
        _lead.display_name,
    )
    .select_from(Action)
    .join(Campaign, Campaign.id == Action.campaign_id)
    .join(Chapter, Chapter.id == Campaign.chapter_id)
    .outerjoin(_lead, _lead.id == Action.lead_id)
    .where(_ACTIONS_IN_WINDOW)
    .order_by(Action.starts_at, Action.id)
)


def _action_summary(*extra: ColumnElement) -> Select:
    return (
        select(
            func.count(Action.id),
            func.sum(Action.version),
            func.max(Action.updated_at),
            func.sum(Campaign.version),
            # The leads' names themselves, not their rows' updated_at, which also moves
            # when a lead signs in. The order is the database's: at worst it changes
            # without the names changing, and a poll downloads an unchanged feed once.
            func.aggregate_strings(_lead.display_name, "\n"),
            *extra,
        )
        .select_from(Action)
        .join(Campaign, Campaign.id == Action.campaign_id)
        .outerjoin(_lead, _lead.id == Action.lead_id)
        .where(_ACTIONS_IN_WINDOW)
    )


_MILESTONE_SUMMARY = (
    select(
        func.count(Milestone.id),
        func.sum(Milestone.version),
        func.max(Milestone.updated_at),
        func.sum(Campaign.version),
    )
    .select_from(Milestone)
    .join(Campaign, Campaign.id == Milestone.campaign_id)
    .where(_IN_CHAPTER, _DUE_IN_WINDOW)
)
_chapter_actions = _action_summary().where(_IN_CHAPTER).subquery()
_chapter_milestones = _MILESTONE_SUMMARY.subquery()
# One statement for a poll: the token's chapter, if the token is current and its person may
# read, beside the one-row summaries of the chapter's actions and milestones in the window.
_CHAPTER_POLL = (
    select(
        Chapter.id,
        Chapter.name,
        Chapter.slug,
        Chapter.timezone,
        Chapter.calendar_generation,
        *_chapter_actions.c,
        *_chapter_milestones.c,
    )
    .select_from(Chapter)
    .join(User, User.id == bindparam("user_id"))  # two primary-key lookups, side by side
    .join(_chapter_actions, true())
    .join(_chapter_milestones, true())
    .where(
        Chapter.id == bindparam("chapter_id"),
        Chapter.calendar_generation == bindparam("chapter_generation"),
        User.calendar_generation == bindparam("user_generation"),
        User.active.is_(True),
        # A member, or staff (User.is_staff), who read the whole network.
        select(Membership.id)
        .where(
            # The bind parameters, not the joined rows' columns: PostgreSQL then looks the
            # membership up in its unique index instead of hashing the whole table each poll.
            Membership.chapter_id == bindparam("chapter_id"),
            Membership.user_id == bindparam("user_id"),
            Membership.status == MembershipStatus.ACTIVE,
        )
        .exists()
        | User.is_national_staff.is_(True)
        | User.is_admin.is_(True),
    )
)


@dataclass(frozen=True)
class ChapterFeed:
    chapter: FeedChapter
    etag: str


def chapter_feed_reader(token: str, window: FeedWindow, host: str) -> ChapterFeed | None:
    """The chapter a chapter-feed token is for, if it is current and its person may read,
    with the validator of its feed in the window."""
    numbers = read_signed_numbers("calendar:chapter", token, 4)
    if numbers is None:
        return None
    names = ("chapter_id", "user_id", "chapter_generation", "user_generation")
    rows = _poll_rows(_CHAPTER_POLL, {**dict(zip(names, numbers, strict=True)), **window.params})
    if not rows:
        return None
    chapter = FeedChapter(*rows[0][:5])
    summary = tuple(rows[0][5:])
    return ChapterFeed(chapter, _etag("chapter", astuple(chapter), host, window.start, summary))


def chapter_feed_entries(
    chapter: FeedChapter, window: FeedWindow
) -> tuple[list[ActionEvent], list[MilestoneEvent]]:
    """The chapter feed: its actions and milestone due dates in the window."""
    params = {"chapter_id": chapter.id, **window.params}
    actions = db.session.execute(_ACTION_EVENTS.where(_IN_CHAPTER), params)
    action_events = [ActionEvent(*row) for row in actions]
    milestones = db.session.execute(
        select(
            Milestone.id, Milestone.title, Campaign.title, Milestone.due_date, Milestone.updated_at
        )
        .join(Campaign, Campaign.id == Milestone.campaign_id)
        .where(_IN_CHAPTER, _DUE_IN_WINDOW)
        .order_by(Milestone.due_date, Milestone.id),
        params,
    )
    return action_events, [MilestoneEvent(*row) for row in milestones]


def _for_person(query: Select) -> Select:
    """Narrow a query over actions to what the person (bind parameter user_id) leads or
    signed up for, in the chapters they are still active in."""
    me = bindparam("user_id", type_=Integer)
    return (
        query.join(
            Membership, (Membership.chapter_id == Campaign.chapter_id) & (Membership.user_id == me)
        )
        .outerjoin(_signup, (_signup.action_id == Action.id) & (_signup.user_id == me))
        .where(
            Membership.status == MembershipStatus.ACTIVE,
            (Action.lead_id == me) | _signup.id.is_not(None),
        )
    )


_PERSON_SUMMARY = _for_person(_action_summary(func.max(_signup.created_at)))
_PERSON_ZONES = (
    select(Chapter.id, Chapter.timezone)
    .join(Membership, Membership.chapter_id == Chapter.id)
    .where(Membership.user_id == bindparam("user_id"), Membership.status == MembershipStatus.ACTIVE)
    .order_by(Chapter.id)
)
_PERSON_EVENTS = _for_person(_ACTION_EVENTS)


def person_feed_etag(user: User, window: FeedWindow, host: str) -> str:
    params = {"user_id": user.id, **window.params}
    summary = tuple(_core_rows(_PERSON_SUMMARY, params)[0])
    zones = [tuple(r) for r in _core_rows(_PERSON_ZONES, {"user_id": user.id})]
    return _etag("person", user.id, user.calendar_generation, host, window.start, summary, zones)


def person_feed_actions(user: User, window: FeedWindow) -> list[ActionEvent]:
    """What the person leads or signed up for, in the chapters they are still active in."""
    rows = db.session.execute(_PERSON_EVENTS, {"user_id": user.id, **window.params})
    return [ActionEvent(*row) for row in rows]
