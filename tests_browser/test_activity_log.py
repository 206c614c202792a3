"""Issue 12's activity log in a browser: the demo's faculty advisor opens the chapter's log
from its navigation, filters it by a person and a kind of object, and reads what an event
changed, on a desktop and a phone without sideways scroll; a member has no link to it and
is refused at its address."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests_browser.test_phone_layout import OVERFLOW

CHAPTER = "Riverside Health Advocates"
LOG = "/c/riverside/activity"
ADVISOR, ADVISOR_NAME = "advisor@relay.test", "Dr. Helen Cho"
MEMBER = "mei@relay.test"
WIDTHS = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


def chapter_nav(page: Page):
    return page.get_by_role("navigation", name="Chapter")


def assert_fits(page: Page, width: int, shot) -> None:
    page.screenshot(path=shot, full_page=True)
    m = page.evaluate(OVERFLOW)
    assert m["innerWidth"] == width
    assert m["scrollWidth"] <= m["innerWidth"] + 1, (
        f"{page.url} scrolls sideways at {width}px: {m['scrollWidth']}px wide; "
        f"widest elements: {m['wide']}"
    )


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_advisor_filters_the_chapters_log_and_reads_what_changed(
    signed_in, artifacts_dir, width
):
    viewport = WIDTHS[width]
    page = signed_in(ADVISOR, viewport=viewport)

    # From my week to the chapter, then the log from the chapter's own navigation.
    page.get_by_role("link", name=CHAPTER).first.click()
    chapter_nav(page).get_by_role("link", name="Activity", exact=True).click()
    expect(page.get_by_role("heading", name="Activity log", level=2)).to_be_visible()
    assert page.url.endswith(LOG)
    expect(chapter_nav(page).get_by_role("link", name="Activity", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    events = page.locator("ol.activity-log > li")
    expect(events.first).to_be_visible()
    assert_fits(page, viewport["width"], artifacts_dir / f"activity-log-{width}.png")

    # By a person (part of a name) and a kind of object: the advisor's own sign-off decisions.
    page.get_by_label("Person", exact=True).fill("Helen Cho")
    page.get_by_label("Kind of object").select_option(label="Milestone")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text(re.compile(r"^\d+ events? match the filters\.$"))).to_be_visible()
    assert "person=Helen+Cho" in page.url and "kind=milestones" in page.url
    expect(page.get_by_label("Person", exact=True)).to_have_value("Helen Cho")
    expect(events.first).to_be_visible()
    count = events.count()
    assert count >= 2
    for i in range(count):
        expect(events.nth(i)).to_contain_text(f"{ADVISOR_NAME} ")
        expect(events.nth(i)).not_to_contain_text("Priya Raman submitted")

    # What a return changed: the milestone's status, before and after.
    returned = events.filter(has_text=f"{ADVISOR_NAME} returned").first
    details = returned.locator("details")
    expect(details.locator("ul.changes")).to_be_hidden()
    returned.get_by_text("What changed").click()
    diff = details.locator("ul.changes")
    expect(diff).to_be_visible()
    status = diff.locator("li", has_text="status")
    expect(status.locator("del")).to_have_text("submitted")
    expect(status.locator("ins")).to_have_text("returned")
    assert_fits(page, viewport["width"], artifacts_dir / f"activity-log-diff-{width}.png")

    # Clearing the filters shows the whole log again.
    page.get_by_role("link", name="Clear the filters").click()
    expect(page.get_by_text(re.compile(r"^\d+ events?\.$"))).to_be_visible()


def test_a_member_has_no_link_to_the_log_and_is_refused_at_its_address(signed_in):
    page = signed_in(MEMBER)
    page.get_by_role("link", name=CHAPTER).first.click()
    expect(chapter_nav(page).get_by_role("link", name="Roster")).to_be_visible()
    expect(chapter_nav(page).get_by_role("link", name="Activity", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="The full activity log")).to_have_count(0)
    expect(page.get_by_role("heading", name="Recent activity")).to_be_visible()

    response = page.goto(LOG)
    assert response is not None and response.status in (403, 404)
    expect(page.get_by_role("heading", name="Activity log")).to_have_count(0)
