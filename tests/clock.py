"""The suite's clock: the instant every test starts at, and "today" the way the app counts it.

Every test runs under time-machine, starting at one instant and ticking on from there
(tests/conftest.py's autouse `clock` fixture), so `core.db.utcnow()`, `datetime.now()`,
`time.time()` and the timestamps that Werkzeug and itsdangerous write all read the same
moved clock. RELAY_TEST_NOW (ISO 8601 with a zone, e.g. 2026-12-05T00:30:00Z) chooses the
instant, or several (comma-separated); `make test-dates` runs the tests marked `dates` at
the risky ones.
"""

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from core.db import utcnow

# An ordinary weekday afternoon in UTC, morning across the US zones: no day, month, year,
# academic-year or daylight-saving boundary near it.
DEFAULT_TEST_NOW = "2026-11-18T15:00:00Z"


def start_instants() -> list[datetime]:
    """The instants tests start at: RELAY_TEST_NOW (one, or several separated by commas,
    each test then running once at each), else DEFAULT_TEST_NOW; in UTC."""
    raw = os.environ.get("RELAY_TEST_NOW") or DEFAULT_TEST_NOW
    return [_instant(part.strip()) for part in raw.split(",") if part.strip()]


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"RELAY_TEST_NOW: {text!r} is not an ISO 8601 date and time") from exc
    if moment.tzinfo is None:
        raise ValueError(f"RELAY_TEST_NOW: {text!r} needs a zone, e.g. {text}Z")
    return moment.astimezone(UTC)


def today_in(zone: str) -> date:
    """Today's date on the wall clock of `zone` (a chapter's), as the app counts days."""
    return utcnow().astimezone(ZoneInfo(zone)).date()
