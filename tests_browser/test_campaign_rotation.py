"""Issue 4 in a browser: a campaign from a playbook, rotating leads, and a swap."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from core.db import utcnow

CHAPTER = "Riverside Health Advocates"
ZONE = ZoneInfo("America/Chicago")  # Riverside's, in demo.py
TITLE = "Meet Commissioner Ortiz on clinic hours"
GOAL = "Train every member in meeting a legislator"
OPEN_LEAD_CAP = 2  # ROTATION_OPEN_LEAD_CAP, set for the server in conftest.py
ACTIONS = (
    "Research the legislator and the bill",
    "Practice the meeting",
    "Meeting with the legislator",
)


def flash(page: Page, text: str):
    return page.locator(".flashes").get_by_text(text)


def lead_of(page: Page):
    return page.locator(".facts dt", has_text="Lead").locator("xpath=following-sibling::dd[1]")


def open_campaign(page: Page) -> None:
    """From My week to the campaign page, through the chapter's Campaigns tab."""
    page.get_by_role("link", name="My week").click()
    page.get_by_role("link", name=CHAPTER).click()
    page.get_by_role("navigation", name="Chapter").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()


def open_action(page: Page, title: str) -> None:
    page.get_by_role("region", name="Timeline").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=2)).to_be_visible()


def pool_comparison(section) -> dict[str, dict]:
    """The "How the pool compares" table, by member name."""
    rows = section.locator("details table tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    return {
        name: {"profession": prof, "leads": int(leads), "open": int(open_), "free": avail == "yes"}
        for name, prof, leads, _last, open_, avail in rows
    }


def accept_suggestion(leader: Page, title: str) -> str:
    """Open an action, check and take the rotation's suggested lead; return their name."""
    open_action(leader, title)
    section = leader.get_by_role("region", name="Choose the lead")
    suggestion = section.get_by_text(re.compile(r"^Suggested: "))
    expect(suggestion).to_be_visible()
    name = suggestion.inner_text().removeprefix("Suggested: ").strip()
    # The rule: among members available that day and under the open-lead cap, the fewest
    # leads this academic year (ties: longest since their last lead, another profession).
    pool = pool_comparison(section)
    eligible = {n: c for n, c in pool.items() if c["free"] and c["open"] < OPEN_LEAD_CAP}
    assert name in eligible, (name, pool)
    assert eligible[name]["leads"] == min(c["leads"] for c in eligible.values()), (name, pool)
    selected = section.get_by_label("Lead", exact=True).locator("option:checked")
    expect(selected).to_have_text(re.compile(rf"^{re.escape(name)} \("))
    section.get_by_role("button", name="Accept and assign").click()
    expect(flash(leader, f"{name} leads this action (suggested by the rotation).")).to_be_visible()
    expect(lead_of(leader)).to_contain_text(name)
    return name


def test_leader_runs_a_playbook_campaign_with_rotating_leads_and_a_swap(signed_in):
    # The demo leader starts a campaign from the built-in "Meeting a legislator" playbook.
    leader = signed_in("leader@relay.test")
    leader.get_by_role("link", name="Playbooks").click()
    leader.get_by_role("link", name="Meeting a legislator", exact=True).click()
    leader.get_by_role("link", name=f"Start a campaign for {CHAPTER} from this playbook").click()
    expect(leader.get_by_label("Start from a playbook")).to_have_value("meet-a-legislator")
    # Every action of the plan in the future. The server runs in its own process on the
    # machine's clock (the test clock is tests/' only), so today is read from that clock, in
    # the chapter's zone as the app counts days.
    start = utcnow().astimezone(ZONE).date() + timedelta(days=7)
    leader.get_by_label("Title").fill(TITLE)
    leader.get_by_label("Issue").fill("The free clinic closes at 5 pm.")
    leader.get_by_label("Decision-maker or target").fill("County Commissioner Dana Ortiz")
    leader.get_by_label("Objective").fill("A commitment to two evening clinics a week.")
    leader.get_by_label("Vision goal it serves").select_option(label=GOAL)
    leader.get_by_label("Start date").fill(start.isoformat())
    leader.get_by_label("End date").fill((start + timedelta(days=60)).isoformat())
    # The pool would start with every student member; this tour builds it by hand.
    pool_start = leader.get_by_label("Rotation pool starts with")
    expect(pool_start).to_have_value("everyone")
    pool_start.select_option("empty")
    leader.get_by_role("button", name="Create the draft").click()
    expect(flash(leader, "Its plan is laid out below")).to_be_visible()

    # The plan is laid out as a timeline from the start date.
    timeline = leader.get_by_role("region", name="Timeline")
    for title in ACTIONS:
        expect(timeline.get_by_role("link", name=title)).to_be_visible()
    expect(timeline.get_by_text("Milestone: Ask agreed and one-pager written")).to_be_visible()
    expect(timeline.get_by_role("row").nth(1)).to_contain_text(start.strftime("%d %b %Y"))
    expect(leader.get_by_text(f"Serves the vision goal: {GOAL}")).to_be_visible()

    # Activate it, so it shows on the chapter's pages.
    leader.get_by_role("link", name="Activate…").click()
    leader.get_by_role("button", name="Mark it active").click()
    expect(flash(leader, "The campaign is now active.")).to_be_visible()

    # The leader joins the rotation and adds three members of other professions.
    leader.get_by_role("button", name="Join the rotation").click()
    expect(flash(leader, "Priya Raman joined the rotation pool.")).to_be_visible()
    for name in ("Diego Alvarez", "Mei Tanaka", "Jordan Lee"):
        leader.get_by_label(re.compile(rf"{re.escape(name)} \(")).check()
    leader.get_by_role("button", name="Add selected").click()
    expect(flash(leader, "3 members added to the rotation pool.")).to_be_visible()
    leader.get_by_role("link", name=TITLE).click()
    pool = leader.get_by_role("region", name="Rotation pool")
    expect(pool.get_by_text("4 members take turns leading")).to_be_visible()

    # Leads rotate: each action gets the rotation's pick (checked against the pool table);
    # the pool's four members are of four professions.
    first = accept_suggestion(leader, ACTIONS[0])
    leader.get_by_role("link", name=TITLE).click()
    second = accept_suggestion(leader, ACTIONS[1])

    # The leader puts Diego (the demo member) on the meeting, with a reason.
    leader.get_by_role("link", name=TITLE).click()
    open_action(leader, ACTIONS[2])
    section = leader.get_by_role("region", name=re.compile("the lead"))
    section.get_by_label("Lead", exact=True).select_option(label="Diego Alvarez (Nursing)")
    section.get_by_label("Reason").fill("Diego did his placement at the county clinic.")
    section.get_by_role("button", name=re.compile("assign", re.I)).click()
    expect(flash(leader, re.compile(r"^Diego Alvarez leads this action"))).to_be_visible()
    expect(lead_of(leader)).to_have_text("Diego Alvarez (Nursing)")
    leader.get_by_role("link", name=TITLE).click()
    leads = leader.locator(".facts dt", has_text="Leads so far").locator("xpath=./following::dd[1]")
    for name in (first, second, "Diego Alvarez"):
        expect(leads).to_contain_text(name)

    # Diego cannot make it and asks the pool for a swap.
    diego = signed_in("member@relay.test")
    open_campaign(diego)
    open_action(diego, ACTIONS[2])
    mine = diego.get_by_role("region", name="You lead this action")
    mine.get_by_label("Why you need a swap (optional)").fill("I have an exam that morning.")
    mine.get_by_role("button", name="Ask the pool for a swap").click()
    expect(flash(diego, "Swap asked")).to_be_visible()
    expect(diego.get_by_role("region", name="Swap asked")).to_contain_text("exam that morning")

    # Mei, also in the pool, takes it over.
    mei = signed_in("mei@relay.test")
    open_campaign(mei)
    open_action(mei, ACTIONS[2])
    mei.get_by_role("region", name="Swap asked").get_by_role("button", name="I'll take it").click()
    expect(flash(mei, "You now lead this action.")).to_be_visible()
    expect(lead_of(mei)).to_have_text("Mei Tanaka (Public Health)")
    expect(mei.get_by_role("region", name="Swap asked")).to_have_count(0)

    # The leader sees the swap in the action's lead history.
    leader.reload()
    open_action(leader, ACTIONS[2])
    history = leader.get_by_role("region", name="Lead history")
    expect(history).to_contain_text(
        "Mei Tanaka — took over in a swap (“I have an exam that morning.”)"
    )
    # (Diego may or may not have been the rotation's pick: the demo's history decides.)
    assigned = r"Diego Alvarez —\s+(picked by|suggested by the rotation, accepted by) Priya Raman"
    expect(history).to_contain_text(re.compile(assigned))
