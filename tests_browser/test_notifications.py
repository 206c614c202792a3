"""Issue 12 in a browser: a leader assigns a lead; the member sees it in the inbox (with the
unread count in the top bar), receives the email, follows it, and marks it read."""

import re

from playwright.sync_api import expect

ACTION = "Social media push before the vote"  # the demo's action waiting for its lead
MEMBER, MEMBER_NAME = "mei@relay.test", "Mei Tanaka"


def inbox_link(page):
    return (
        page.get_by_role("navigation", name="Main")
        .get_by_role("link", name=re.compile(r"^Inbox"))
        .first
    )


def test_a_member_assigned_to_lead_sees_it_in_the_inbox_and_by_email(signed_in, relay):
    mails_before = relay.count_mail(MEMBER)

    leader = signed_in("leader@relay.test")
    leader.get_by_role("link", name=ACTION).first.click()
    expect(leader.get_by_role("heading", name=ACTION, level=2)).to_be_visible()
    section = leader.get_by_role("region", name="Choose the lead")
    picker = section.get_by_label("Lead", exact=True)
    option = picker.locator("option", has_text=MEMBER_NAME).first.inner_text()
    picker.select_option(label=option)
    section.get_by_label("Reason").fill("Mei offered to run the campaign's accounts.")
    section.get_by_role("button").first.click()
    expect(
        leader.locator(".flashes").get_by_text(f"{MEMBER_NAME} leads this action")
    ).to_be_visible()

    # The email came at once (lead assigned: "Email at once" by default) with its link.
    link = relay.latest_link(MEMBER, "/c/riverside/actions/", after=mails_before)

    member = signed_in(MEMBER)
    expect(inbox_link(member)).to_have_attribute("aria-label", re.compile(r"Inbox, \d+ unread"))
    inbox_link(member).click()
    expect(member.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    newest = member.locator(".inbox-item").first
    expect(newest).to_contain_text(f"Priya Raman asked you to lead “{ACTION}”")
    expect(newest).to_contain_text("Riverside Health Advocates")
    newest.get_by_role("link").first.click()
    expect(member.get_by_role("heading", name=ACTION, level=2)).to_be_visible()
    assert member.url == link  # the inbox and the email point at the same page

    inbox_link(member).click()
    member.get_by_role("button", name="Mark all read").click()
    expect(member.locator(".flashes")).to_contain_text("marked read")
    expect(inbox_link(member)).not_to_have_attribute("aria-label", re.compile("unread"))

    # The settings page: each kind, three choices.
    member.get_by_role("link", name="Choose what is emailed to you").click()
    group = member.get_by_role("group", name="You are assigned to lead an action")
    expect(group.get_by_label("Email at once")).to_be_checked()
