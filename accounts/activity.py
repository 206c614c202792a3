"""How the activity log names people and words account events (registered with core.activity)."""

from flask import Flask
from sqlalchemy import Select, select

from accounts.models import User
from core.activity import add_action_words, add_object_kind


def user_names(ids: set[int]) -> Select:
    return select(User.id, User.display_name).where(User.id.in_(ids))


def register_activity(app: Flask) -> None:
    add_object_kind(app, "users", "Account", user_names)
    # Sign-ins and account changes belong to no chapter: only the network's log shows them.
    add_action_words(
        app,
        {
            "login": "{actor} signed in",
            "logout": "{actor} signed out",
            "login.failed": "A sign-in as {after.email} failed",
            "login.throttled": "Sign-ins as {after.email} were paused after repeated failures",
            "password.changed": "{actor} changed their password",
            "password.reset_requested": "A password reset link was asked for {after.email}",
            "password.reset_throttled": "A password reset for {after.email} was refused: too many",
            "password.reset": "{actor} set a new password with a reset link",
            "profile.updated": "{actor} updated their profile",
            "account.created": "{actor} created the account of {object}",
            "account.disabled": "{actor} disabled the account of {object}",
            "account.enabled": "{actor} enabled the account of {object}",
            "calendar.regenerated": "{actor} made a new calendar feed address",
        },
        shared=False,
    )
