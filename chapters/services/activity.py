"""The activity log's reader: a chapter's (or the whole network's) audit events, filtered,
a page at a time, each in plain words with its before/after as a list of changes.

A page costs a fixed number of statements whatever the log's size: the count and the
page, one for the people named, one per kind of object on the page (core.activity's
registry, a dozen at most) and, for the network's log, one for the chapters' names.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, String, cast, literal, or_, select, union_all

from accounts.models import User
from chapters.models import Chapter
from core.activity import (
    Change,
    changes,
    fill,
    object_kinds,
    pattern_for,
    readable_kind,
    shared_actions,
)
from core.extensions import db
from core.models import AuditEvent

# Payload keys that name a person: the sentence may say who as {person}, and the list
# of changes shows their name under the label given here.
PERSON_KEYS = {"user_id": "person", "lead_id": "lead"}


@dataclass(frozen=True)
class ActivityFilters:
    person: str = ""  # part of a name or email
    kind: str = ""  # an object type ("actions")
    action: str = ""  # "action.signed_up"
    since: date | None = None  # inclusive, a day in the log's zone
    until: date | None = None  # inclusive


@dataclass(frozen=True)
class ActivityLine:
    event: AuditEvent
    words: str
    chapter_name: str | None
    changes: list[Change] = field(default_factory=list)


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _filtered(chapter: Chapter | None, filters: ActivityFilters) -> Select:
    query = select(AuditEvent)
    if chapter is not None:
        query = query.where(AuditEvent.chapter_id == chapter.id)
    zone = chapter.timezone if chapter is not None else "UTC"
    if filters.person:
        like = f"%{filters.person}%"
        people = select(User.id).where(or_(User.display_name.ilike(like), User.email.ilike(like)))
        query = query.where(AuditEvent.actor_id.in_(people))
    if filters.kind:
        query = query.where(AuditEvent.object_type == filters.kind)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since:
        query = query.where(AuditEvent.at >= _day_start(filters.since, zone))
    if filters.until:
        query = query.where(AuditEvent.at < _day_start(filters.until + timedelta(days=1), zone))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def activity_page(
    chapter: Chapter | None, filters: ActivityFilters, page: int, per_page: int
) -> tuple[Pagination, list[ActivityLine]]:
    """One page of the chapter's log (None: the network's), newest first, described."""
    result = db.paginate(_filtered(chapter, filters), page=page, per_page=per_page, error_out=False)
    return result, describe(list(result.items), chapter, with_changes=True)


def recent_activity(chapter: Chapter, limit: int = 10) -> list[ActivityLine]:
    """The chapter's last events that any reader of the chapter may know about."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.chapter_id == chapter.id, AuditEvent.action.in_(shared_actions()))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return describe(list(events), chapter, with_changes=False)


def _person_ids(ev: AuditEvent) -> list[int]:
    ids = []
    for payload in (ev.after, ev.before):
        for key in PERSON_KEYS:
            value = (payload or {}).get(key)
            if isinstance(value, int):
                ids.append(value)
    return ids


def _named(payload: dict | None, names: dict[int, str]) -> dict | None:
    """The payload with people's ids shown as their names."""
    if not payload:
        return payload
    return {
        PERSON_KEYS.get(k, k): names.get(v, f"#{v}")
        if k in PERSON_KEYS and isinstance(v, int)
        else v
        for k, v in payload.items()
    }


def _payload_person(ev: AuditEvent, names: dict[int, str]) -> str:
    for value in _person_ids(ev):
        return names.get(value, "someone")
    return "nobody"


# Markers for the names the reader looks up beside the registered kinds' objects.
_PEOPLE, _CHAPTERS = "#people", "#chapters"


def _names(wanted: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    """Every name a page needs — people, chapters and each kind's objects — in one UNION."""
    kinds = object_kinds()
    parts = []
    for kind, ids in wanted.items():
        if kind == _PEOPLE:
            part = select(User.id, User.display_name).where(User.id.in_(ids))
        elif kind == _CHAPTERS:
            part = select(Chapter.id, Chapter.name).where(Chapter.id.in_(ids))
        else:
            part = kinds[kind].names(ids)
        parts.append(part.add_columns(cast(literal(kind), String)))
    if not parts:
        return {}
    statement = parts[0] if len(parts) == 1 else union_all(*parts)
    found: dict[str, dict[int, str]] = {}
    for object_id, name, kind in db.session.execute(statement):
        found.setdefault(kind, {})[object_id] = name
    return found


def describe(
    events: list[AuditEvent], chapter: Chapter | None, with_changes: bool
) -> list[ActivityLine]:
    """Each event in plain words; the names they need come in one statement."""
    kinds = object_kinds()
    wanted: dict[str, set[int]] = {}
    for ev in events:
        for person in ([ev.actor_id] if ev.actor_id else []) + _person_ids(ev):
            wanted.setdefault(_PEOPLE, set()).add(person)
        if ev.object_type in kinds and ev.object_id is not None:
            wanted.setdefault(ev.object_type, set()).add(ev.object_id)
        if chapter is None and ev.chapter_id:
            wanted.setdefault(_CHAPTERS, set()).add(ev.chapter_id)
    found = _names(wanted)
    names = found.get(_PEOPLE, {})
    chapters = {chapter.id: chapter.name} if chapter is not None else found.get(_CHAPTERS, {})
    lines = []
    for ev in events:
        text = fill(
            pattern_for(ev.action, ev),
            actor=names.get(ev.actor_id, "Someone") if ev.actor_id else "Someone",
            object=_object_name(ev, found),
            person=_payload_person(ev, names),
            chapter=chapters.get(ev.chapter_id or 0, "the chapter"),
            before=_named(ev.before, names) or {},
            after=_named(ev.after, names) or {},
        )
        lines.append(
            ActivityLine(
                event=ev,
                words=text[:1].upper() + text[1:],
                chapter_name=chapters.get(ev.chapter_id or 0),
                changes=(
                    changes(_named(ev.before, names), _named(ev.after, names))
                    if with_changes
                    else []
                ),
            )
        )
    return lines


def _object_name(ev: AuditEvent, objects: dict[str, dict[int, str]]) -> str:
    if ev.object_type is None or ev.object_id is None:
        return "something"
    kind = object_kinds().get(ev.object_type)
    name = objects.get(ev.object_type, {}).get(ev.object_id)
    if name and kind is not None:
        return kind.wording.format(name)
    if kind is None:
        return f"{readable_kind(ev.object_type)} #{ev.object_id}"
    return f"a removed {kind.label.lower()} (#{ev.object_id})"
