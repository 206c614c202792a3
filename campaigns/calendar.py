"""iCalendar output (RFC 5545) for actions and milestone due dates, with their time zone."""

from collections.abc import Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from campaigns.models import Action, ActionStatus, Milestone
from core.db import utcnow


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Relay//Student advocacy chapters//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _action_event(action: Action, host: str) -> Event:
    tz = ZoneInfo(action.campaign.chapter.timezone)
    ev = Event()
    ev.add("uid", f"action-{action.id}@{host}")
    ev.add("dtstamp", utcnow())
    ev.add("summary", f"{action.title} ({action.campaign.title})")
    ev.add("dtstart", action.starts_at.astimezone(tz))
    ev.add("dtend", action.ends_at.astimezone(tz))
    if action.location:
        ev.add("location", action.location)
    lead = action.lead.display_name if action.lead else "not assigned yet"
    ev.add("description", f"{action.kind_label}. Lead: {lead}.\n\n{action.description}".strip())
    ev.add("status", "CANCELLED" if action.status == ActionStatus.CANCELLED else "CONFIRMED")
    ev.add("sequence", action.version)
    return ev


def _milestone_event(milestone: Milestone, host: str) -> Event:
    ev = Event()
    ev.add("uid", f"milestone-{milestone.id}@{host}")
    ev.add("dtstamp", utcnow())
    ev.add("summary", f"Due: {milestone.title} ({milestone.campaign.title})")
    ev.add("dtstart", milestone.due_date)
    ev.add("dtend", milestone.due_date + timedelta(days=1))
    ev.add("transp", "TRANSPARENT")
    return ev


def build_calendar(
    name: str, actions: Iterable[Action], milestones: Iterable[Milestone], host: str
) -> bytes:
    cal = _calendar(name)
    for a in actions:
        cal.add_component(_action_event(a, host))
    for m in milestones:
        cal.add_component(_milestone_event(m, host))
    cal.add_missing_timezones()
    return cal.to_ical()
