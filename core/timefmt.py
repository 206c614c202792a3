"""Show stored UTC times in a chapter's (or the viewer's) time zone."""

from datetime import datetime
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
