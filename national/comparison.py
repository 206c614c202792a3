"""The comparison itself: every chapter's metrics for a period, flags, sorting, network
totals and medians. Read by the dashboard, the chapter report, the charts and the exports.

The metrics come from one statement per source (national/queries.py), whatever the
number of chapters. Sorting and medians need every chapter's values, so they are done
here on those per-chapter rows (one row per chapter, never per member or per action).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil
from typing import Any

from flask import current_app
from sqlalchemy import Select, select

from chapters.models import CHAPTER_STATUSES, Chapter, ChapterStatus
from chapters.services.roster import health_from_counts
from core.db import utcnow
from core.extensions import db
from national import formulas
from national.metrics import BY_KEY, COLUMNS, Kind, Metric
from national.period import Period
from national.queries import EMPTY, SOURCES, Context, Values

QUIET_DAYS = 30
PER_PAGE = 50
# Sortable besides the metrics: the chapter's own details.
DETAIL_SORTS = ("name", "region", "status")


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
    rows: list[ChapterRow]  # every chapter in scope, sorted
    totals: dict[str, Any]
    medians: dict[str, Any]

    def page(self, number: int, per_page: int = PER_PAGE) -> "RowPage":
        return RowPage(self.rows, number, per_page)


class RowPage:
    """One page of rows, shaped like Flask-SQLAlchemy's Pagination for the pager macro."""

    def __init__(self, rows: list[ChapterRow], page: int, per_page: int) -> None:
        self.total = len(rows)
        self.pages = max(1, ceil(self.total / per_page))
        self.page = min(max(page, 1), self.pages)
        self.items = rows[(self.page - 1) * per_page : self.page * per_page]
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


def compute(scope: Select, ctx: Context, sources: tuple[str, ...] | None = None) -> Values:
    """Every chapter's values from the named sources (all by default): one statement each."""
    merged: Values = {}
    for name in sources or tuple(SOURCES):
        for chapter_id, values in SOURCES[name](scope, ctx).items():
            merged.setdefault(chapter_id, {}).update(values)
    return merged


_EMPTY_ROSTER = [c.label for c in health_from_counts(0, set(), 0) if not c.met]


def _with_defaults(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(EMPTY) | {"roster_problems": _EMPTY_ROSTER} | values
    return out


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


def _sort_key(sort: Sort, per_member: bool):
    def key(row: ChapterRow):
        if sort.key in DETAIL_SORTS:
            value: Any = getattr(row.chapter, sort.key).lower()
        else:
            value = row.shown(BY_KEY[sort.key], per_member)
        return value

    return key


def sort_rows(rows: list[ChapterRow], sort: Sort, per_member: bool) -> list[ChapterRow]:
    """Sorted by the chosen column; blanks last whichever the direction, ties by name."""
    by_name = sorted(rows, key=lambda r: (r.chapter.name.lower(), r.chapter.id))
    key = _sort_key(sort, per_member)
    known = [r for r in by_name if key(r) is not None]
    blank = [r for r in by_name if key(r) is None]
    return sorted(known, key=key, reverse=sort.descending) + blank


def summarise(rows: list[ChapterRow], per_member: bool) -> tuple[dict, dict]:
    """Network totals (counts only; per member: the total over all active members) and
    the median chapter's value of every metric."""
    totals: dict[str, Any] = {}
    medians: dict[str, Any] = {}
    members = sum(r.values["active_members"] for r in rows)
    for metric in COLUMNS:
        if metric.kind in (Kind.DATE, Kind.YES_NO):  # a yes/no has a count, not a median
            if metric.summable:
                totals[metric.key] = formulas.total(r.values[metric.key] for r in rows) or 0
            continue
        medians[metric.key] = formulas.median(r.shown(metric, per_member) for r in rows)
        if metric.summable:
            total = formulas.total(r.values[metric.key] for r in rows) or 0
            if per_member and metric.per_member:
                totals[metric.key] = formulas.per_member(total, members)
            else:
                totals[metric.key] = total
    return totals, medians


def compare(
    period: Period,
    filters: Filters,
    sort: Sort,
    per_member: bool = False,
    now: datetime | None = None,
    include: int | None = None,
) -> Comparison:
    """Every chapter in scope (and `include`, a report's own chapter), for the period."""
    ctx = context(period, now)
    scope = chapter_scope(filters, also=include)
    chapters = db.session.scalars(select(Chapter).where(Chapter.id.in_(scope))).all()
    values = compute(scope, ctx)
    before = compute(scope, context(baseline(period, ctx.now), ctx.now), ("actions",))
    rows = []
    for chapter in chapters:
        v = _with_defaults(values.get(chapter.id, {}))
        rows.append(ChapterRow(chapter, v, flags_for(v, before.get(chapter.id, {}), ctx)))
    rows = sort_rows(rows, sort, per_member)
    totals, medians = summarise(rows, per_member)
    return Comparison(period, filters, sort, per_member, rows, totals, medians)


def regions() -> list[str]:
    return list(db.session.scalars(select(Chapter.region).distinct().order_by(Chapter.region)))
