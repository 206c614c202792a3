"""iCalendar output (RFC 5545) for actions and milestone due dates, with their time zone.

The events are written here directly: a feed has hundreds of them and icalendar's
per-property objects made building one cost most of a second. icalendar still supplies
each VTIMEZONE (built once per zone and kept) and reads the output back in the tests.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone

from campaigns.models import ACTION_KINDS, Action, ActionStatus, Milestone

PRODID = "-//Relay//Student advocacy chapters//EN"


@dataclass(frozen=True, slots=True)
class ActionEvent:
    """What an action's event shows; the feeds load just these columns."""

    id: int
    title: str
    campaign_title: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str
    kind: str
    status: str
    version: int
    updated_at: datetime
    lead_name: str | None

    @classmethod
    def of(cls, action: Action) -> "ActionEvent":
        return cls(
            action.id,
            action.title,
            action.campaign.title,
            action.campaign.chapter.timezone,
            action.starts_at,
            action.ends_at,
            action.location,
            action.description,
            action.kind,
            action.status,
            action.version,
            action.updated_at,
            action.lead.display_name if action.lead else None,
        )


@dataclass(frozen=True, slots=True)
class MilestoneEvent:
    id: int
    title: str
    campaign_title: str
    due_date: date
    updated_at: datetime

    @classmethod
    def of(cls, milestone: Milestone) -> "MilestoneEvent":
        return cls(
            milestone.id,
            milestone.title,
            milestone.campaign.title,
            milestone.due_date,
            milestone.updated_at,
        )


# --- RFC 5545 values and lines --------------------------------------------------------------


def _text(value: str) -> str:
    """A TEXT value (3.3.11): backslash, semicolon, comma and newline escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _param(value: str) -> str:
    """A parameter value (3.1): quoted when it holds a separator; quotes cannot appear."""
    value = value.replace('"', "'")
    return f'"{value}"' if any(c in value for c in ";:,") else value


def _fold(line: str) -> str:
    """A content line folded at 75 octets (3.1), never inside a UTF-8 character."""
    if len(line) <= 75 and line.isascii():
        return line + "\r\n"
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n".join(parts) + "\r\n"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _zoned(name: str, moment: datetime, zone: str) -> str:
    """A DATE-TIME property in the chapter's zone (TZID), or in UTC for a UTC chapter."""
    if zone == "UTC":
        return f"{name}:{_utc(moment)}"
    local = moment.astimezone(ZoneInfo(zone)).strftime("%Y%m%dT%H%M%S")
    return f"{name};TZID={_param(zone)}:{local}"


@lru_cache(maxsize=64)
def _vtimezone(zone: str) -> str:
    """The zone's definition, as icalendar's add_missing_timezones writes it (1970-2038)."""
    return Timezone.from_tzid(zone).to_ical().decode()


def _action_lines(a: ActionEvent, host: str) -> list[str]:
    lead = a.lead_name or "not assigned yet"
    kind = ACTION_KINDS.get(a.kind, a.kind)
    description = f"{kind}. Lead: {lead}.\n\n{a.description}".strip()
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{_text(f'{a.title} ({a.campaign_title})')}",
        _zoned("DTSTART", a.starts_at, a.timezone),
        _zoned("DTEND", a.ends_at, a.timezone),
        # Without a METHOD, DTSTAMP is when the event last changed (3.8.7.2).
        f"DTSTAMP:{_utc(a.updated_at)}",
        f"UID:{_text(f'action-{a.id}@{host}')}",
        f"SEQUENCE:{a.version}",
        f"DESCRIPTION:{_text(description)}",
    ]
    if a.location:
        lines.append(f"LOCATION:{_text(a.location)}")
    lines.append(f"STATUS:{'CANCELLED' if a.status == ActionStatus.CANCELLED else 'CONFIRMED'}")
    lines.append("END:VEVENT")
    return lines


def _milestone_lines(m: MilestoneEvent, host: str) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"SUMMARY:{_text(f'Due: {m.title} ({m.campaign_title})')}",
        f"DTSTART;VALUE=DATE:{m.due_date:%Y%m%d}",
        f"DTEND;VALUE=DATE:{m.due_date + timedelta(days=1):%Y%m%d}",
        f"DTSTAMP:{_utc(m.updated_at)}",
        f"UID:{_text(f'milestone-{m.id}@{host}')}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def build_calendar(
    name: str, actions: Iterable[ActionEvent], milestones: Iterable[MilestoneEvent], host: str
) -> bytes:
    """The VCALENDAR: a VTIMEZONE for each zone the events name (first, as icalendar puts
    them, for readers that want a zone defined before it is used), then the events."""
    actions = list(actions)
    zones = dict.fromkeys(a.timezone for a in actions if a.timezone != "UTC")
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{_text(PRODID)}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_text(name)}",
    ]
    events: list[str] = []
    for a in actions:
        events += _action_lines(a, host)
    for m in milestones:
        events += _milestone_lines(m, host)
    body = "".join(map(_fold, lines)) + "".join(map(_vtimezone, zones))
    return (body + "".join(map(_fold, events)) + "END:VCALENDAR\r\n").encode()
