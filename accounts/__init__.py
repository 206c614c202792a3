"""Accounts: users, login and logout, server-side sessions, password reset and the profile."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from core.extensions import login_manager

bp = Blueprint("accounts", __name__)


@bp.record_once
def _set_up_sign_in(state: BlueprintSetupState) -> None:
    """Who a session's user is and where to sign in belong to accounts; so does `flask users`."""
    from accounts.activity import register_activity
    from accounts.cli import register
    from accounts.services import load_session_user

    login_manager.user_loader(load_session_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    register(state.app)
    register_activity(state.app)


from accounts import views  # noqa: E402,F401  (routes register on import)
