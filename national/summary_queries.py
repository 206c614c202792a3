"""The metrics that national/queries.py computes from every action, sign-up and outcome,
read instead from the per-chapter-per-month summary (national/summary_models.py).

The summary counts whole UTC months, so it answers for a period made of whole months (an
academic year, or custom dates from a 1st to a month's last day); national/table.py uses
the live sources for any other period. The values are the same either way: the summary
rows are those sources' own aggregates, grouped by month (tests/test_national_summary.py
compares the two on every metric).
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Numeric, Select, and_, cast, distinct, func, select, union_all

from chapters.models import Chapter
from core.extensions import db
from national import queries
from national.period import Period
from national.query_context import Context, days_between
from national.summary_models import (
    ChapterDecision,
    ChapterMonth,
    ChapterMonthDomain,
    ChapterMonthLead,
)


def covers(period: Period) -> bool:
    """True when the period is whole UTC months, which the summary can add up exactly."""
    return period.first_day.day == 1 and (period.last_day + timedelta(days=1)).day == 1


def month_key(day: date) -> str:
    return f"{day.year:04}-{day.month:02}"


def _months(model, ctx: Context):
    """The rows of the period's months."""
    return and_(
        model.month >= month_key(ctx.period.first_day),
        model.month <= month_key(ctx.period.last_day),
    )


def actions(scope: Select, ctx: Context) -> Select:
    return (
        select(
            ChapterMonth.chapter_id.label("chapter_id"),
            func.sum(ChapterMonth.actions_done).label("actions_done"),
        )
        .where(ChapterMonth.chapter_id.in_(scope), _months(ChapterMonth, ctx))
        .group_by(ChapterMonth.chapter_id)
    )


def outcomes(scope: Select, ctx: Context) -> Select:
    return (
        select(
            ChapterMonth.chapter_id.label("chapter_id"),
            func.sum(ChapterMonth.people_reached).label("people_reached"),
            func.sum(ChapterMonth.commitments).label("commitments"),
            func.sum(ChapterMonth.signatures).label("signatures"),
            func.sum(ChapterMonth.outcomes_logged).label("outcomes_logged"),
        )
        .where(ChapterMonth.chapter_id.in_(scope), _months(ChapterMonth, ctx))
        .group_by(ChapterMonth.chapter_id)
    )


def professions_per_action(scope: Select, ctx: Context) -> Select:
    # The mean of the actions' profession counts: their sum over how many there were
    # (NUMERIC division, so it rounds as the live AVG does).
    staffed = func.sum(ChapterMonth.staffed_actions)
    mean = cast(func.sum(ChapterMonth.professions_sum), Numeric) / func.nullif(staffed, 0)
    return (
        select(
            ChapterMonth.chapter_id.label("chapter_id"),
            queries.rounded(mean, 2).label("professions_per_action"),
        )
        .where(ChapterMonth.chapter_id.in_(scope), _months(ChapterMonth, ctx))
        .group_by(ChapterMonth.chapter_id)
        .having(staffed > 0)
    )


def milestones_approved(scope: Select, ctx: Context) -> Select:
    return (
        select(
            ChapterDecision.chapter_id.label("chapter_id"),
            func.count(distinct(ChapterDecision.approved_milestone_id)).label(
                "milestones_approved"
            ),
        )
        .where(ChapterDecision.chapter_id.in_(scope), _months(ChapterDecision, ctx))
        .group_by(ChapterDecision.chapter_id)
    )


def decision_days(scope: Select, ctx: Context) -> Select:
    days = days_between(ChapterDecision.decided_at, ChapterDecision.submitted_at)
    return queries.median_wait(
        select(ChapterDecision.chapter_id.label("chapter_id"), days.label("days")).where(
            ChapterDecision.chapter_id.in_(scope), _months(ChapterDecision, ctx)
        )
    )


def domains(scope: Select, ctx: Context) -> Select:
    return (
        select(
            ChapterMonthDomain.chapter_id.label("chapter_id"),
            func.count(distinct(ChapterMonthDomain.domain)).label("domain_coverage"),
        )
        .where(
            ChapterMonthDomain.chapter_id.in_(scope),
            ChapterMonthDomain.domain.in_(ctx.domains),
            _months(ChapterMonthDomain, ctx),
        )
        .group_by(ChapterMonthDomain.chapter_id)
    )


def leads(scope: Select, ctx: Context) -> Select:
    per_lead = (
        select(
            ChapterMonthLead.chapter_id.label("chapter_id"),
            ChapterMonthLead.user_id.label("user_id"),
            func.sum(ChapterMonthLead.leads).label("leads"),
        )
        .where(ChapterMonthLead.chapter_id.in_(scope), _months(ChapterMonthLead, ctx))
        .group_by(ChapterMonthLead.chapter_id, ChapterMonthLead.user_id)
        .subquery()
    )
    return queries.lead_shares(scope, ctx, per_lead)


def last_activity(scope: Select, ctx: Context) -> Select:
    """The latest of the whole months before the period's end (or today's month) from the
    summary; for a period not yet over, this month so far from the records (a month's
    worth of rows, by the moments' indexes)."""
    as_of = ctx.as_of
    month_start = datetime(as_of.year, as_of.month, 1, tzinfo=UTC)
    # A later month's moments are later: the latest month with activity before the as-of
    # month holds the answer, found per chapter by a backward step along the primary key.
    latest_month = (
        select(ChapterMonth.last_activity_at)
        .where(
            ChapterMonth.chapter_id == Chapter.id,
            ChapterMonth.month < month_key(as_of.date()),
            ChapterMonth.last_activity_at.is_not(None),
        )
        .order_by(ChapterMonth.month.desc())
        .limit(1)
        .correlate(Chapter)
        .scalar_subquery()
    )
    stored = select(Chapter.id.label("chapter_id"), latest_month.label("at")).where(
        Chapter.id.in_(scope)
    )
    if as_of == month_start:
        return queries.latest_of(stored.subquery())
    this_month = queries.activity_moments(scope, as_of, since=month_start)
    return queries.latest_of(union_all(stored, *this_month.selects).subquery())


def monthly_actions(chapter_ids: list[int], ctx: Context) -> dict[int, dict[str, int]]:
    """queries.monthly_actions from the summary."""
    rows = db.session.execute(
        select(ChapterMonth.chapter_id, ChapterMonth.month, ChapterMonth.actions_done).where(
            ChapterMonth.chapter_id.in_(chapter_ids),
            _months(ChapterMonth, ctx),
            ChapterMonth.actions_done > 0,
        )
    ).all()
    out: dict[int, dict[str, int]] = {}
    for chapter_id, key, n in rows:
        out.setdefault(chapter_id, {})[key] = n
    return out


SUMMARISED: dict[str, Callable[[Select, Context], Select]] = {
    "actions": actions,
    "outcomes": outcomes,
    "domains": domains,
    "milestones_approved": milestones_approved,
    "decision_days": decision_days,
    "leads": leads,
    "professions_per_action": professions_per_action,
    "last_activity": last_activity,
}


def sources(ctx: Context) -> dict[str, Callable[[Select, Context], Select]]:
    """Every source of the comparison for this context: from the summary where it can
    answer for the period, live otherwise."""
    if not covers(ctx.period):
        return queries.SOURCES
    return {**queries.SOURCES, **SUMMARISED}


def actions_source(ctx: Context) -> Callable[[Select, Context], Select]:
    return actions if covers(ctx.period) else queries.actions


def monthly(chapter_ids: list[int], ctx: Context) -> dict[int, dict[str, int]]:
    if covers(ctx.period):
        return monthly_actions(chapter_ids, ctx)
    return queries.monthly_actions(chapter_ids, ctx)
