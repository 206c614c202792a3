"""Test data builders: each makes a valid object with sensible defaults and flushes it."""

import itertools

from accounts.models import User
from core.extensions import db

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_user(
    email: str | None = None,
    *,
    name: str | None = None,
    profession: str = "Medicine",
    kind: str = "student",
    password: str = PASSWORD,
    active: bool = True,
    national_staff: bool = False,
    admin: bool = False,
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@example.org",
        display_name=name or f"User {n}",
        profession=profession,
        kind=kind,
        password=password,
        active=active,
        is_national_staff=national_staff or admin,
        is_admin=admin,
    )
    db.session.add(user)
    db.session.commit()
    return user
