"""The suite's clock: the instant every test starts at, and "today" the way the app counts it.

Every test runs under time-machine, starting at TEST_NOW and ticking on from there
(tests/conftest.py's autouse `clock` fixture), so `core.db.utcnow()`, `datetime.now()`,
`time.time()` and the timestamps that Werkzeug and itsdangerous write all read the same
moved clock. RELAY_TEST_NOW (ISO 8601 with a zone, e.g. 2026-12-05T00:30:00Z) chooses the
instant; `make test-dates` runs the date-sensitive tests at the risky ones.
"""

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from core.db import utcnow

# An ordinary weekday afternoon in UTC, morning across the US zones: no day, month, year,
# academic-year or daylight-saving boundary near it.
DEFAULT_TEST_NOW = "2026-11-18T15:00:00Z"


def start_instant() -> datetime:
    """The instant each test starts at: RELAY_TEST_NOW, else DEFAULT_TEST_NOW (UTC)."""
    raw = os.environ.get("RELAY_TEST_NOW") or DEFAULT_TEST_NOW
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"RELAY_TEST_NOW={raw!r} is not an ISO 8601 date and time") from exc
    if moment.tzinfo is None:
        raise ValueError(f"RELAY_TEST_NOW={raw!r} needs a zone, e.g. {raw}Z")
    return moment.astimezone(UTC)


def today_in(zone: str) -> date:
    """Today's date on the wall clock of `zone` (a chapter's), as the app counts days."""
    return utcnow().astimezone(ZoneInfo(zone)).date()
