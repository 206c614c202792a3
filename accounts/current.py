"""The signed-in person as a `User` row of this request's session."""

from flask_login import current_user

from accounts.models import User
from core.extensions import db


def current_actor() -> User:
    """The signed-in user, for services that record who acted (identity-map hit, no query)."""
    return db.session.get(User, current_user.id)
