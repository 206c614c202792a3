"""What every metric query shares: the period and moment it is computed for, who is on
the roster then, and days between two times on SQLite and PostgreSQL alike."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, String, and_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from chapters.models import Membership, MembershipStatus
from national.period import Period

Values = dict[int, dict[str, Any]]  # chapter id -> metric key -> value


@dataclass(frozen=True)
class Context:
    period: Period
    now: datetime
    overdue_days: int
    domains: tuple[str, ...]  # the configured Relational Leadership domain keys

    @property
    def as_of(self) -> datetime:
        """The end of the period, or now for a period not yet over."""
        return min(self.period.ends_at, self.now)

    def in_period(self, column):
        return and_(column >= self.period.starts_at, column < self.period.ends_at)


class days_between(FunctionElement):
    """Days (with fractions) from `start` to `end`, on SQLite and PostgreSQL alike."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    end, start = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    end, start = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"
        " / 86400.0)"
    )


def on_roster(ctx: Context):
    """Memberships on the roster at the period's end: joined before it and not left by
    then (for a period not yet over: active today)."""
    on_roster = and_(
        Membership.joined_at < ctx.as_of,
        or_(Membership.left_at.is_(None), Membership.left_at >= ctx.as_of),
    )
    if ctx.as_of >= ctx.now:
        on_roster = and_(on_roster, Membership.status == MembershipStatus.ACTIVE)
    return on_roster


class month_of(FunctionElement):
    """The UTC month of a time as 'YYYY-MM', on SQLite and PostgreSQL alike."""

    type = String()
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_of_sqlite(element, compiler, **kw):
    (moment,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(moment, **kw)})"


@compiles(month_of)
def _month_of_default(element, compiler, **kw):
    (moment,) = list(element.clauses)
    return f"to_char({compiler.process(moment, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM')"
