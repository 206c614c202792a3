"""The national blueprint's routes, one module per page family (each registers on import)."""

from national.views import charts, dashboard, exports, public, report  # noqa: F401
