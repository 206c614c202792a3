"""Routes: the inbox, marking read, notification settings and the one-click unsubscribe."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from accounts.current import current_actor
from accounts.models import User
from core.extensions import csrf, db
from core.http import page_number, safe_next
from core.outcome import attempt
from notifications import bp
from notifications.email import read_unsubscribe_token
from notifications.forms import PreferencesForm
from notifications.kinds import DIGEST_TOKEN_KIND, KIND_LABELS
from notifications.services import (
    inbox_page,
    mark_all_read,
    mark_read,
    own_notification,
    preferences_of,
    set_preferences,
    turn_off,
    unread_count,
    unsubscribe_known,
)


def unread_for_current_user() -> int:
    """The navigation's unread count (templates call it once per page)."""
    return unread_count(current_user) if current_user.is_authenticated else 0


@bp.route("/inbox")
@login_required
def inbox():
    page = inbox_page(current_user, page_number())
    return render_template("notifications/inbox.html", page=page, kind_labels=KIND_LABELS)


@bp.route("/inbox/<int:notification_id>/read", methods=["POST"])
@login_required
def read_one(notification_id: int):
    notification = own_notification(notification_id, current_user)
    if notification is None:
        abort(404)
    with attempt():
        mark_read(notification)
    return redirect(safe_next("notifications.inbox"))


@bp.route("/inbox/read-all", methods=["POST"])
@login_required
def read_all():
    with attempt("Everything in your inbox is marked read."):
        mark_all_read(current_user)
    return redirect(url_for("notifications.inbox"))


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    user = current_actor()
    current = preferences_of(user)
    form = PreferencesForm.build(current, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        with attempt("Your notification settings are saved.") as done:
            set_preferences(user, form.chosen())
        if done:
            return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form)


def _token_owner(token: str) -> tuple[User, str] | None:
    read = read_unsubscribe_token(token)
    if read is None:
        return None
    user_id, kind = read
    user = db.session.get(User, user_id)
    if user is None or not unsubscribe_known(kind):
        return None
    return user, kind


# No login and no CSRF token: the signed token is the credential, and mail programs send
# RFC 8058's one-click POST ("List-Unsubscribe=One-Click") without a session.
@csrf.exempt
@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    owner = _token_owner(token)
    if owner is None:
        return render_template("notifications/unsubscribe_invalid.html"), 400
    user, kind = owner
    label = "the daily digest" if kind == DIGEST_TOKEN_KIND else f"“{KIND_LABELS[kind].lower()}”"
    if request.method == "POST":
        with attempt() as done:
            turn_off(user, kind)
        if not done:
            abort(409)
        return render_template("notifications/unsubscribe_done.html", label=label, user=user)
    return render_template("notifications/unsubscribe_confirm.html", label=label, user=user)
