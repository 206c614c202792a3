"""Keyboard-only use, the skip link, and the site with JavaScript turned off."""

import re

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "relay-demo-2026"


def focused(page: Page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName, id: e.id, text: (e.innerText || '').trim()}; }"
    )


def tab_to(page: Page, element_id: str, most: int = 10) -> None:
    """Press Tab until the element with this id has the focus (it may have it already)."""
    for _ in range(most):
        if focused(page)["id"] == element_id:
            return
        page.keyboard.press("Tab")
    assert focused(page)["id"] == element_id, f"Tab never reached #{element_id}"


def test_sign_in_with_the_keyboard_only_and_use_the_skip_link(new_page):
    page = new_page()
    page.goto("/login")
    tab_to(page, "email")
    page.keyboard.type("leader@relay.test")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My week", level=1)).to_be_visible()

    # The first Tab on a page lands on the skip link, which shows and jumps to the content.
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_have_attribute("href", "#main")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to content"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "skip link is off screen"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    assert focused(page)["id"] == "main"


def test_sign_in_and_sign_up_for_an_action_without_javascript(signed_in):
    # Signing in goes through the form here too, with JavaScript off.
    page = signed_in("kwame@relay.test", java_script_enabled=False)
    page.get_by_role("link", name="Riverside Health Advocates").click()
    page.get_by_role("navigation", name="Chapter").get_by_role("link", name="Calendar").click()
    links = page.locator("main section li a")
    expect(links.first).to_be_visible()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]

    sign_me_up = page.get_by_role("button", name="Sign me up")
    for href in hrefs:  # the first upcoming action that still takes sign-ups
        page.goto(href)
        if sign_me_up.count():
            break
    else:
        raise AssertionError("no upcoming action offers 'Sign me up' to kwame@relay.test")
    sign_me_up.click()
    expect(page.locator(".flashes").get_by_text("You are signed up.")).to_be_visible()
    coming = page.get_by_role("region", name="Who is coming")
    expect(coming).to_contain_text("Kwame Mensah")
    expect(page.get_by_role("button", name="Withdraw my sign-up")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Relay")).to_be_visible()
