"""Every `datetime="..."` attribute Relay writes is one HTML accepts: a valid date, time or
global date and time string (at most three fraction digits), made by one filter."""

import re
from datetime import UTC, datetime
from pathlib import Path

from core.audit import record_event
from core.extensions import db
from notifications.kinds import Kind
from notifications.services import notify
from tests.notifications_world import world_fixture  # noqa: F401  (fixture)

# HTML's grammar (WHATWG, "Dates and times"): a date, a time, a local or a global date and
# time; seconds may carry one to three fraction digits; a zone is Z or ±HH:MM / ±HHMM.
_DATE = r"\d{4,}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?"
_ZONE = r"(?:Z|[+-]\d{2}:?\d{2})"
VALID = re.compile(rf"{_DATE}|{_TIME}|{_DATE}[T ]{_TIME}{_ZONE}?")

MOMENT = datetime(2026, 12, 5, 0, 0, 49, 46099, tzinfo=UTC)  # six fraction digits


def test_the_filter_writes_utc_to_the_second():
    from core.timefmt import html_datetime  # imported here: the page tests stand without it

    assert html_datetime(MOMENT) == "2026-12-05T00:00:49Z"
    assert html_datetime(MOMENT.date()) == "2026-12-05"
    assert html_datetime(None) == ""


def test_every_datetime_attribute_on_the_main_pages_is_valid_html(world, client, login_as, clock):
    clock.move_to(MOMENT)
    readers = (world.leader, world.advisor)
    notify(Kind.VISION_PROPOSED, [p.id for p in readers], chapter_id=world.a.id, link="/", text="N")
    record_event("chapter.updated", actor=world.leader, obj=world.a, chapter_id=world.a.id)
    db.session.commit()

    seen = []
    pages = {
        world.leader: ("/inbox", "/c/riverside"),
        world.advisor: ("/inbox", "/c/riverside", "/c/riverside/activity"),
        world.staff: ("/activity",),
    }
    for person, urls in pages.items():
        login_as(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            values = re.findall(r'\sdatetime="([^"]*)"', response.get_data(as_text=True))
            seen += [(url, v) for v in values]
    assert {url for url, _ in seen} == {
        "/inbox",
        "/c/riverside",
        "/c/riverside/activity",
        "/activity",
    }
    bad = [(url, v) for url, v in seen if not VALID.fullmatch(v)]
    assert bad == []


def test_templates_write_datetime_attributes_through_the_filter():
    root = Path(__file__).resolve().parent.parent / "templates"
    for template in root.rglob("*.html"):
        for value in re.findall(r'datetime="([^"]*)"', template.read_text()):
            assert "html_datetime" in value, f"{template.relative_to(root)}: {value}"
