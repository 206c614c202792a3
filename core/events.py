"""Domain events: a service announces what happened; features to its right react.

Services call `publish("lead.assigned", action=..., actor=...)` after their change and
before the view commits, so whatever a subscriber writes (a notification, an email in
the outbox) commits or rolls back with the change. Subscribers register when their
blueprint is registered:

    @bp.record_once
    def _subscribe(state):
        subscribe(state.app, "lead.assigned", on_lead_assigned)

The registry lives on `app.extensions`, so every app built by the factory has its own.
An event nobody subscribed to is a no-op.
"""

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

EXTENSION = "relay.event_subscribers"


def subscribe(app: Flask, name: str, handler: Callable[..., None]) -> None:
    app.extensions.setdefault(EXTENSION, {}).setdefault(name, []).append(handler)


def publish(name: str, **payload: Any) -> None:
    for handler in current_app.extensions.get(EXTENSION, {}).get(name, []):
        handler(**payload)
