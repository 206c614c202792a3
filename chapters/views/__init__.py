"""The chapters blueprint's routes, one module per sub-domain (each registers on import)."""

from chapters.views import chapters, invitations, roster, vision  # noqa: F401
from chapters.views.chapters import HOME_PANELS, home  # noqa: F401  (core and campaigns use them)
