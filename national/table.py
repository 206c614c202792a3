"""The comparison as one SQL statement: every chapter's values (the sources of
national/queries.py joined to the chapters), sorted and paged in SQL, with the network's
totals and medians over all the chapters in scope computed alongside.

PostgreSQL takes medians with `percentile_cont`; SQLite has none, so there the median is
the mean of the middle one or two values ranked by `row_number()`. The per-chapter values
are a materialized CTE, computed once whatever reads them.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    Float,
    Integer,
    Select,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
)

from chapters.models import Chapter
from core.db import UTCDateTime
from core.extensions import db
from national import summary_queries
from national.metrics import BY_KEY, COLUMNS, Kind, Metric
from national.queries import COUNTED, MEASURED
from national.query_context import Context, days_between

DETAIL_SORTS = ("name", "region", "status")


@dataclass
class Fetched:
    rows: list[dict[str, Any]]  # the chapters asked for, sorted: their values by key
    count: int  # chapters in scope
    sums: dict[str, Any]  # every summable metric added up over the scope, and active members
    medians: dict[str, float | None]  # the median chapter's value (as shown: per member or not)


def chapter_values(scope: Select, ctx: Context, before: Context) -> CTE:
    """One row per chapter in scope: every metric's value, the roster's counts, and the
    actions done in the baseline period (for the falling-trend flag)."""
    sources = summary_queries.sources(ctx)
    subs = {name: build(scope, ctx).subquery(name) for name, build in sources.items()}
    subs["before"] = summary_queries.actions_source(before)(scope, before).subquery("before")
    columns: list[Any] = [
        Chapter.id.label("chapter_id"),
        Chapter.name.label("name"),
        Chapter.region.label("region"),
        Chapter.status.label("status"),
    ]
    for name, sub in subs.items():
        for column in sub.c:
            if column.key == "chapter_id" or name in ("vision", "before"):
                continue
            if column.key in COUNTED:
                columns.append(func.coalesce(column, 0).label(column.key))
            else:
                columns.append(column)
    adopted = subs["vision"].c.adopted_at
    as_of = literal(ctx.as_of, UTCDateTime)
    days: Any = days_between(as_of, adopted)
    if db.engine.dialect.name == "postgresql":
        days = func.floor(days)  # whole days, as timedelta.days counts (SQLite's CAST truncates)
    columns += [
        case((adopted.is_not(None), 1), else_=0).label("vision_adopted"),
        cast(days, Integer).label("days_since_vision"),
        func.coalesce(subs["before"].c.actions_done, 0).label("actions_before"),
    ]
    query = select(*columns).select_from(Chapter)
    for sub in subs.values():
        query = query.outerjoin(sub, sub.c.chapter_id == Chapter.id)
    return query.where(Chapter.id.in_(scope)).cte("chapter_values").prefix_with("MATERIALIZED")


def _shown(values: CTE, metric: Metric, per_member: bool):
    """A metric's column as the page shows it: divided by active members when asked."""
    column = values.c[metric.key]
    if per_member and metric.per_member:
        return column * 1.0 / func.nullif(values.c.active_members, 0)
    return column


def _median(values: CTE, expression) -> Any:
    if db.engine.dialect.name == "postgresql":
        return (
            select(func.percentile_cont(0.5).within_group(cast(expression, Float)))
            .select_from(values)
            .correlate(None)
            .scalar_subquery()
        )
    ranked = (
        select(
            expression.label("x"),
            func.row_number().over(order_by=expression).label("position"),
            func.count().over().label("n"),
        )
        .select_from(values)
        .where(expression.is_not(None))
        .correlate(None)
        .subquery()
    )
    middle = or_(
        ranked.c.position == (ranked.c.n + 1) // 2, ranked.c.position == (ranked.c.n + 2) // 2
    )
    return type_coerce(
        select(func.avg(ranked.c.x)).where(middle).correlate(None).scalar_subquery(), Float
    )


def _summary_columns(values: CTE, per_member: bool) -> list:
    def over_all(expression):
        return select(expression).select_from(values).correlate(None).scalar_subquery()

    columns = [
        over_all(func.count()).label("_count"),
        over_all(func.coalesce(func.sum(values.c.active_members), 0)).label("_sum_active_members"),
    ]
    for metric in COLUMNS:
        if metric.summable and metric.key != "active_members":
            total = func.coalesce(func.sum(values.c[metric.key]), 0)
            columns.append(over_all(total).label(f"_sum_{metric.key}"))
        if metric.kind not in (Kind.DATE, Kind.YES_NO):
            median = _median(values, _shown(values, metric, per_member))
            columns.append(median.label(f"_median_{metric.key}"))
    return columns


def _order(values: CTE, key: str, descending: bool, per_member: bool) -> list:
    def text(column):
        lowered = func.lower(column)
        return lowered.collate("C") if db.engine.dialect.name == "postgresql" else lowered

    by_name = [text(values.c.name), values.c.chapter_id]
    if key in DETAIL_SORTS:
        column = text(values.c[key])
        return [column.desc() if descending else column, *by_name]
    value = _shown(values, BY_KEY[key], per_member)
    # Blanks last whichever the direction; ties by name.
    return [value.is_(None), value.desc() if descending else value, *by_name]


def fetch(
    scope: Select,
    ctx: Context,
    before: Context,
    sort_key: str,
    descending: bool,
    per_member: bool,
    limit: int | None = None,
    offset: int = 0,
    only: int | None = None,
) -> Fetched:
    """The chapters in scope (or only `only`, or `limit` of them from `offset`), sorted, with
    the network's figures: one statement."""
    values = chapter_values(scope, ctx, before)
    query = select(values, *_summary_columns(values, per_member)).order_by(
        *_order(values, sort_key, descending, per_member)
    )
    if only is not None:
        query = query.where(values.c.chapter_id == only)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    result = db.session.execute(query).mappings().all()
    if not result:
        return Fetched([], 0, {}, {})
    first = result[0]
    sums = {k.removeprefix("_sum_"): v for k, v in first.items() if k.startswith("_sum_")}
    medians = {
        k.removeprefix("_median_"): None if v is None else float(v)
        for k, v in first.items()
        if k.startswith("_median_")
    }
    rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in result]
    for row in rows:
        for key in MEASURED:
            if isinstance(row.get(key), int | float) and key != "last_activity":
                row[key] = float(row[key])
    return Fetched(rows, first["_count"], sums, medians)
