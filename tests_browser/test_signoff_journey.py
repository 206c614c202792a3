"""Issue 11 in a browser: a leader submits a milestone with evidence, the advisor returns it
from the queue with a comment, the leader resubmits, the advisor approves and the work is
locked; an addendum (with a file) goes through sign-off; the advisor reopens with a reason."""

import re

from playwright.sync_api import Page, expect

from demo_outcomes import tiny_pdf

CHAPTER = "Riverside Health Advocates"
CAMPAIGN = "Extend free-clinic hours"
MILESTONE = "Commitment secured or next step agreed"


def flash(page: Page, text: str):
    return page.locator(".flashes").get_by_text(text)


def open_milestone(page: Page) -> None:
    page.get_by_role("link", name="My week").first.click()
    page.get_by_role("link", name=CHAPTER).first.click()
    page.get_by_role("navigation", name="Chapter").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=CAMPAIGN).click()
    page.get_by_role("region", name="Timeline").get_by_role("link", name=MILESTONE).click()
    expect(page.get_by_role("heading", name=re.compile(f"Milestone: {MILESTONE}"))).to_be_visible()


def queue_item(advisor: Page):
    advisor.get_by_role("link", name="Sign-offs").click()
    expect(advisor.get_by_role("heading", name="Sign-offs waiting for you")).to_be_visible()
    return advisor.locator("article.queue-item", has_text=MILESTONE)


def test_a_milestone_goes_through_sign_off_and_is_locked(signed_in, tmp_path):
    leader = signed_in("leader@relay.test")
    advisor = signed_in("advisor@relay.test")

    # The leader submits with one outcome as evidence.
    open_milestone(leader)
    leader.get_by_role("link", name="Submit for sign-off").click()
    leader.get_by_label("Summary").fill("The commissioner agreed to a pilot of evening hours.")
    evidence = leader.get_by_role("group", name=re.compile("Evidence")).get_by_role("checkbox")
    evidence.first.check()
    evidence_action = evidence.first.locator("xpath=..").inner_text().rsplit(" (", 1)[0].strip()
    leader.get_by_role("button", name="Submit for sign-off").click()
    expect(flash(leader, "Submitted for sign-off")).to_be_visible()

    # The advisor finds it in the queue; a return without a comment is refused.
    item = queue_item(advisor)
    expect(item).to_contain_text("Priya Raman")  # who submitted
    expect(item).to_contain_text("waiting 0 days")
    item.get_by_role("button", name="Return with comment").click()
    expect(advisor.get_by_text("Give a comment saying what to change.")).to_be_visible()
    advisor.get_by_label("Comment").fill("Add the date the pilot starts.")
    advisor.get_by_role("button", name="Return with comment").click()
    expect(flash(advisor, "The milestone is returned with your comment.")).to_be_visible()

    # The leader reads the comment, fixes the summary and submits again.
    open_milestone(leader)
    # The advisor's comment comes first on the page, and stays in the history.
    expect(leader.locator("article .flash-error")).to_contain_text("Add the date the pilot starts.")
    leader.get_by_role("link", name="Submit again").click()
    leader.get_by_label("Summary").fill("Pilot of evening hours starts on 1 March.")
    leader.get_by_role("group", name=re.compile("Evidence")).get_by_role("checkbox").first.check()
    leader.get_by_role("button", name="Submit for sign-off").click()
    expect(flash(leader, "Submitted for sign-off")).to_be_visible()

    # The advisor approves it straight from the queue: the work is locked.
    queue_item(advisor).get_by_role("button", name="Approve").click()
    expect(flash(advisor, "The milestone is approved.")).to_be_visible()
    open_milestone(leader)
    expect(leader.get_by_text("Signed off and locked")).to_be_visible()
    expect(leader.get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)
    expect(leader.get_by_role("link", name="Submit again")).to_have_count(0)
    leader.get_by_role("link", name=evidence_action).first.click()
    expect(leader.get_by_text("Locked: part of an approved milestone.")).to_be_visible()
    expect(leader.get_by_role("link", name="Edit the outcome")).to_have_count(0)

    # A correction is an addendum, signed off in turn; the original stays approved.
    open_milestone(leader)
    leader.get_by_role("link", name="Add an addendum").click()
    leader.get_by_label("Correction").fill("The pilot covers Tuesdays and Thursdays.")
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(tiny_pdf("The commissioner's letter"))
    leader.get_by_label("Attach files (optional)").set_input_files(str(letter))
    leader.get_by_label("I confirm these files contain no patient-identifying information").check()
    leader.get_by_role("button", name="Submit the addendum").click()
    expect(flash(leader, "Addendum submitted for sign-off with 1 file.")).to_be_visible()
    item = queue_item(advisor)
    expect(item).to_contain_text(f"Addendum to {MILESTONE}")
    expect(item.get_by_role("link", name=re.compile(r"^addendum-\d+-\w+\.pdf$"))).to_be_visible()
    item.get_by_role("button", name="Approve").click()
    expect(flash(advisor, "The addendum is approved.")).to_be_visible()

    # Only the advisor reopens, with a reason; the timeline records everything.
    open_milestone(advisor)
    advisor.get_by_role("link", name="Reopen…").click()
    advisor.get_by_role("button", name="Reopen it").click()
    expect(advisor.get_by_text("Give a reason for reopening.")).to_be_visible()
    advisor.get_by_label("Reason for reopening").fill("The county asked for a revised start date.")
    advisor.get_by_role("button", name="Reopen it").click()
    expect(flash(advisor, "Reopened")).to_be_visible()
    history = advisor.get_by_role("region", name="Sign-off history")
    for said in (
        "Returned by Dr",
        "Add the date the pilot starts.",
        "Approved by Dr",
        "The pilot covers Tuesdays and Thursdays.",
        "Reopened by Dr",
        "The county asked for a revised start date.",
    ):
        expect(history).to_contain_text(said)
    open_milestone(leader)
    expect(leader.get_by_role("link", name="Submit for sign-off")).to_be_visible()
