"""Stored UTC times and a chapter's (or the viewer's) wall clock: showing and converting."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def localtime(value: datetime | None, tzname: str = "UTC", fmt: str = "%d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    try:
        zone = ZoneInfo(tzname or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = value.astimezone(zone)
    if "%H" in fmt or "%I" in fmt:  # a time of day is ambiguous without its zone
        return f"{local.strftime(fmt)} {local.tzname()}"
    return local.strftime(fmt)


def html_datetime(value: datetime | date | None) -> str:
    """A moment as HTML's `datetime` attribute wants it: a valid global date and time
    string, in UTC to the second (`2026-12-05T00:00:49Z`; HTML allows at most three
    fraction digits, Python's isoformat() writes six). A date is written as a date."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return value.isoformat()
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_utc(day: date, at: time, tzname: str) -> datetime:
    """A wall-clock day and time in a zone, as the UTC instant stored."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tzname)).astimezone(UTC)


def local(dt: datetime, tzname: str) -> datetime:
    return dt.astimezone(ZoneInfo(tzname))


def local_time_exists(day: date, at: time, tzname: str) -> bool:
    """False for a wall-clock time skipped when clocks go forward (e.g. 02:30 that night)."""
    back = to_utc(day, at, tzname).astimezone(ZoneInfo(tzname))
    return (back.date(), back.time().replace(tzinfo=None)) == (day, at)


def academic_year_start(today: date, start_month: int) -> date:
    year = today.year if today.month >= start_month else today.year - 1
    return date(year, start_month, 1)
