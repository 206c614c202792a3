"""Notifications: the inbox, email at once or in a daily digest, and scheduled reminders."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("notifications", __name__)


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    """React to the chapters' and campaigns' events, show the unread count in the
    navigation, word its events in the activity log, and add `flask notify run`."""
    from notifications.activity import register_activity
    from notifications.cli import register
    from notifications.hooks import subscribe_all
    from notifications.views import unread_for_current_user

    subscribe_all(state.app)
    register_activity(state.app)
    # A callable, so the count's one statement runs only on pages that show the navigation.
    state.app.jinja_env.globals["unread_notifications"] = unread_for_current_user
    register(state.app)


from notifications import views  # noqa: E402,F401  (routes register on import)
