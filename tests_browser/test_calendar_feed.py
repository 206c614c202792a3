"""The chapter calendar feed, as a calendar client would fetch it."""

from icalendar import Calendar
from playwright.sync_api import expect


def test_chapter_feed_from_the_calendar_page_is_valid_icalendar_with_time_zones(signed_in):
    page = signed_in("leader@relay.test")
    page.get_by_role("link", name="Riverside Health Advocates").click()
    page.get_by_role("navigation", name="Chapter").get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", name="Upcoming actions, by week")).to_be_visible()
    first_listed = page.locator("main section li a").first.inner_text()

    address = page.get_by_label("Chapter calendar address")
    expect(address).to_have_attribute("readonly", "")
    url = address.input_value()
    assert url.endswith(".ics")

    response = page.request.get(url)
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.body())

    events = list(calendar.walk("VEVENT"))
    assert events, "the feed has no events"
    timed = [e for e in events if e.get("DTSTART") is not None and "TZID" in e["DTSTART"].params]
    assert timed, "no event carries a TZID"
    assert {e["DTSTART"].params["TZID"] for e in timed} == {"America/Chicago"}
    assert all(e["DTSTART"].dt.tzinfo is not None for e in timed)
    # Summaries name the campaign too: "<action> (<campaign>)".
    assert any(str(e["SUMMARY"]).startswith(f"{first_listed} (") for e in events)
