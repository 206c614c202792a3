"""How the activity log words the notifications' events (registered with core.activity)."""

from flask import Flask

from core.activity import add_action_words
from core.models import AuditEvent


def preferences_words(event: AuditEvent | None) -> str:
    """Someone's own settings (a form, or an email's one-click link), or an admin's change."""
    if event is None or event.actor_id == event.object_id:
        return "{actor} changed their notification settings"
    return "{actor} changed the notification settings of {object}"


def register_activity(app: Flask) -> None:
    # A person's email settings are theirs: the network's log only (they name no chapter).
    add_action_words(app, {"notifications.preferences_changed": preferences_words}, shared=False)
