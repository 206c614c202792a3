"""Notification emails: rendered from templates (text and HTML), queued in the outbox, each
with a signed one-click link that turns its kind off (RFC 8058 List-Unsubscribe)."""

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer

from accounts.models import User
from core.http import external_url
from core.mail import header_line, queue_email
from notifications.kinds import DIGEST_TOKEN_KIND, KIND_LABELS
from notifications.models import Notification

_SALT = "relay.notifications.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    """Names one person and one kind; no expiry, as a link in an old email should still work."""
    return _serializer().dumps([user_id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a token this site signed, or None for anything else."""
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
    ):
        return None
    return value[0], value[1]


def _queue(user: User, subject: str, template: str, kind: str, **context) -> None:
    unsubscribe = external_url("notifications.unsubscribe", token=unsubscribe_token(user.id, kind))
    context |= {
        "subject": subject,
        "user": user,
        "unsubscribe_url": unsubscribe,
        "settings_url": external_url("notifications.settings"),
        "base_url": current_app.config["BASE_URL"].rstrip("/"),
    }
    queue_email(
        user.email,
        subject,
        render_template(f"notifications/email/{template}.txt", **context),
        html=render_template(f"notifications/email/{template}.html", **context),
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _subject(text: str) -> str:
    """The notification's first line (cut at any line break `str.splitlines()` knows: a
    browser sends a textarea's lines with CRLF), as one header line."""
    first = header_line((text.splitlines() or [""])[0])
    return f"Relay: {first[:150]}{'…' if len(first) > 150 else ''}"


def mail_notification(user: User, n: Notification) -> None:
    """One notification, emailed at once."""
    _queue(
        user,
        _subject(n.text),
        "notification",
        n.kind,
        n=n,
        kind_label=KIND_LABELS.get(n.kind, n.kind),
    )


def mail_digest(user: User, notifications: list[Notification]) -> None:
    """The day's notifications of the digest kinds, in one email."""
    count = len(notifications)
    _queue(
        user,
        f"Relay: your daily digest ({count} {'update' if count == 1 else 'updates'})",
        "digest",
        DIGEST_TOKEN_KIND,
        notifications=notifications,
    )
