"""Accounts: users, login and logout, server-side sessions, password reset and the profile."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from accounts import views  # noqa: E402,F401  (routes register on import)
