"""Relay's shell: the app factory, extensions, database base, security and shared services."""

from core.app import create_app

__all__ = ["create_app"]
