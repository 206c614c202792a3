"""The chapters blueprint's routes, one module per sub-domain (each registers on import)."""

from chapters.views import activity, chapters, invitations, roster, vision  # noqa: F401
