"""The audit log in plain words: what features register so its reader can describe events,
the secrets kept out of it, and before/after as a list of changes.

Each feature says, when its blueprint is registered, how to name its objects and how to
word its actions:

    add_object_kind(app, "actions", "Action", lambda ids: select(Action.id, Action.title)
                    .where(Action.id.in_(ids)))
    add_action_words(app, {"action.signed_up": "{actor} signed up for {object}"})

A kind's `names(ids)` is a SELECT of (id, name as a string); the reader unions those of
every kind on a page into one statement, so a page's cost does not grow with its variety.

The reader (chapters.services.activity) fills `{actor}`, `{object}`, `{person}` (the
person a payload names by `user_id` or `lead_id`) and `{before.x}`/`{after.x}` (payload
values; a person's id under `user_id` or `lead_id` reads as their name under `person` or
`lead`: `{before.lead}`). Where the right words depend on the event (a lead taken over in a
swap is not a lead assigned by a leader), a feature registers a function of the event that
returns the pattern; it is called with None for the filter menu's general label.

Words registered with `shared=True` describe something every reader of the
chapter may see anyway, so they may appear in the chapter overview's recent activity;
the rest (invitations, someone's unavailability) only in the full log. Like the chapter
home panels, the registry lives on `app.extensions`, never in module state.
"""

import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Select

from core.models import AuditEvent

KINDS = "relay.activity_kinds"
WORDS = "relay.activity_words"

# A payload key naming any of these is a secret: stripped when recorded, and again when shown.
_SECRET_KEY = re.compile(r"pass(word|wd|phrase)?|token|secret|hash|credential|api_?key|^key$|_key$")
REMOVED = "(removed)"


@dataclass(frozen=True)
class ObjectKind:
    object_type: str  # the table name stored in audit_events.object_type
    label: str  # "Action"
    names: Callable[[set[int]], Select]  # ids -> SELECT (id, name as a string)
    wording: str = "{}"  # how a name reads in a sentence: "the outcome of {}"


# An event (None: any event of the action, for a menu) -> the pattern that words it.
PatternFor = Callable[[AuditEvent | None], str]


@dataclass(frozen=True)
class ActionWords:
    action: str  # "action.signed_up"
    pattern: str | PatternFor  # "{actor} signed up for {object}"
    shared: bool  # may show to every reader of the chapter (recent activity)

    def pattern_for(self, event: AuditEvent | None) -> str:
        return self.pattern(event) if callable(self.pattern) else self.pattern


def add_object_kind(
    app: Flask,
    object_type: str,
    label: str,
    names: Callable[[set[int]], Select],
    wording: str = "{}",
) -> None:
    kind = ObjectKind(object_type, label, names, wording)
    app.extensions.setdefault(KINDS, {})[object_type] = kind


def add_action_words(
    app: Flask, words: Mapping[str, str | PatternFor], shared: bool = True
) -> None:
    registry = app.extensions.setdefault(WORDS, {})
    for action, pattern in words.items():
        registry[action] = ActionWords(action, pattern, shared)


def object_kinds() -> dict[str, ObjectKind]:
    return current_app.extensions.get(KINDS, {})


def action_words() -> dict[str, ActionWords]:
    return current_app.extensions.get(WORDS, {})


def shared_actions() -> list[str]:
    return sorted(a for a, w in action_words().items() if w.shared)


# --- secrets ------------------------------------------------------------------------------------


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key.lower()))


def strip_secrets(value: Any) -> Any:
    """The value with every secret-named key's value replaced, at any depth."""
    if isinstance(value, dict):
        return {k: REMOVED if is_secret_key(str(k)) else strip_secrets(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strip_secrets(v) for v in value]
    return value


# --- before and after -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    old: str | None  # None: the field was not there before (a creation)
    new: str | None  # None: not there after (a removal)


def _shown(value: Any, limit: int = 300) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        text = ", ".join(_shown(v, limit) for v in value) or "—"
    elif isinstance(value, dict):
        text = "; ".join(f"{k}: {_shown(v, limit)}" for k, v in value.items()) or "—"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(key: str) -> str:
    return key.replace("_", " ")


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The fields that differ, in the order the event recorded them; secrets never shown."""
    before, after = strip_secrets(before or {}), strip_secrets(after or {})
    keys = list(dict.fromkeys([*before, *after]))
    out = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        out.append(
            Change(
                _label(key),
                _shown(old) if key in before else None,
                _shown(new) if key in after else None,
            )
        )
    return out


# --- words ----------------------------------------------------------------------------------------


class _Payload(string.Formatter):
    """`{after.role}` and `{before.status}` from the event's payload; missing parts are blank."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        head, _, rest = field_name.partition(".")
        value = kwargs.get(head, "")
        if rest:
            value = value.get(rest, "") if isinstance(value, dict) else ""
            if is_secret_key(rest):
                value = REMOVED
        return _shown(value, 120) if not isinstance(value, str) else value, field_name


def fill(pattern: str, **values: Any) -> str:
    return _Payload().format(pattern, **values)


def generic_pattern(action: str) -> str:
    """Words for an action no feature described: its name, readable."""
    verb = action.split(".", 1)[-1].replace("_", " ")
    return "{actor}: " + verb + " ({object})"


def pattern_for(action: str, event: AuditEvent | None = None) -> str:
    """The registered words for this action (for this event, where they depend on it)."""
    words = action_words().get(action)
    return words.pattern_for(event) if words is not None else generic_pattern(action)


def readable_kind(object_type: str) -> str:
    """A table name no feature described, as a noun: "addendum_files" -> "addendum file"."""
    noun = object_type.replace("_", " ")
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


class _Blank(dict):
    """Any payload value, in a menu label: "…"."""

    def get(self, key: Any, default: Any = None) -> str:
        return "…"


def action_choices(actions: Iterable[str]) -> list[tuple[str, str]]:
    """(action, label) for a filter menu: "Action · signed up for …"."""
    kinds = object_kinds()
    out = []
    for action in sorted(actions):
        text = fill(
            pattern_for(action),
            actor="",
            object="…",
            person="someone",
            chapter="a chapter",
            before=_Blank(),
            after=_Blank(),
        )
        prefix = action.split(".", 1)[0]
        kind = next((k.label for k in kinds.values() if k.object_type.startswith(prefix)), None)
        label = (kind or prefix.replace("_", " ").capitalize()) + " · " + text.strip(" :")
        out.append((action, label))
    return out
