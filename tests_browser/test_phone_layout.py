"""Campaign and action pages on a phone-sized screen: full-page screenshots, no sideways scroll."""

from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}

OVERFLOW = """() => {
  const limit = window.innerWidth + 1;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit && !e.closest('.overflow-auto'))
    .slice(0, 8)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') +
         ' right=' + Math.round(e.getBoundingClientRect().right));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide};
}"""


def assert_no_sideways_scroll(page: Page, shot) -> None:
    page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 0
    m = page.evaluate(OVERFLOW)
    assert m["innerWidth"] == PHONE["width"]
    assert m["scrollWidth"] <= m["innerWidth"] + 1, (
        f"{page.url} scrolls sideways on a phone: {m['scrollWidth']}px wide in a "
        f"{m['innerWidth']}px window; widest elements: {m['wide']}"
    )


def test_campaign_and_action_pages_fit_a_phone(signed_in, artifacts_dir):
    page = signed_in("leader@relay.test", viewport=PHONE)
    page.get_by_role("link", name="Riverside Health Advocates").click()
    page.get_by_role("navigation", name="Chapter").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Extend free-clinic hours").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    assert_no_sideways_scroll(page, artifacts_dir / "campaign-phone.png")

    # An upcoming action: the leader's view, with the lead form and the pool table.
    timeline = page.get_by_role("region", name="Timeline")
    timeline.get_by_role("row").filter(has_text="Planned").get_by_role("link").first.click()
    expect(page.get_by_role("region", name="Who is coming")).to_be_visible()
    page.get_by_text("How the pool compares").click()  # open the wide comparison table
    assert_no_sideways_scroll(page, artifacts_dir / "action-phone.png")

    # With the lead, hand-off and swap forms on one page, every visible element's id is
    # unique, so each label names its own field. (Each form's hidden CSRF input is
    # id="csrf_token"; no label points at those.)
    duplicates = page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]:not([type=hidden])')]"
        ".map(e => e.id);"
        " return ids.filter((id, i) => ids.indexOf(id) !== i); }"
    )
    assert duplicates == []
    for label in ("Lead", "Hand off to", "Note for the next lead", "Why you need a swap"):
        expect(page.get_by_label(label, exact=label == "Lead")).to_have_count(1)
