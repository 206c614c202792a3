"""Issue 3 in a browser: staff create a chapter, its first leader joins, a vision is adopted."""

import re

from playwright.sync_api import Page, expect

CHAPTER = "Lakeshore Health Collective"
SLUG = "lakeshore-collective"  # the demo network has a "lakeshore" of its own
LEADER = "ines.leader@lakeshore.example.org"
MEMBER = "omar.member@lakeshore.example.org"
PASSWORD = "lantern harbour quietly"  # a passphrase the policy accepts


def flash(page: Page, text: str):
    return page.locator(".flashes").get_by_text(text)


def chapter_nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Chapter").get_by_role("link", name=name).click()


def invite(page: Page, relay, address: str, role: str) -> str:
    """Send an invitation from the chapter's invitation page; return the emailed link."""
    before = relay.count_mail(address)
    page.get_by_label("Email").fill(address)
    page.get_by_label("Role").select_option(label=role)
    page.get_by_role("button", name="Send the invitation").click()
    expect(flash(page, f"Invitation sent to {address} as {role.lower()}.")).to_be_visible()
    expect(page.get_by_role("cell", name=address, exact=True)).to_be_visible()
    return relay.latest_link(address, "/invite/", after=before)


def accept_as_new_person(page: Page, link: str, name: str, profession: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name=f"Join {CHAPTER}")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Profession").select_option(profession)
    page.get_by_label("Student", exact=True).check()
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    expect(flash(page, f"Welcome to {CHAPTER}, {name}.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/c/{SLUG}$"))
    expect(page.get_by_role("heading", name=CHAPTER, level=1)).to_be_visible()


def test_staff_create_a_chapter_whose_members_adopt_a_vision(relay, signed_in, new_page):
    # National staff create the chapter and invite its first leader.
    staff = signed_in("staff@relay.test")
    staff.get_by_role("button", name="Create a chapter").click()
    staff.get_by_label("Chapter name").fill(CHAPTER)
    staff.get_by_label("Short name for links").fill(SLUG)
    staff.get_by_label("Institution").fill("Lakeshore State University")
    staff.get_by_label("Region").fill("Great Lakes")
    staff.get_by_label("Time zone").select_option("America/Detroit")
    staff.get_by_role("button", name="Create the chapter").click()
    expect(flash(staff, f"{CHAPTER} is created.")).to_be_visible()
    expect(staff).to_have_url(re.compile(rf"/c/{SLUG}/invitations$"))
    leader_link = invite(staff, relay, LEADER, "Student leader")

    # The leader opens the emailed link in their own browser and creates an account.
    leader = new_page()
    accept_as_new_person(leader, leader_link, "Inès Laurent", "Medicine")
    expect(leader.get_by_text("1 student leader, 0 members")).to_be_visible()

    # The leader invites a member, who accepts.
    leader.get_by_role("link", name="Invite people").click()
    member_link = invite(leader, relay, MEMBER, "Member")
    member = new_page()
    accept_as_new_person(member, member_link, "Omar Haddad", "Nursing")

    # The leader proposes the chapter's first vision.
    chapter_nav(leader, "Vision")
    expect(leader.get_by_text("The chapter has not adopted a vision yet.")).to_be_visible()
    leader.get_by_role("button", name="Propose the vision").click()
    statement = "Every lakeshore family can see a clinician within a week, whatever they earn."
    leader.get_by_label("Vision statement").fill(statement)
    leader.get_by_label("Goal 1", exact=True).fill("Open a student-run Saturday clinic")
    leader.get_by_label("Goal 2 (optional)").fill("Meet the county health board twice a year")
    leader.get_by_role("button", name="Open the proposal for endorsement").click()
    expect(flash(leader, "Your proposal is open.")).to_be_visible()
    proposal = leader.get_by_role("article", name="Proposal 1, open for endorsement")
    expect(proposal.get_by_text("0 of 2")).to_be_visible()

    # Two student members, two professions: 2/3 of 2 needs both endorsements.
    chapter_nav(member, "Vision")
    member.get_by_label("I endorse this vision").check()
    member.get_by_role("button", name="Save my response").click()
    expect(flash(member, "Your response is recorded.")).to_be_visible()
    expect(member.get_by_text("1 of 2")).to_be_visible()

    leader.reload()
    expect(proposal.get_by_text("Omar Haddad (Nursing) endorses")).to_be_visible()
    leader.get_by_label("I endorse this vision").check()
    leader.get_by_role("button", name="Save my response").click()
    expect(flash(leader, "version 1 meets the adoption rule")).to_be_visible()

    # The vision page (and the chapter overview) now show it adopted.
    adopted = leader.get_by_role("article").filter(
        has=leader.get_by_role("heading", name="Adopted vision")
    )
    expect(adopted.get_by_text(statement)).to_be_visible()
    expect(adopted.get_by_text("Open a student-run Saturday clinic")).to_be_visible()
    expect(adopted.get_by_text(re.compile(r"Version 1, adopted"))).to_be_visible()
    expect(leader.get_by_role("heading", name=re.compile("open for endorsement"))).to_have_count(0)
    chapter_nav(member, "Overview")
    expect(member.get_by_text(statement)).to_be_visible()
