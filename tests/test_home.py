"""The signed-in home page, "my week": what each role sees first, and its statement count."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns.models import CampaignStatus, SwapRequest
from campaigns.services.signoff import decide, submit_milestone
from campaigns.services.week import NEEDS_SHOWN, SIGNOFFS_SHOWN
from chapters.models import Role, VisionResponse
from core.db import utcnow
from core.extensions import db
from tests.factories import (
    add_to_pool,
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_milestone,
    make_outcome,
    make_signup,
    make_user,
    make_vision,
)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def block(html: str, name: str) -> str | None:
    """The words of one block of the home page (by its heading id), or None if absent."""
    found = re.search(rf'<section[^>]*aria-labelledby="week-{name}-h".*?</section>', html, re.S)
    return text(found.group(0)) if found else None


def menu(html: str) -> str:
    return text(re.search(r'<nav aria-label="Main">.*?</nav>', html, re.S).group(0))


def next_week(hours: int = 0):
    return (utcnow() + timedelta(days=7, hours=hours)).replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def world(app):
    """Riverside (Chicago time): a leader, two members, an advisor, an active campaign with a
    pool, and an open vision proposal."""
    river = make_chapter("Riverside Health", slug="riverside", timezone="America/Chicago")
    leader = make_member(river, Role.LEADER, name="Lena Leader").user
    mo = make_member(river, name="Mo Member", profession="Nursing").user
    other = make_member(river, name="Ola Other", profession="Pharmacy").user
    advisor = make_member(river, Role.ADVISOR, name="Ada Advisor").user
    campaign = make_campaign(river, title="Clinic hours", status=CampaignStatus.ACTIVE)
    add_to_pool(campaign, mo, other)
    proposal = make_vision(river, leader)
    return {
        "chapter": river,
        "leader": leader,
        "member": mo,
        "other": other,
        "advisor": advisor,
        "campaign": campaign,
        "proposal": proposal,
    }


def home(client, login_as, user) -> str:
    login_as(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- members ----------------------------------------------------------------------------------


def test_a_member_sees_what_they_lead_and_joined_next_in_the_chapters_zone(world, client, login_as):
    start = next_week()
    led = make_action(
        world["campaign"], title="Testify at the council", starts_at=start, lead=world["member"]
    )
    joined = make_action(
        world["campaign"], title="Health fair", starts_at=start + timedelta(days=1)
    )
    make_signup(joined, world["member"])
    make_action(world["campaign"], title="Not mine", starts_at=start)
    make_action(
        world["campaign"],
        title="Long gone",
        starts_at=utcnow() - timedelta(days=3),
        lead=world["member"],
        status="done",
    )

    nxt = block(home(client, login_as, world["member"]), "next")

    assert "You lead Testify at the council" in nxt
    assert "Signed up Health fair" in nxt
    assert nxt.index("Testify") < nxt.index("Health fair")
    assert "Not mine" not in nxt and "Long gone" not in nxt
    local = led.starts_at.astimezone(ZoneInfo("America/Chicago"))
    assert local.strftime("%a %d %b, %H:%M") in nxt and ("CST" in nxt or "CDT" in nxt)
    assert "My availability" in nxt


def test_a_member_with_nothing_planned_is_pointed_to_the_calendar(world, client, login_as):
    html = home(client, login_as, world["other"])
    nxt = block(html, "next")
    assert "Nothing planned for you yet. Sign up for an action on the calendar of Riverside" in nxt
    assert 'href="/c/riverside/calendar"' in html


def test_a_member_is_asked_for_the_open_vision_and_a_swap(world, client, login_as):
    action = make_action(
        world["campaign"], title="Op-ed draft", starts_at=next_week(), lead=world["other"]
    )
    db.session.add(
        SwapRequest(action_id=action.id, from_user_id=world["other"].id, note="Exams that week")
    )
    db.session.commit()

    needs = block(home(client, login_as, world["member"]), "needs")

    assert "Your response Vision proposal 1 of Riverside Health" in needs
    assert "your response counts toward adoption" in needs
    assert "Swap asked Ola Other asks someone to take over Op-ed draft" in needs
    assert "Exams that week" in needs
    # The one who asked is not asked their own swap.
    assert "Swap asked" not in block(home(client, login_as, world["other"]), "needs")


def test_a_swap_in_a_pool_i_am_not_in_is_not_asked_of_me(world, client, login_as):
    outsider = make_member(world["chapter"], name="Una Outside").user
    action = make_action(world["campaign"], starts_at=next_week(), lead=world["other"])
    db.session.add(SwapRequest(action_id=action.id, from_user_id=world["other"].id))
    db.session.commit()
    assert "Swap asked" not in block(home(client, login_as, outsider), "needs")


def test_a_response_given_takes_the_vision_off_what_needs_me(world, client, login_as):
    db.session.add(VisionResponse(vision=world["proposal"], user=world["member"], stance="endorse"))
    db.session.commit()
    needs = block(home(client, login_as, world["member"]), "needs")
    assert "Vision proposal" not in needs
    assert "Nothing needs you right now. See what is coming in Riverside Health" in needs


def test_an_action_i_lead_that_has_ended_asks_to_be_closed(world, client, login_as):
    make_action(
        world["campaign"],
        title="Clinic visit",
        starts_at=utcnow() - timedelta(days=2),
        lead=world["member"],
    )
    needs = block(home(client, login_as, world["member"]), "needs")
    assert "Overdue Clinic visit has ended: mark it done or cancelled" in needs


def test_an_action_i_lead_with_no_outcome_asks_for_one(world, client, login_as):
    done = make_action(
        world["campaign"],
        title="Health fair",
        starts_at=utcnow() - timedelta(days=3),
        lead=world["member"],
        status="done",
    )
    logged = make_action(
        world["campaign"],
        title="Op-ed",
        starts_at=utcnow() - timedelta(days=4),
        lead=world["member"],
    )
    make_outcome(logged)
    make_action(
        world["campaign"],
        title="Called off",
        starts_at=utcnow() - timedelta(days=5),
        lead=world["member"],
        status="cancelled",
    )
    html = home(client, login_as, world["member"])
    needs = block(html, "needs")
    assert "No outcome Log the outcome of Health fair" in needs
    assert f'href="/c/riverside/actions/{done.id}/outcome"' in html
    assert "Op-ed" not in needs and "Called off" not in needs
    # Someone else's action is not mine to close.
    assert "Health fair" not in block(home(client, login_as, world["other"]), "needs")


def test_many_actions_to_close_link_to_their_own_paginated_page(world, client, login_as):
    for i in range(NEEDS_SHOWN + 20):
        make_action(
            world["campaign"],
            title=f"Past {i:02}",
            starts_at=utcnow() - timedelta(days=i + 1),
            lead=world["member"],
            status="done",
        )
    needs = block(home(client, login_as, world["member"]), "needs")
    assert needs.count("Log the outcome of") == NEEDS_SHOWN
    assert "And 20 more actions you led with no outcome yet: see them all" in needs
    first = text(client.get("/me/actions-to-close").get_data(as_text=True))
    assert "30 actions, most recently ended first" in first
    assert first.count("Log the outcome of") == 25 and "Past 00" in first
    second = text(client.get("/me/actions-to-close?page=2").get_data(as_text=True))
    assert second.count("Log the outcome of") == 5 and "Past 29" in second
    login_as(world["other"])
    calm = text(client.get("/me/actions-to-close").get_data(as_text=True))
    assert "Every action you led has its outcome logged." in calm


def submitted_milestones(world, n: int, ago_days: int = 0):
    subs = []
    for i in range(n):
        ms = make_milestone(world["campaign"], title=f"Milestone {i:02}")
        sub = submit_milestone(ms, "Done.", [], world["leader"], "leader")
        sub.submitted_at = utcnow() - timedelta(days=ago_days + n - i)
        subs.append(sub)
    db.session.commit()
    return subs


@pytest.mark.dates
def test_an_advisor_sees_the_oldest_sign_offs_waiting_and_how_many(world, client, login_as):
    submitted_milestones(world, SIGNOFFS_SHOWN + 2, ago_days=3)
    html = home(client, login_as, world["advisor"])
    needs = block(html, "needs")
    assert needs.count("waits for your sign-off") == SIGNOFFS_SHOWN
    assert "Overdue Milestone 00 waits for your sign-off" in needs  # 8 days: past 7
    assert "Your decision Milestone 04" not in needs  # the newest are in the queue
    assert "Lena Leader submitted it" in needs
    assert "5 waiting for your decision (2 more not shown): open the queue" in needs
    assert 'href="/signoffs"' in html
    # Members and leaders do not decide sign-offs.
    assert "waits for your sign-off" not in block(home(client, login_as, world["leader"]), "needs")


def test_an_advisor_with_nothing_to_decide_is_told_where_submissions_appear(
    world, client, login_as
):
    db.session.add(
        VisionResponse(vision=world["proposal"], user=world["advisor"], stance="comment")
    )
    db.session.commit()
    needs = block(home(client, login_as, world["advisor"]), "needs")
    assert "Nothing needs you right now." in needs
    assert "No milestone waits for your sign-off." in needs
    assert "Leaders' submissions appear here and in the sign-off queue" in needs


def test_a_leader_sees_milestones_returned_with_the_comment(world, client, login_as):
    (sub,) = submitted_milestones(world, 1)
    decide(sub, False, "Attach the sign-in sheet.", world["advisor"], "advisor")
    db.session.commit()
    html = home(client, login_as, world["leader"])
    needs = block(html, "needs")
    assert "Returned Milestone 00 was returned: fix it and submit again" in needs
    assert "Ada Advisor" in needs and "“Attach the sign-in sheet.”" in needs
    assert f'href="/c/riverside/milestones/{sub.milestone_id}"' in html
    # A member does not submit milestones, so is not asked to fix one.
    assert "was returned" not in block(home(client, login_as, world["member"]), "needs")


def test_a_leader_with_no_returned_milestone_is_pointed_to_the_milestones(world, client, login_as):
    db.session.add(VisionResponse(vision=world["proposal"], user=world["leader"], stance="endorse"))
    db.session.commit()
    html = home(client, login_as, world["leader"])
    needs = block(html, "needs")
    assert "No milestone of Riverside Health was returned." in needs
    assert 'href="/c/riverside/milestones"' in html


def test_members_see_their_chapters_health_but_not_leader_advice(world, client, login_as):
    html = home(client, login_as, world["member"])
    chapters = block(html, "chapters")
    assert "Riverside Health" in chapters and "Member" in chapters
    assert "Vision: Not adopted yet · proposal 1 open" in chapters
    assert "Campaigns: 1 active" in chapters
    assert "Roster health: 2 of 3 checks met" in chapters
    assert block(html, "gaps") is None  # roster advice is for those who can act on it
    assert "start one from a playbook" not in html


def test_my_chapters_lists_only_active_memberships_by_name(client, login_as):
    lake = make_chapter("Lakeside Health")
    river = make_chapter("Riverside Health")
    make_chapter("Hillside Health")
    gone = make_chapter("Gone Health")
    me = make_member(river, Role.LEADER).user
    make_member(lake, user=me)
    make_member(gone, user=me).status = "left"
    db.session.commit()
    chapters = block(home(client, login_as, me), "chapters")
    assert chapters.index("Lakeside Health") < chapters.index("Riverside Health")
    assert "Hillside" not in chapters and "Gone Health" not in chapters
    assert "Lakeside Health University" in chapters and "· Member" in chapters
    assert "· Student leader" in chapters


# --- leaders ----------------------------------------------------------------------------------


def test_a_leader_sees_the_gaps_to_fill(world, client, login_as):
    make_action(world["campaign"], title="Unled visit", starts_at=next_week())
    make_action(world["campaign"], title="Led visit", starts_at=next_week(), lead=world["other"])

    gaps = block(home(client, login_as, world["leader"]), "gaps")

    assert "No lead Unled visit" in gaps and "Led visit" not in gaps
    assert "Roster Riverside Health: leadership team of 3–8 students" in gaps
    assert "Make more members leaders" in gaps


def test_a_leader_of_a_chapter_without_campaigns_is_shown_where_to_start(client, login_as):
    chapter = make_chapter("New Health")
    leader = make_member(chapter, Role.LEADER).user
    html = home(client, login_as, leader)
    assert "Campaigns: No campaign yet — start one from a playbook" in block(html, "chapters")
    assert 'href="/playbooks"' in html


def test_the_gaps_count_every_unled_action_beyond_those_listed(world, client, login_as):
    for i in range(12):
        make_action(world["campaign"], title=f"Unled {i:02}", starts_at=next_week(hours=i))
    gaps = block(home(client, login_as, world["leader"]), "gaps")
    assert gaps.count("No lead") == 10
    assert "And 2 more upcoming actions without a lead (Riverside Health: 12 in all)" in gaps


# --- advisors, staff, people without a chapter ------------------------------------------------


def test_an_advisor_comments_follows_and_sees_roster_advice_only(world, client, login_as):
    make_action(world["campaign"], title="Unled visit", starts_at=next_week())
    html = home(client, login_as, world["advisor"])
    assert "Advisors follow the chapter's actions without signing up or leading" in block(
        html, "next"
    )
    assert "My availability" not in html
    assert "Advisors comment" in block(html, "needs")
    db.session.add(
        VisionResponse(
            vision=world["proposal"], user=world["advisor"], stance="comment", comment="Looks good."
        )
    )
    db.session.commit()
    needs = block(client.get("/").get_data(as_text=True), "needs")
    assert "Nothing needs you right now. Read the chapter's overview of Riverside Health" in needs
    gaps = block(html, "gaps")
    assert "leadership team" in gaps and "Unled visit" not in gaps


def test_my_availability_is_offered_only_to_people_who_can_lead(world, client, login_as):
    assert "My availability" in home(client, login_as, world["member"])
    assert "My availability" in home(client, login_as, world["leader"])
    assert "My availability" not in home(client, login_as, world["advisor"])
    assert "My availability" not in home(client, login_as, make_user())


def test_a_member_of_an_archived_chapter_is_not_sent_to_sign_up(client, login_as):
    chapter = make_chapter("Old Health", status="archived")
    html = home(client, login_as, make_member(chapter).user)
    assert "an archived chapter takes no new sign-ups" in block(html, "next")
    assert "My availability" not in html


def test_national_staff_land_on_the_network(client, login_as):
    make_chapter("Lakeside Health")
    login_as(make_user(national_staff=True, kind="faculty"))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/chapters")
    page = client.get("/chapters").get_data(as_text=True)
    assert "All chapters" in menu(page) and "My week" not in menu(page)
    assert "Lakeside Health" in page


def test_someone_without_a_chapter_is_told_how_to_join(client, login_as):
    html = home(client, login_as, make_user())
    assert "You are not in a chapter yet." in html
    assert block(html, "next") is None and block(html, "needs") is None
    assert "My week" in menu(html)


# --- a bounded page ---------------------------------------------------------------------------


def grow(world, actions: int):
    """More of everything the home page reads: actions led, joined, unled, swaps, members."""
    extra = [make_member(world["chapter"], name=f"Extra {i}").user for i in range(actions)]
    for i in range(actions):
        a = make_action(
            world["campaign"],
            starts_at=next_week(hours=i),
            lead=world["member"] if i % 3 == 0 else None,
        )
        make_signup(a, world["member"])
        make_signup(a, extra[i])
        past = make_action(
            world["campaign"], starts_at=utcnow() - timedelta(days=i + 1), lead=world["member"]
        )
        db.session.add(SwapRequest(action_id=a.id, from_user_id=world["other"].id))
        db.session.add(VisionResponse(vision=world["proposal"], user=extra[i], stance="endorse"))
        assert past.id
        done = make_action(
            world["campaign"],
            starts_at=utcnow() - timedelta(days=i + 1),
            lead=world["member"],
            status="done",
        )
        assert done.id
        # Milestones waiting for the advisor, and returned to the leaders.
        ms = make_milestone(world["campaign"], title=f"Grown {i}")
        sub = submit_milestone(ms, "Done.", [], world["leader"], "leader")
        if i % 2:
            decide(sub, False, "Say more.", world["advisor"], "advisor")
    db.session.commit()


@pytest.mark.parametrize("role", ["member", "leader", "advisor"])
def test_the_home_page_sends_as_many_statements_at_any_size(
    role, world, app, login_as, query_counter
):
    counts = []
    for size in (1, 25):
        grow(world, size)
        client = app.test_client()
        login_as(world[role], client_=client)
        assert client.get("/").status_code == 200  # warm
        with query_counter() as statements:
            assert client.get("/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{role}: {counts}"
