"""Playbooks: laying a plan out from a start date (across DST), built-in and shared playbooks."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from campaigns.models import (
    Action,
    ActionSignup,
    Campaign,
    LeadAssignment,
    Milestone,
    Playbook,
    RotationPoolMember,
)
from campaigns.playbook_library import BUILT_IN, PlaybookPlan, Step, lay_out
from core.extensions import db
from tests.factories import (
    add_to_pool,
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_milestone,
    make_signup,
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- laying a plan out ----------------------------------------------------------------------

PLAN = PlaybookPlan(
    "dst-check",
    "DST check",
    "",
    (
        Step("Kick-off", 0, "First meeting", kind="training", at=time(18, 0), minutes=90),
        Step("Ask agreed", 7, "One clear ask", milestone=True),
        Step("Meeting", 10, "", kind="meeting", at=time(18, 0), minutes=45),
        Step("No time given", 3, ""),
    ),
)


def test_lay_out_keeps_local_wall_clock_times_across_the_spring_dst_change():
    milestones, actions = lay_out(PLAN, date(2026, 3, 1), "America/Chicago")
    by_title = {a.title: a for a in actions}
    # Before 8 March 2026 Chicago is UTC-6; after it, UTC-5.
    assert by_title["Kick-off"].starts_at == utc(2026, 3, 2, 0, 0)
    assert by_title["Kick-off"].ends_at == utc(2026, 3, 2, 1, 30)
    assert by_title["Meeting"].starts_at == utc(2026, 3, 11, 23, 0)
    assert by_title["Meeting"].ends_at == utc(2026, 3, 11, 23, 45)
    assert by_title["Meeting"].kind == "meeting"
    # A step without a time happens at 18:00 local, for an hour.
    assert by_title["No time given"].starts_at == utc(2026, 3, 5, 0, 0)
    assert by_title["No time given"].ends_at == utc(2026, 3, 5, 1, 0)
    assert [(m.title, m.criteria, m.due_date) for m in milestones] == [
        ("Ask agreed", "One clear ask", date(2026, 3, 8))
    ]


def test_lay_out_across_the_autumn_dst_change():
    _milestones, actions = lay_out(PLAN, date(2026, 10, 25), "America/Chicago")
    by_title = {a.title: a for a in actions}
    assert by_title["Kick-off"].starts_at == utc(2026, 10, 25, 23, 0)  # CDT, UTC-5
    assert by_title["Meeting"].starts_at == utc(2026, 11, 5, 0, 0)  # CST, UTC-6


def test_lay_out_uses_the_chapter_zone():
    _milestones, actions = lay_out(PLAN, date(2026, 3, 1), "Europe/London")
    assert actions[0].starts_at == utc(2026, 3, 1, 18, 0)


@pytest.mark.parametrize("plan", BUILT_IN, ids=lambda p: p.slug)
def test_every_built_in_playbook_lays_out_in_order_and_within_its_duration(plan):
    start = date(2026, 9, 1)
    milestones, actions = lay_out(plan, start, "America/New_York")
    assert milestones and actions
    assert len(milestones) + len(actions) == len(plan.steps)
    last_day = start + timedelta(days=plan.duration_days)
    assert all(start <= m.due_date <= last_day for m in milestones)
    assert all(a.ends_at > a.starts_at for a in actions)


# --- creating a campaign from a playbook through the web form ------------------------------


def campaign_form(**overrides) -> dict:
    return {
        "playbook": "",
        "title": "Meet Senator Ortiz",
        "issue": "Clinic funding",
        "target_community": "Uninsured adults",
        "decision_maker": "Senator Ortiz",
        "objective": "A co-sponsor for the clinic bill",
        "goal_id": "0",
        "start_date": "2026-03-01",
        "end_date": "2026-03-05",
    } | overrides


@pytest.fixture
def leader_client(client, login_as):
    chapter = make_chapter("Riverside Health", slug="riverside", timezone="America/Chicago")
    leader = make_member(chapter, "leader", name="Leo Leader")
    login_as(leader.user)
    return chapter


def test_new_campaign_page_prefills_from_a_playbook(leader_client, client):
    html = client.get("/c/riverside/campaigns/new?playbook=meet-a-legislator").get_data(
        as_text=True
    )
    assert 'value="Meeting a legislator"' in html
    assert '<option selected value="meet-a-legislator">' in html


def test_creating_a_campaign_from_a_built_in_playbook_lays_out_its_plan(
    leader_client, client, post
):
    response = post("/c/riverside/campaigns/new", campaign_form(playbook="meet-a-legislator"))
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == "Meet Senator Ortiz"))
    assert campaign.status == "draft"
    assert campaign.playbook_slug == "meet-a-legislator"
    assert response.location.endswith(f"/c/riverside/campaigns/{campaign.id}")

    actions = {
        a.title: (a.kind, a.starts_at, a.ends_at, a.lead_id, a.status) for a in campaign.actions
    }
    assert actions == {
        "Research the legislator and the bill": (
            "training",
            utc(2026, 3, 2, 0, 0),  # 18:00 CST on 1 March
            utc(2026, 3, 2, 1, 30),
            None,
            "planned",
        ),
        "Practice the meeting": (
            "training",
            utc(2026, 3, 15, 23, 0),  # 18:00 CDT, after the 8 March change
            utc(2026, 3, 16, 0, 0),
            None,
            "planned",
        ),
        "Meeting with the legislator": (
            "meeting",
            utc(2026, 3, 22, 15, 0),  # 10:00 CDT
            utc(2026, 3, 22, 15, 45),
            None,
            "planned",
        ),
    }
    assert [(m.title, m.due_date, m.status) for m in campaign.milestones] == [
        ("Ask agreed and one-pager written", date(2026, 3, 11), "open"),
        ("Thank-you and follow-up sent", date(2026, 3, 25), "open"),
        ("Commitment secured or next step agreed", date(2026, 4, 15), "open"),
    ]
    # The plan runs past the end date asked for, so the campaign is stretched to hold it.
    assert campaign.end_date == date(2026, 4, 15)

    page = client.get(response.location).get_data(as_text=True)
    assert "Its plan is laid out below" in page
    # Titles, never slugs.
    assert "from the playbook <a" in page and "<em>Meeting a legislator</em></a>" in page
    assert ">meet-a-legislator<" not in page
    assert "Sun 01 Mar 2026, 18:00 CST" in page
    assert "Sun 15 Mar 2026, 18:00 CDT" in page
    assert "Sun 22 Mar 2026, 10:00 CDT" in page


def test_an_unknown_playbook_is_refused_and_nothing_is_created(leader_client, post):
    response = post("/c/riverside/campaigns/new", campaign_form(playbook="no-such-plan"))
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert count(Campaign) == 0


def test_playbook_pages_list_the_plan(leader_client, client):
    listing = client.get("/playbooks").get_data(as_text=True)
    for plan in BUILT_IN:
        assert plan.title in listing
    page = client.get("/playbooks/community-health-fair").get_data(as_text=True)
    assert "Volunteer training" in page
    assert "Start a campaign for Riverside Health from this playbook" in page
    assert client.get("/playbooks/no-such-plan").status_code == 404


# --- publishing a completed campaign and copying it elsewhere -------------------------------


@pytest.fixture
def finished(app):
    """A completed campaign in Riverside (Chicago) with people, sign-ups and results."""
    chapter = make_chapter("Riverside Health", slug="riverside", timezone="America/Chicago")
    leader = make_member(chapter, "leader", name="Leo Leader").user
    lead = make_member(chapter, "member", name="Lara Lead", profession="Nursing").user
    helper = make_member(chapter, "member", name="Hal Helper", profession="Pharmacy").user
    campaign = make_campaign(
        chapter,
        title="Naloxone in every dorm",
        status="completed",
        start_date=date(2026, 9, 1),
        end_date=date(2026, 10, 1),
        created_by=leader,
    )
    make_milestone(
        campaign, title="Ask agreed", criteria="One ask", due_date=date(2026, 9, 11)
    ).status = "approved"
    make_milestone(campaign, title="Follow-up sent", due_date=date(2026, 9, 20))
    lobby = make_action(
        campaign,
        title="Lobby day",
        kind="meeting",
        starts_at=utc(2026, 9, 15, 14, 30),  # 09:30 CDT
        minutes=120,
        lead=lead,
        status="done",
    )
    make_action(
        campaign,
        title="Debrief",
        kind="coalition",
        starts_at=utc(2026, 9, 22, 22, 0),  # 17:00 CDT
        lead=helper,
        status="done",
    )
    make_action(campaign, title="Rained-off rally", status="cancelled", lead=helper)
    make_signup(lobby, helper)
    make_signup(lobby, leader)
    add_to_pool(campaign, lead, helper)
    db.session.add(
        LeadAssignment(
            action_id=lobby.id, user_id=lead.id, assigned_by_id=leader.id, method="suggested"
        )
    )
    db.session.commit()
    return campaign, leader


def test_only_a_completed_campaign_can_be_published(finished, client, login_as, post):
    campaign, leader = finished
    campaign.status = "active"
    db.session.commit()
    login_as(leader)
    response = post(f"/c/riverside/campaigns/{campaign.id}/publish", {"summary": "Try it"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Only a completed campaign can be published as a playbook." in page
    assert count(Playbook) == 0


def test_publishing_copies_the_plan_and_never_the_people(finished, client, login_as, post):
    campaign, leader = finished
    login_as(leader)
    response = post(
        f"/c/riverside/campaigns/{campaign.id}/publish", {"summary": "Works in a semester."}
    )
    assert response.status_code == 302
    playbook = db.session.scalar(select(Playbook))
    assert response.location.endswith(f"/playbooks/{playbook.slug}")
    assert playbook.summary == "Works in a semester."
    steps = [
        (s.is_milestone, s.title, s.day_offset, s.action_kind, s.start_minute, s.duration_minutes)
        for s in playbook.steps
    ]
    assert steps == [
        (True, "Ask agreed", 10, None, None, None),
        (True, "Follow-up sent", 19, None, None, None),
        (False, "Lobby day", 14, "meeting", 9 * 60 + 30, 120),
        (False, "Debrief", 21, "coalition", 17 * 60, 60),
    ]
    page = client.get(response.location).get_data(as_text=True)
    assert "Shared by Riverside Health" in page
    assert "Lobby day" in page
    for person in ("Lara Lead", "Hal Helper"):  # the lead and a sign-up of the source
        assert person not in page
    assert "Rained-off rally" not in page

    # A second publication of the same campaign is refused.
    again = post(f"/c/riverside/campaigns/{campaign.id}/publish", {"summary": "Again"})
    assert "already published" in client.get(again.location).get_data(as_text=True)
    assert count(Playbook) == 1


def test_another_chapter_copies_a_shared_playbook_without_people_or_results(
    finished, client, login_as, post
):
    campaign, leader = finished
    login_as(leader)
    post(f"/c/riverside/campaigns/{campaign.id}/publish", {"summary": ""})
    slug = db.session.scalar(select(Playbook.slug))

    other = make_chapter("Lakeside Health", slug="lakeside", timezone="America/Los_Angeles")
    other_leader = make_member(other, "leader", name="Bea Leader").user
    login_as(other_leader)
    assert "Naloxone in every dorm" in client.get("/playbooks").get_data(as_text=True)
    assert "Start a campaign for Lakeside Health" in client.get(f"/playbooks/{slug}").get_data(
        as_text=True
    )
    response = post(
        "/c/lakeside/campaigns/new",
        campaign_form(
            playbook=slug,
            title="Naloxone at Lakeside",
            start_date="2027-01-04",
            end_date="2027-01-05",
        ),
    )
    assert response.status_code == 302
    copy = db.session.scalar(select(Campaign).where(Campaign.chapter_id == other.id))
    assert copy.title == "Naloxone at Lakeside"
    assert copy.status == "draft"
    assert copy.playbook_slug == slug
    assert [(m.title, m.due_date, m.status) for m in copy.milestones] == [
        ("Ask agreed", date(2027, 1, 14), "open"),
        ("Follow-up sent", date(2027, 1, 23), "open"),
    ]
    # Same local wall-clock times, now in Lakeside's zone (PST, UTC-8).
    assert [(a.title, a.kind, a.starts_at, a.ends_at, a.status) for a in copy.actions] == [
        ("Lobby day", "meeting", utc(2027, 1, 18, 17, 30), utc(2027, 1, 18, 19, 30), "planned"),
        ("Debrief", "coalition", utc(2027, 1, 26, 1, 0), utc(2027, 1, 26, 2, 0), "planned"),
    ]
    page = client.get(f"/c/lakeside/campaigns/{copy.id}").get_data(as_text=True)
    assert "<em>Naloxone in every dorm</em>" in page and f">{slug}<" not in page
    copied_ids = [a.id for a in copy.actions]
    assert all(a.lead_id is None for a in copy.actions)
    assert count(ActionSignup, ActionSignup.action_id.in_(copied_ids)) == 0
    assert count(LeadAssignment, LeadAssignment.action_id.in_(copied_ids)) == 0
    # The pool starts with Lakeside's own members (the default), nobody from Riverside.
    pooled = db.session.scalars(
        select(RotationPoolMember.user_id).where(RotationPoolMember.campaign_id == copy.id)
    ).all()
    assert pooled == [other_leader.id]
    assert count(Milestone, Milestone.campaign_id == copy.id, Milestone.status != "open") == 0
    # The source campaign is untouched.
    assert count(Action, Action.campaign_id == campaign.id) == 3

    page = client.get(response.location).get_data(as_text=True)
    assert "Mon 18 Jan 2027, 09:30 PST" in page
    assert "Lara Lead" not in page


def test_playbook_cards_offer_use_this_playbook_to_leaders_only(app, client, login_as):
    chapter = make_chapter("Riverside Health", slug="riverside")
    leader = make_member(chapter, "leader").user
    member = make_member(chapter).user
    login_as(leader)
    html = client.get("/playbooks").get_data(as_text=True)
    assert (
        'href="/c/riverside/campaigns/new?playbook=meet-a-legislator">Use this playbook'
        '<span class="visually-hidden">: Meeting a legislator</span></a>'
    ) in html
    # A leader of two chapters chooses the chapter on the playbook's page.
    make_member(make_chapter("Lakeside Health", slug="lakeside"), "leader", user=leader)
    html = client.get("/playbooks").get_data(as_text=True)
    assert 'href="/playbooks/meet-a-legislator#use">Use this playbook' in html
    plan = client.get("/playbooks/meet-a-legislator").get_data(as_text=True)
    assert '<h2 id="use">Use this playbook</h2>' in plan
    assert "Start a campaign for Lakeside Health" in plan
    login_as(member)
    html = client.get("/playbooks").get_data(as_text=True)
    assert "Use this playbook" not in html and "See the plan" in html
