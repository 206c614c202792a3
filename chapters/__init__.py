"""Chapters: the chapter itself, its roster (memberships), invitations and the common vision."""

from flask import Blueprint

bp = Blueprint("chapters", __name__)

from chapters import views  # noqa: E402,F401  (routes register on import)
