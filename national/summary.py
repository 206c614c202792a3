"""Keeping the per-chapter-per-month summary (national/summary_models.py) equal to the
records it summarises.

The summary is never adjusted by deltas. Whenever a transaction changes a record the
summary counts (an action, a sign-up, an outcome and its domains, a sign-off, a vision or
a response to it, a person's profession), the touched chapters are noted at each flush;
just before the commit their summary rows are computed again from their records, by the
same statements that build the whole summary, and written in the same transaction. So the
summary cannot drift from what it summarises, and `rebuild()` (`flask national
rebuild-summary`) is the same code run for every chapter.

On PostgreSQL, two transactions refreshing one chapter take turns (a transaction-scoped
advisory lock per chapter, taken in chapter order): the second computes after the first
has committed, so it counts both.

Writes that bypass the ORM's unit of work (bulk inserts: `flask demo generate`, `flask
import network`) call `rebuild()` themselves.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, scoped_session

from accounts.models import User
from campaigns.models import Action, ActionSignup, ActionStatus, Campaign, Milestone
from campaigns.outcome_models import Outcome, OutcomeDomain
from campaigns.signoff_models import (
    DecisionKind,
    MilestoneDecision,
    MilestoneSubmission,
)
from chapters.models import Membership, VisionResponse, VisionVersion
from core.db import UTCDateTime
from core.extensions import db
from national import queries
from national.query_context import month_of
from national.summary_models import (
    ChapterDecision,
    ChapterMonth,
    ChapterMonthDomain,
    ChapterMonthLead,
)

# The advisory lock's namespace (the first of its two keys); the chapter id is the second.
LOCK_NAMESPACE = 7_301
_TOUCHED = "national.summary.touched"

# The row statements below compute every chapter (False), or only those in the expanding
# parameter `chapters` (True): built once each, executed with the ids as a parameter, so a
# refresh costs no statement building.
Some = bool
AnySession = Session | scoped_session[Any]


def _only(column, some: Some):
    return column.in_(bindparam("chapters", expanding=True)) if some else true()


# --- what the summary holds, computed from the records -------------------------------------

_MONTH_COLUMNS = (
    "actions_done",
    "staffed_actions",
    "professions_sum",
    "people_reached",
    "commitments",
    "signatures",
    "outcomes_logged",
)


def _branch(chapter_id, month, at=None, **counts) -> list:
    """One branch of the union: the chapter, the month, every count (0 unless given) and
    the latest moment (NULL unless given)."""
    columns = [chapter_id.label("chapter_id"), month.label("month")]
    columns += [counts.get(name, literal(0)).label(name) for name in _MONTH_COLUMNS]
    columns.append((cast(null(), UTCDateTime) if at is None else at).label("at"))
    return columns


def latest_by_month(chapter_id, moment) -> Select:
    """A branch of the union: the latest `moment` per chapter and month (the caller joins
    and filters)."""
    month = month_of(moment)
    return select(*_branch(chapter_id, month, at=func.max(moment))).group_by(chapter_id, month)


def month_rows(some: Some) -> Select:
    """chapter_months' rows for these chapters: one per chapter and month with anything."""
    done = Action.status == ActionStatus.DONE
    by_campaign = _only(Campaign.chapter_id, some)
    action_month = month_of(Action.starts_at)
    # The live metric's own per-action profession counts, by month.
    per_action = queries.action_professions(by_campaign, by_month=True).subquery()
    branches = union_all(
        select(
            *_branch(
                Campaign.chapter_id,
                action_month,
                actions_done=func.count(Action.id),
            )
        )
        .join(Action, Action.campaign_id == Campaign.id)
        .where(by_campaign, done)
        .group_by(Campaign.chapter_id, action_month),
        select(
            *_branch(
                per_action.c.chapter_id,
                per_action.c.month,
                staffed_actions=func.count(),
                professions_sum=func.sum(per_action.c.professions),
            )
        ).group_by(per_action.c.chapter_id, per_action.c.month),
        select(
            *_branch(
                Outcome.chapter_id,
                action_month,
                people_reached=func.coalesce(func.sum(Outcome.people_reached), 0),
                commitments=func.coalesce(func.sum(Outcome.commitments), 0),
                signatures=func.coalesce(func.sum(Outcome.signatures), 0),
                outcomes_logged=func.count(Outcome.id),
            )
        )
        .join(Action, Action.id == Outcome.action_id)
        .where(_only(Outcome.chapter_id, some))
        .group_by(Outcome.chapter_id, action_month),
        *(
            joins(latest_by_month(chapter, moment))
            for chapter, moment, joins in queries.activity_kinds(lambda c: _only(c, some))
        ),
    ).subquery()
    return select(
        branches.c.chapter_id,
        branches.c.month,
        *(cast(func.sum(branches.c[name]), Integer).label(name) for name in _MONTH_COLUMNS),
        func.max(branches.c.at).label("last_activity_at"),
    ).group_by(branches.c.chapter_id, branches.c.month)


def domain_rows(some: Some) -> Select:
    month = month_of(Action.starts_at)
    return (
        select(
            Outcome.chapter_id,
            month.label("month"),
            OutcomeDomain.domain,
            func.count().label("outcomes"),
        )
        .join(OutcomeDomain, OutcomeDomain.outcome_id == Outcome.id)
        .join(Action, Action.id == Outcome.action_id)
        .where(_only(Outcome.chapter_id, some))
        .group_by(Outcome.chapter_id, month, OutcomeDomain.domain)
    )


def lead_rows(some: Some) -> Select:
    month = month_of(Action.starts_at)
    return (
        select(
            Campaign.chapter_id,
            month.label("month"),
            Action.lead_id.label("user_id"),
            func.count(Action.id).label("leads"),
        )
        .join(Action, Action.campaign_id == Campaign.id)
        .where(
            _only(Campaign.chapter_id, some),
            Action.lead_id.is_not(None),
            Action.status != ActionStatus.CANCELLED,
        )
        .group_by(Campaign.chapter_id, month, Action.lead_id)
    )


def decision_rows(some: Some) -> Select:
    """Approvals and returns (what the sign-off metrics count), by the month decided."""
    stands = queries.standing_approval()
    return (
        select(
            MilestoneDecision.id.label("decision_id"),
            Campaign.chapter_id,
            month_of(MilestoneDecision.decided_at).label("month"),
            MilestoneSubmission.submitted_at,
            MilestoneDecision.decided_at,
            case((stands, MilestoneDecision.milestone_id)).label("approved_milestone_id"),
        )
        .join(Milestone, Milestone.id == MilestoneDecision.milestone_id)
        .join(Campaign, Campaign.id == Milestone.campaign_id)
        .join(MilestoneSubmission, MilestoneSubmission.id == MilestoneDecision.submission_id)
        .where(
            _only(Campaign.chapter_id, some),
            MilestoneDecision.decision.in_((DecisionKind.APPROVED, DecisionKind.RETURNED)),
        )
    )


_TABLES = (
    (ChapterMonth, month_rows),
    (ChapterMonthDomain, domain_rows),
    (ChapterMonthLead, lead_rows),
    (ChapterDecision, decision_rows),
)


@cache
def _statements(some: Some) -> list[tuple[Any, Select, Any, Any]]:
    """Per table: the table, the query computing its rows, the DELETE of the chapters' rows
    and the INSERT of them computed again."""
    statements = []
    for model, rows in _TABLES:
        table: Any = model.__table__
        query = rows(some)
        names = [column.key for column in query.selected_columns]
        statements.append(
            (
                table,
                query,
                delete(table).where(_only(table.c.chapter_id, some)),
                insert(table).from_select(names, query),
            )
        )
    return statements


def _write(session: AnySession | Connection, chapters: list[int] | None) -> None:
    """Rewrite these chapters' rows (None: every chapter's)."""
    params = {} if chapters is None else {"chapters": chapters}
    for _table, _query, remove, add in _statements(chapters is not None):
        session.execute(remove, params)
        session.execute(add, params)


def refresh(session: AnySession, chapters: Iterable[int], lock: bool = True) -> None:
    """Compute these chapters' summary rows again, in the session's transaction (`lock`:
    after any other transaction refreshing them has committed)."""
    ids = sorted(set(chapters))
    if not ids:
        return
    if lock and session.get_bind().dialect.name == "postgresql":
        # In chapter order, so two refreshes cannot deadlock; the statements after the locks
        # see whatever the transactions that held them committed. That takes READ COMMITTED
        # (a fresh snapshot per statement), pinned for the app's connections by
        # core.app.set_engine_options: under REPEATABLE READ or SERIALIZABLE the snapshot
        # dates from the transaction's first statement, before the lock was granted, so the
        # refresh would count from before the other's commit and collide with its rows.
        for chapter_id in ids:
            session.execute(select(func.pg_advisory_xact_lock(LOCK_NAMESPACE, chapter_id)))
    _write(session, ids)


def rebuild() -> None:
    """Compute the whole summary again from the records (the caller commits)."""
    _write(db.session, None)


def rebuild_with(connection: Connection) -> None:
    """rebuild() on a bare connection (the migration that creates the summary)."""
    _write(connection, None)


def drift() -> list[str]:
    """What the stored summary gets wrong, against the records, in plain words (nothing
    when it is right): `flask national check-summary`, and the tests after every test."""
    session = db.session
    problems = []
    for table, query, _remove, _add in _statements(False):
        stored = {tuple(r) for r in session.execute(select(table)).all()}
        computed = query.subquery()
        wanted = {
            tuple(r)
            for r in session.execute(select(*(computed.c[c.key] for c in table.columns))).all()
        }
        for row in sorted(wanted - stored, key=str):
            problems.append(f"{table.name}: missing or wrong {row}")
        for row in sorted(stored - wanted, key=str):
            problems.append(f"{table.name}: stale {row}")
    return problems


# --- noting what a transaction touched, and refreshing it before the commit -------------------


@dataclass
class Touched:
    """Ids of the records changed in the transaction so far, by what leads to their chapter
    (a deleted record's chapter is found through a parent that is still there, or that was
    deleted in the same flush and noted itself)."""

    chapters: set[int] = field(default_factory=set)
    campaigns: set[int] = field(default_factory=set)
    actions: set[int] = field(default_factory=set)
    outcomes: set[int] = field(default_factory=set)
    milestones: set[int] = field(default_factory=set)
    visions: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)  # whose profession changed

    def note(self, obj: object) -> None:
        match obj:
            case Outcome() | VisionVersion() | Campaign():
                self.chapters.add(obj.chapter_id)
            case Action():
                self.campaigns.add(obj.campaign_id)
            case ActionSignup():
                self.actions.add(obj.action_id)
            case OutcomeDomain():
                self.outcomes.add(obj.outcome_id)
            case MilestoneSubmission() | MilestoneDecision():
                self.milestones.add(obj.milestone_id)
            case VisionResponse():
                self.visions.add(obj.vision_id)
            case User():
                self.people.add(obj.id)

    def empty(self) -> bool:
        return not any(vars(self).values())

    def chapter_ids(self, session: Session) -> set[int]:
        ids = set(self.chapters)
        lookups = (
            (self.campaigns, select(Campaign.chapter_id).where(Campaign.id.in_(self.campaigns))),
            (
                self.actions,
                select(Campaign.chapter_id)
                .join(Action, Action.campaign_id == Campaign.id)
                .where(Action.id.in_(self.actions)),
            ),
            (self.outcomes, select(Outcome.chapter_id).where(Outcome.id.in_(self.outcomes))),
            (
                self.milestones,
                select(Campaign.chapter_id)
                .join(Milestone, Milestone.campaign_id == Campaign.id)
                .where(Milestone.id.in_(self.milestones)),
            ),
            (
                self.visions,
                select(VisionVersion.chapter_id).where(VisionVersion.id.in_(self.visions)),
            ),
            (self.people, select(Membership.chapter_id).where(Membership.user_id.in_(self.people))),
        )
        for wanted, query in lookups:
            if wanted:
                ids.update(session.scalars(query))
        return ids


# What the summary reads of each kind of record: a change to anything else (a title, a
# note, a comment) leaves it as it is. A record added or deleted always counts, but for a
# person (no sign-ups or leads yet) and a campaign (no actions yet).
_COUNTED: dict[type, frozenset[str]] = {
    Action: frozenset({"status", "starts_at", "lead_id", "campaign_id"}),
    ActionSignup: frozenset({"action_id", "user_id"}),
    Outcome: frozenset(
        {"people_reached", "commitments", "signatures", "created_at", "action_id", "chapter_id"}
    ),
    OutcomeDomain: frozenset({"outcome_id", "domain"}),
    MilestoneSubmission: frozenset({"status", "kind", "submitted_at", "milestone_id"}),
    MilestoneDecision: frozenset({"decision", "decided_at", "submission_id", "milestone_id"}),
    VisionVersion: frozenset({"proposed_at", "chapter_id"}),
    VisionResponse: frozenset({"updated_at", "vision_id"}),
    User: frozenset({"profession"}),
    Campaign: frozenset(),
}
_ADDED_COUNTS = frozenset(_COUNTED) - {User, Campaign}


def _changed_counted(obj: object) -> bool:
    counted = _COUNTED[type(obj)]
    if not counted:
        return False
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in counted)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _flush_context: Any) -> None:
    changed = chain(
        (obj for obj in session.new if type(obj) in _ADDED_COUNTS),
        (obj for obj in session.dirty if type(obj) in _COUNTED and _changed_counted(obj)),
        (obj for obj in session.deleted if type(obj) in _COUNTED and type(obj) is not User),
    )
    touched = session.info.get(_TOUCHED) or Touched()
    for obj in changed:
        touched.note(obj)
    if not touched.empty():
        session.info[_TOUCHED] = touched


@event.listens_for(Session, "before_commit")
def _refresh_touched(session: Session) -> None:
    if _TOUCHED not in session.info and not (session.new or session.dirty or session.deleted):
        return
    session.flush()
    touched: Touched | None = session.info.pop(_TOUCHED, None)
    if touched is not None:
        refresh(session, touched.chapter_ids(session))


@event.listens_for(Session, "after_rollback")
def _forget_touched(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
