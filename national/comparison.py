"""The comparison itself: every chapter's metrics for a period, flags, sorting, network
totals and medians. Read by the dashboard, the chapter report, the charts and the exports.

The metrics come from one statement per source (national/queries.py), whatever the
number of chapters. Sorting and medians need every chapter's values, so they are done
here on those per-chapter rows (one row per chapter, never per member or per action).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import ceil
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from chapters.models import CHAPTER_STATUSES, Chapter, ChapterStatus
from chapters.services.roster import health_from_counts
from core.db import utcnow
from core.extensions import db
from national import formulas, summary_queries
from national.metrics import BY_KEY, COLUMNS, Metric
from national.period import Period
from national.queries import members_by_profession
from national.query_context import Context
from national.table import DETAIL_SORTS, Fetched, fetch

QUIET_DAYS = 30
PER_PAGE = 50
# What a chapter with no activity shows for each metric.
EMPTY: dict[str, Any] = {
    "active_members": 0,
    "members_by_profession": {},
    "professions": 0,
    "roster_problems": [],
    "vision_adopted": 0,
    "days_since_vision": None,
    "active_campaigns": 0,
    "actions_done": 0,
    "people_reached": 0,
    "commitments": 0,
    "signatures": 0,
    "outcomes_logged": 0,
    "domain_coverage": 0,
    "milestones_approved": 0,
    "median_days_to_decision": None,
    "overdue_signoffs": 0,
    "share_led": None,
    "gini_leads": None,
    "professions_per_action": None,
    "last_activity": None,
}


@dataclass(frozen=True)
class Flag:
    key: str
    label: str
    detail: str


@dataclass
class ChapterRow:
    chapter: Chapter
    values: dict[str, Any]
    flags: list[Flag] = field(default_factory=list)

    def shown(self, metric: Metric, per_member: bool) -> Any:
        """The value as the page shows it: per active member when asked and meaningful."""
        value = self.values.get(metric.key)
        if per_member and metric.per_member:
            return formulas.per_member(value, self.values["active_members"])
        return value


@dataclass(frozen=True)
class Filters:
    region: str = ""
    status: str = ""  # "" = every status but archived

    def query_args(self) -> dict[str, str]:
        return {k: v for k, v in (("region", self.region), ("status", self.status)) if v}


@dataclass(frozen=True)
class Sort:
    key: str = "name"
    descending: bool = False

    @classmethod
    def parse(cls, key: str, direction: str) -> "Sort":
        valid = key in DETAIL_SORTS or (key in BY_KEY and BY_KEY[key].sortable)
        if not valid:
            return cls()
        return cls(key, direction == "desc")

    def query_args(self) -> dict[str, str]:
        return {"sort": self.key, "dir": "desc" if self.descending else "asc"}


@dataclass
class Comparison:
    period: Period
    filters: Filters
    sort: Sort
    per_member: bool
    rows: list[ChapterRow]  # the chapters fetched (all in scope, one page, or one), sorted
    count: int  # the chapters in scope
    totals: dict[str, Any]
    medians: dict[str, Any]
    page: "RowPage | None" = None


class RowPage:
    """One page of rows, shaped like Flask-SQLAlchemy's Pagination for the pager macro."""

    def __init__(self, items: list[ChapterRow], total: int, page: int, per_page: int) -> None:
        self.items, self.total, self.page = items, total, page
        self.pages = max(1, ceil(total / per_page))
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1


# --- computing ------------------------------------------------------------------------------


def context(period: Period, now: datetime | None = None) -> Context:
    config = current_app.config
    return Context(
        period=period,
        now=now or utcnow(),
        overdue_days=config["SIGNOFF_OVERDUE_DAYS"],
        domains=tuple(config["LEADERSHIP_DOMAINS"]),
    )


def chapter_scope(filters: Filters, also: int | None = None) -> Select:
    """The ids of the chapters compared (archived ones only when asked for by status),
    plus `also` (a report's own chapter, whatever its status)."""
    query = select(Chapter.id)
    if filters.status in CHAPTER_STATUSES:
        condition = Chapter.status == filters.status
    else:
        condition = Chapter.status != ChapterStatus.ARCHIVED
    if filters.region:
        condition = condition & (Chapter.region == filters.region)
    if also is not None:
        condition = condition | (Chapter.id == also)
    return query.where(condition)


def baseline(period: Period, now: datetime) -> Period:
    """The same stretch of the period before: a year earlier for an academic year, cut at
    the same point when the period is not over yet (fair to a year in progress)."""
    length = timedelta(days=period.days)
    last = min(period.last_day, (now - timedelta(days=1)).date()) - length
    first = period.first_day - length
    return Period(first, max(first, last), f"{first.isoformat()} to {last.isoformat()}")


def flags_for(values: dict[str, Any], before: dict[str, Any], ctx: Context) -> list[Flag]:
    flags = []
    if values["overdue_signoffs"]:
        n = values["overdue_signoffs"]
        flags.append(Flag("overdue", "Overdue sign-offs", f"{n} waiting past the limit"))
    last = values["last_activity"]
    if last is None or last < ctx.as_of - timedelta(days=QUIET_DAYS):
        flags.append(Flag("quiet", f"No activity in {QUIET_DAYS} days", "Nothing recorded lately"))
    if values["roster_problems"]:
        flags.append(Flag("roster", "Unhealthy roster", "; ".join(values["roster_problems"])))
    if formulas.is_falling(values["actions_done"], before.get("actions_done", 0)):
        flags.append(
            Flag(
                "falling",
                "Falling trend",
                f"{values['actions_done']} actions done against "
                f"{before.get('actions_done', 0)} in the same stretch of the period before",
            )
        )
    return flags


def _totals(fetched: Fetched, per_member: bool) -> dict[str, Any]:
    """Network totals of the counts (per member: the total over all active members)."""
    members = fetched.sums.get("active_members", 0)
    totals: dict[str, Any] = {}
    for metric in COLUMNS:
        if not metric.summable:
            continue
        total = int(fetched.sums.get(metric.key) or 0)
        if per_member and metric.per_member:
            totals[metric.key] = formulas.per_member(total, members)
        else:
            totals[metric.key] = total
    return totals


def _rows(fetched: Fetched, ctx: Context) -> list[ChapterRow]:
    """Chapter rows for the fetched values: their chapters, professions and flags."""
    ids = [v["chapter_id"] for v in fetched.rows]
    chapters = {c.id: c for c in db.session.scalars(select(Chapter).where(Chapter.id.in_(ids)))}
    breakdown = members_by_profession(ids, ctx) if ids else {}
    rows = []
    for raw in fetched.rows:
        values = dict(EMPTY) | {k: raw[k] for k in EMPTY if k in raw}
        values["members_by_profession"] = breakdown.get(raw["chapter_id"], {})
        checks = health_from_counts(
            raw["leaders"], set(values["members_by_profession"]), raw["advisors"]
        )
        values["roster_problems"] = [c.label for c in checks if not c.met]
        before = {"actions_done": raw["actions_before"]}
        rows.append(ChapterRow(chapters[raw["chapter_id"]], values, flags_for(values, before, ctx)))
    return rows


def compare(
    period: Period,
    filters: Filters,
    sort: Sort,
    per_member: bool = False,
    now: datetime | None = None,
    include: int | None = None,
    page: int | None = None,
    only: int | None = None,
) -> Comparison:
    """The chapters in scope (and `include`, a report's own chapter) for the period, sorted
    in SQL: all of them, one `page` of PER_PAGE, or `only` one chapter; with the network's
    totals and medians over all of them either way."""
    ctx = context(period, now)
    before = context(baseline(period, ctx.now), ctx.now)
    scope = chapter_scope(filters, also=include)

    def run(number: int | None) -> Fetched:
        limit = PER_PAGE if number is not None else None
        offset = (number - 1) * PER_PAGE if number is not None else 0
        return fetch(scope, ctx, before, sort.key, sort.descending, per_member, limit, offset, only)

    number = max(page, 1) if page is not None else None
    fetched = run(number)
    if number is not None and number > 1 and not fetched.rows:
        # Past the last page (an old link): show the last one.
        in_scope = db.session.scalar(select(func.count()).select_from(scope.subquery()))
        number = max(1, ceil((in_scope or 0) / PER_PAGE))
        fetched = run(number)
    rows = _rows(fetched, ctx)
    medians = dict(fetched.medians)
    comparison = Comparison(
        period,
        filters,
        sort,
        per_member,
        rows,
        fetched.count,
        _totals(fetched, per_member),
        medians,
    )
    if number is not None:
        comparison.page = RowPage(rows, fetched.count, number, PER_PAGE)
    return comparison


@dataclass(frozen=True)
class MonthlyActivity:
    """A chapter's actions done per month of the period: the numbers of its sparkline."""

    months: tuple[date, ...]  # the first day of each month
    counts: tuple[int, ...]

    @property
    def text(self) -> str:
        parts = (
            f"{m.strftime('%b %Y')}: {n}" for m, n in zip(self.months, self.counts, strict=True)
        )
        return "Actions done by month: " + ", ".join(parts) + "."

    @property
    def query(self) -> str:
        return ",".join(str(n) for n in self.counts)


def period_months(period: Period, until: date) -> list[date]:
    """The months of the period up to `until` (a period not over yet stops there)."""
    months, month = [], period.first_day.replace(day=1)
    last = min(period.last_day, until)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def monthly_activity(
    comparison: Comparison, now: datetime | None = None
) -> dict[int, MonthlyActivity]:
    """The sparkline numbers of the chapters fetched (one statement)."""
    ctx = context(comparison.period, now)
    months = period_months(comparison.period, ctx.as_of.date())
    counts = summary_queries.monthly([r.chapter.id for r in comparison.rows], ctx)
    return {
        row.chapter.id: MonthlyActivity(
            tuple(months),
            tuple(counts.get(row.chapter.id, {}).get(m.strftime("%Y-%m"), 0) for m in months),
        )
        for row in comparison.rows
    }


TREND_METRICS = ("active_members", "actions_done", "outcomes_logged", "milestones_approved")


@dataclass(frozen=True)
class TrendYear:
    period: Period
    values: dict[str, Any]


def chapter_trend(chapter_id: int, years: list[Period], now: datetime | None = None) -> list:
    """The chapter's own values for each of these periods, oldest first: the same metrics
    through the same statement, for one chapter (one statement a year)."""
    scope = select(Chapter.id).where(Chapter.id == chapter_id)
    trend = []
    for period in sorted(years, key=lambda p: p.first_day):
        ctx = context(period, now)
        before = context(baseline(period, ctx.now), ctx.now)
        fetched = fetch(scope, ctx, before, "name", False, False)
        raw = fetched.rows[0] if fetched.rows else {}
        trend.append(TrendYear(period, dict(EMPTY) | {k: raw[k] for k in EMPTY if k in raw}))
    return trend


def regions() -> list[str]:
    return list(db.session.scalars(select(Chapter.region).distinct().order_by(Chapter.region)))
