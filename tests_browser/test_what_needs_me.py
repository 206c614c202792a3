"""Issue 10 and 11 in a browser: what My week asks of an advisor (sign-offs waiting) and of
a leader (milestones returned, with the comment), the addendum form with its file field,
an addendum's file on the milestone page, and the actions-to-close page, each at 390 and
1280 px with nothing scrolling sideways and every control on screen (screenshots in
tests/artifacts/, as the layout crawl takes them)."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from test_layout import check_page

CHAPTER = "Riverside Health Advocates"


def needs(page: Page):
    return page.get_by_role("region", name="What needs me")


def fits(page: Page, role: str) -> None:
    page.wait_for_load_state("load")
    path = urlsplit(page.url).path
    problems = check_page(page, role, path)
    assert not problems, "\n".join(problems)


def test_an_advisor_sees_sign_offs_waiting_and_an_addendums_file(signed_in):
    advisor = signed_in("advisor@relay.test")
    block = needs(advisor)
    expect(block.get_by_text(re.compile("waits for your sign-off")).first).to_be_visible()
    expect(block.get_by_text(re.compile(r"\d+ waiting for your decision"))).to_be_visible()
    expect(block.locator(".status", has_text="Overdue").first).to_be_visible()
    fits(advisor, "advisor")

    block.get_by_role("link", name="open the queue").click()
    expect(advisor.get_by_role("heading", name="Sign-offs waiting for you")).to_be_visible()
    fits(advisor, "advisor")

    # The signed-off milestone with an addendum: its recounted sign-in sheet is a link.
    advisor.goto(advisor.url.replace("/signoffs", "/"))
    advisor.get_by_role("link", name=CHAPTER).first.click()
    advisor.get_by_role("link", name="Milestones by state").click()
    approved = advisor.get_by_role("link", name=re.compile(r"^Approved"))
    approved.click()
    expect(approved).to_have_attribute("aria-current", "page")
    advisor.get_by_role("row").nth(2).get_by_role("link").first.click()
    history = advisor.get_by_role("region", name="Sign-off history")
    file_link = history.get_by_role("link", name=re.compile(r"^addendum-\d+-\w+\.pdf$"))
    expect(file_link).to_be_visible()
    fits(advisor, "advisor")


def test_a_leader_sees_the_returned_milestone_and_the_addendum_form(signed_in):
    leader = signed_in("leader@relay.test")
    block = needs(leader)
    returned = block.get_by_role("listitem").filter(has_text="was returned")
    expect(returned).to_contain_text("“")  # the advisor's comment, quoted
    fits(leader, "leader")

    returned.get_by_role("link").first.click()
    expect(leader.locator(".flash-error", has_text="Returned")).to_be_visible()
    fits(leader, "leader")

    leader.get_by_role("link", name="My week").first.click()
    leader.get_by_role("link", name=CHAPTER).first.click()
    leader.get_by_role("link", name="Milestones by state").click()
    approved = leader.get_by_role("link", name=re.compile(r"^Approved"))
    approved.click()
    expect(approved).to_have_attribute("aria-current", "page")  # the click's page, loaded
    fits(leader, "leader")
    leader.get_by_role("row").nth(1).get_by_role("link").first.click()
    leader.get_by_role("link", name="Add an addendum").click()
    expect(leader.get_by_label("Attach files (optional)")).to_be_visible()
    fits(leader, "leader")


def test_the_actions_to_close_page_fits(signed_in):
    for email, role in (("leader@relay.test", "leader"), ("member@relay.test", "member")):
        page = signed_in(email)
        page.goto("/me/actions-to-close")
        expect(
            page.get_by_role("heading", name="Actions you led with no outcome yet")
        ).to_be_visible()
        fits(page, role)
