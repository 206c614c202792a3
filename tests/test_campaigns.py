"""Campaigns: create, edit, status transitions tied to the vision, archive, list, milestones."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import User
from campaigns.models import (
    Action,
    ActionSignup,
    Campaign,
    CampaignStatus,
    LeadAssignment,
    Milestone,
)
from chapters.models import Chapter, VisionGoal
from core.db import utcnow
from core.extensions import db
from tests.factories import (
    add_to_pool,
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_milestone,
    make_signup,
    make_vision,
)


@dataclass
class Setup:
    chapter: Chapter
    leader: User
    member: User
    goal: VisionGoal


@pytest.fixture
def s(app, login_as) -> Setup:
    """Riverside has an adopted vision; its leader is signed in."""
    chapter = make_chapter("Riverside Health", slug="riverside")
    leader = make_member(chapter, "leader", name="Leo Leader").user
    member = make_member(chapter, "member", name="Mia Member", profession="Nursing").user
    vision = make_vision(
        chapter,
        leader,
        goals=("Every dorm has naloxone.", "Clinic hours double."),
        status="adopted",
    )
    login_as(leader)
    return Setup(chapter, leader, member, vision.goals[0])


def form(**overrides) -> dict:
    return {
        "playbook": "",
        "title": "Naloxone in every dorm",
        "issue": "Overdoses on campus",
        "target_community": "Residents of campus housing",
        "decision_maker": "Dean of Students",
        "objective": "Naloxone kits in every residence hall",
        "goal_id": "0",
        "start_date": "2026-09-01",
        "end_date": "2026-12-15",
    } | overrides


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def followed(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.location).get_data(as_text=True)


# --- creating and editing -------------------------------------------------------------------


def test_leader_drafts_a_campaign_that_serves_a_vision_goal(s, client, post):
    page = client.get("/c/riverside/campaigns/new").get_data(as_text=True)
    assert "Every dorm has naloxone." in page  # the adopted vision's goals are offered
    assert "no adopted vision" not in page

    response = post("/c/riverside/campaigns/new", form(goal_id=str(s.goal.id)))

    campaign = db.session.scalar(select(Campaign))
    assert response.location.endswith(f"/c/riverside/campaigns/{campaign.id}")
    assert (campaign.status, campaign.goal_id, campaign.chapter_id) == (
        "draft",
        s.goal.id,
        s.chapter.id,
    )
    assert campaign.decision_maker == "Dean of Students"
    assert (campaign.start_date, campaign.end_date) == (date(2026, 9, 1), date(2026, 12, 15))
    assert campaign.created_by_id == s.leader.id
    page = followed(client, response)
    assert "Campaign drafted." in page
    assert "Serves the vision goal: <em>Every dorm has naloxone.</em>" in page


def test_without_an_adopted_vision_the_leader_is_told_to_adopt_one_and_may_still_draft(
    app, client, login_as, post
):
    chapter = make_chapter("New Chapter", slug="fresh")
    leader = make_member(chapter, "leader").user
    make_vision(chapter, leader, status="proposed")  # proposed is not adopted
    login_as(leader)
    page = client.get("/c/fresh/campaigns/new").get_data(as_text=True)
    assert "New Chapter has no adopted vision yet" in page
    assert 'href="/c/fresh/vision"' in page

    response = post("/c/fresh/campaigns/new", form())
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.status, campaign.goal_id) == ("draft", None)
    assert "Not linked to a vision goal yet." in followed(client, response)

    refused = post(f"/c/fresh/campaigns/{campaign.id}/status/active")
    assert "to a goal of the adopted vision before activating it" in followed(client, refused)
    db.session.refresh(campaign)
    assert campaign.status == "draft"


def test_activating_needs_a_linked_goal_then_works(s, client, post):
    campaign = make_campaign(s.chapter, created_by=s.leader)
    refused = post(f"/c/riverside/campaigns/{campaign.id}/status/active")
    assert "before activating it" in followed(client, refused)
    db.session.refresh(campaign)
    assert campaign.status == "draft"

    post(f"/c/riverside/campaigns/{campaign.id}/edit", form(goal_id=str(s.goal.id)))
    activated = post(f"/c/riverside/campaigns/{campaign.id}/status/active")
    assert "The campaign is now active." in followed(client, activated)
    db.session.refresh(campaign)
    assert (campaign.status, campaign.goal_id) == ("active", s.goal.id)


def test_fields_a_leader_may_not_set_are_ignored(s, post):
    other = make_chapter(slug="elsewhere")
    post(
        "/c/riverside/campaigns/new",
        form() | {"status": "active", "chapter_id": str(other.id), "created_by_id": "999"},
    )
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.status, campaign.chapter_id, campaign.created_by_id) == (
        "draft",
        s.chapter.id,
        s.leader.id,
    )


def test_a_goal_from_another_chapters_vision_is_refused(s, client, post):
    other = make_chapter(slug="elsewhere")
    other_goal = make_vision(other, make_member(other).user, status="adopted").goals[0]
    response = post("/c/riverside/campaigns/new", form(goal_id=str(other_goal.id)))
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert count(Campaign) == 0


def test_end_before_start_is_refused_with_a_field_error(s, client, post):
    response = post(
        "/c/riverside/campaigns/new", form(start_date="2026-09-10", end_date="2026-09-01")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="end_date-error" class="field-error">The campaign cannot end before it starts.' in (
        html
    )
    assert 'aria-invalid="true"' in html
    assert count(Campaign) == 0


def test_a_missing_title_is_refused_with_a_field_error(s, post):
    response = post("/c/riverside/campaigns/new", form(title="  "))
    assert response.status_code == 200
    assert 'id="title-error" class="field-error">This field is required.' in response.get_data(
        as_text=True
    )
    assert count(Campaign) == 0


def test_leader_edits_a_campaign(s, client, post):
    campaign = make_campaign(s.chapter, title="Old title", created_by=s.leader)
    page = client.get(f"/c/riverside/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'value="Old title"' in page

    response = post(
        f"/c/riverside/campaigns/{campaign.id}/edit",
        form(title="New title", goal_id=str(s.goal.id), end_date="2027-01-31"),
    )
    assert "Campaign saved." in followed(client, response)
    db.session.refresh(campaign)
    assert (campaign.title, campaign.goal_id, campaign.end_date) == (
        "New title",
        s.goal.id,
        date(2027, 1, 31),
    )


def test_editing_to_end_before_start_changes_nothing(s, post):
    campaign = make_campaign(
        s.chapter, title="Keep me", start_date=date(2026, 9, 1), end_date=date(2026, 10, 1)
    )
    response = post(
        f"/c/riverside/campaigns/{campaign.id}/edit",
        form(title="Changed", start_date="2026-09-10", end_date="2026-09-01"),
    )
    assert response.status_code == 200
    assert "The campaign cannot end before it starts." in response.get_data(as_text=True)
    db.session.refresh(campaign)
    assert (campaign.title, campaign.end_date) == ("Keep me", date(2026, 10, 1))


# --- status transitions and archiving -------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "to", "end"),
    [
        ("draft", "active", "active"),
        ("draft", "completed", "draft"),
        ("draft", "archived", "archived"),
        ("active", "completed", "completed"),
        ("active", "archived", "archived"),
        ("completed", "active", "active"),
        ("completed", "archived", "archived"),
        ("archived", "active", "archived"),
        ("archived", "completed", "archived"),
        ("active", "active", "active"),
    ],
)
def test_status_transitions(s, client, post, start, to, end):
    campaign = make_campaign(s.chapter, status=start, goal=s.goal)
    page = followed(client, post(f"/c/riverside/campaigns/{campaign.id}/status/{to}"))
    db.session.refresh(campaign)
    assert campaign.status == end
    if start == end:
        assert "cannot become" in page


def test_a_refused_transition_is_worded_for_people(s, client, post):
    draft = make_campaign(s.chapter)
    archived = make_campaign(s.chapter, status="archived", goal=s.goal)
    page = followed(client, post(f"/c/riverside/campaigns/{draft.id}/status/completed"))
    assert "A draft campaign cannot become completed." in page
    page = followed(client, post(f"/c/riverside/campaigns/{archived.id}/status/active"))
    assert "An archived campaign cannot become active." in page


def test_archiving_asks_for_confirmation_and_deletes_nothing(s, client, post):
    campaign = make_campaign(s.chapter, title="Clinic hours", status="active", goal=s.goal)
    action = make_action(campaign, title="Meet the dean", lead=s.member)
    make_signup(action, s.leader)
    make_milestone(campaign, title="Petition delivered")
    db.session.add(
        LeadAssignment(
            action_id=action.id, user_id=s.member.id, assigned_by_id=s.leader.id, method="override"
        )
    )
    db.session.commit()

    confirm = client.get(f"/c/riverside/campaigns/{campaign.id}/status/archived")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Mark “Clinic hours” archived?" in html
    assert "Nothing is deleted" in html
    db.session.refresh(campaign)
    assert campaign.status == "active"  # showing the page changes nothing

    page = followed(client, post(f"/c/riverside/campaigns/{campaign.id}/status/archived"))
    assert "The campaign is now archived." in page
    db.session.refresh(campaign)
    assert campaign.status == "archived"
    # Everything it held is still there and still readable.
    assert count(Action, Action.campaign_id == campaign.id) == 1
    assert count(Milestone, Milestone.campaign_id == campaign.id) == 1
    assert count(ActionSignup) == 1
    assert count(LeadAssignment) == 1
    assert "Meet the dean" in page
    assert "Petition delivered" in page
    assert client.get(f"/c/riverside/actions/{action.id}").status_code == 200


def test_no_route_deletes_a_campaign_action_or_milestone(app):
    campaign_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("campaigns.")]
    assert not [r for r in campaign_rules if "DELETE" in r.methods]
    deleting = sorted(r.endpoint for r in campaign_rules if "delete" in r.rule.lower())
    assert deleting == ["campaigns.delete_availability"]  # only your own unavailable dates


# --- the list -------------------------------------------------------------------------------


def test_the_list_filters_by_status(s, client):
    for status in CampaignStatus:
        make_campaign(s.chapter, title=f"The {status} one", status=status, goal=s.goal)
    make_campaign(make_chapter(slug="other"), title="Another chapter's campaign", status="active")

    everything = client.get("/c/riverside/campaigns").get_data(as_text=True)
    for status in CampaignStatus:
        assert f"The {status} one" in everything
    assert "Another chapter's campaign" not in everything

    for status in CampaignStatus:
        page = client.get(f"/c/riverside/campaigns?status={status}").get_data(as_text=True)
        shown = [t for t in CampaignStatus if f"The {t} one" in page]
        assert shown == [status]

    # An unknown status is ignored rather than an error.
    bogus = client.get("/c/riverside/campaigns?status=deleted")
    assert bogus.status_code == 200
    assert "The archived one" in bogus.get_data(as_text=True)


def test_the_list_is_paginated(s, client):
    for i in range(23):
        make_campaign(s.chapter, title=f"Campaign number {i:02d}", commit=False)
    db.session.commit()
    first = client.get("/c/riverside/campaigns").get_data(as_text=True)
    second = client.get("/c/riverside/campaigns?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first
    shown = [i for i in range(23) if f"Campaign number {i:02d}" in first]
    more = [i for i in range(23) if f"Campaign number {i:02d}" in second]
    assert len(shown) == 20
    assert sorted(shown + more) == list(range(23))


# --- milestones -----------------------------------------------------------------------------


def test_leader_adds_and_edits_a_milestone(s, client, post):
    campaign = make_campaign(s.chapter)
    response = post(
        f"/c/riverside/campaigns/{campaign.id}/milestones/new",
        {"title": "Petition delivered", "criteria": "500 signatures", "due_date": "2026-10-01"},
    )
    assert "Milestone saved." in followed(client, response)
    milestone = db.session.scalar(select(Milestone))
    assert (milestone.title, milestone.due_date, milestone.status) == (
        "Petition delivered",
        date(2026, 10, 1),
        "open",
    )
    post(
        f"/c/riverside/milestones/{milestone.id}/edit",
        {"title": "Petition delivered", "criteria": "800 signatures", "due_date": "2026-10-08"},
    )
    db.session.refresh(milestone)
    assert (milestone.criteria, milestone.due_date) == ("800 signatures", date(2026, 10, 8))


def test_a_milestone_without_a_due_date_is_refused(s, post):
    campaign = make_campaign(s.chapter)
    response = post(
        f"/c/riverside/campaigns/{campaign.id}/milestones/new",
        {"title": "Petition delivered", "due_date": "someday"},
    )
    assert response.status_code == 200
    assert 'id="due_date-error"' in response.get_data(as_text=True)
    assert count(Milestone) == 0


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_a_milestone_awaiting_or_past_sign_off_cannot_be_edited_here(s, client, post, status):
    campaign = make_campaign(s.chapter)
    milestone = make_milestone(campaign, title="Signed", due_date=date(2026, 10, 1), status=status)
    response = post(
        f"/c/riverside/milestones/{milestone.id}/edit",
        {"title": "Rewritten", "due_date": "2026-12-01"},
    )
    assert response.status_code == 200
    assert "cannot be edited here" in response.get_data(as_text=True)
    db.session.refresh(milestone)
    assert (milestone.title, milestone.due_date, milestone.status) == (
        "Signed",
        date(2026, 10, 1),
        status,
    )


# --- the campaign page ----------------------------------------------------------------------


def test_campaign_page_shows_the_timeline_in_order_with_progress(s, client):
    campaign = make_campaign(s.chapter, status="active", goal=s.goal)
    soon = utcnow() + timedelta(days=2)
    make_action(campaign, title="Second action", starts_at=soon + timedelta(days=5))
    make_action(campaign, title="First action", starts_at=soon, lead=s.member)
    make_action(campaign, title="Done action", starts_at=soon - timedelta(days=10), status="done")
    make_milestone(campaign, title="The middle milestone", due_date=(soon + timedelta(3)).date())
    html = client.get(f"/c/riverside/campaigns/{campaign.id}").get_data(as_text=True)
    order = [
        html.index(t)
        for t in ("Done action", "First action", "The middle milestone", "Second action")
    ]
    assert order == sorted(order)
    assert "1 of 3 actions done" in html
    assert "0 of 1 milestones approved" in html
    assert "Mia Member" in html  # leads so far


def _queries_for(client, url, query_counter) -> int:
    client.get(url)  # warm up anything done once per session
    db.session.expunge_all()  # the request must load everything itself
    with query_counter() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_campaign_page_query_count_does_not_grow_with_its_actions(s, client, query_counter):
    people = [s.leader, s.member] + [
        make_member(s.chapter, "member", profession=p).user for p in ("Pharmacy", "Social Work")
    ]
    campaign = make_campaign(s.chapter, status="active", goal=s.goal)
    campaign_id = campaign.id
    add_to_pool(campaign, *people)
    make_milestone(campaign)
    start = utcnow() + timedelta(days=1)

    def add_actions(first, last):
        # Each action gets its own lead and sign-up, so a lazy load per action would show.
        for i in range(first, last):
            lead = make_member(s.chapter, "member", commit=False).user if i % 3 else None
            action = make_action(
                campaign,
                starts_at=start + timedelta(hours=i),
                lead=lead,
                capacity=10,
                status="done" if i % 5 == 0 else "planned",
                commit=False,
            )
            if i % 2:
                signer = make_member(s.chapter, "member", commit=False).user
                db.session.add(ActionSignup(action=action, user=signer))
        db.session.commit()

    add_actions(0, 5)
    url = f"/c/riverside/campaigns/{campaign_id}"
    few = _queries_for(client, url, query_counter)
    campaign = db.session.get(Campaign, campaign_id)
    add_actions(5, 100)
    many = _queries_for(client, url, query_counter)
    assert count(Action, Action.campaign_id == campaign_id) == 100
    assert many == few


def test_campaign_page_shows_a_window_of_actions_and_links_to_all(s, client):
    campaign = make_campaign(s.chapter, status="active", goal=s.goal)
    now = utcnow()
    for i in range(30):  # Past 00-29, the newest last
        make_action(
            campaign, title=f"Past {i:02}", starts_at=now - timedelta(days=30 - i), commit=False
        )
    for i in range(40):  # Next 00-39, the soonest first
        lead = s.member if i == 39 else None
        make_action(
            campaign,
            title=f"Next {i:02}",
            starts_at=now + timedelta(days=1 + i),
            lead=lead,
            commit=False,
        )
    db.session.commit()
    html = client.get(f"/c/riverside/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Past 25" in html and "Past 29" in html and "Past 24" not in html
    assert "Next 00" in html and "Next 09" in html and "Next 10" not in html
    assert "15 of 70 actions" in html
    assert "Mia Member" in html  # leads so far cover the whole campaign, not the window
    link = f"/c/riverside/campaigns/{campaign.id}/actions"
    assert f'href="{link}">All 70 actions</a>' in html

    first = client.get(link).get_data(as_text=True)
    assert "70 actions" in first and "Past 00" in first and "Next 19" in first
    assert "Next 20" not in first and f"{link}?page=2" in first
    second = client.get(f"{link}?page=2").get_data(as_text=True)
    assert "Next 20" in second and "Next 39" in second and "Past 00" not in second


def test_all_actions_page_query_count_does_not_grow(s, client, query_counter):
    campaign = make_campaign(s.chapter, status="active", goal=s.goal)
    campaign_id = campaign.id
    start = utcnow() + timedelta(days=1)

    def add_actions(first, last):
        for i in range(first, last):
            lead = make_member(s.chapter, "member", commit=False).user
            action = make_action(
                db.session.get(Campaign, campaign_id),
                starts_at=start + timedelta(hours=i),
                lead=lead,
                commit=False,
            )
            db.session.add(ActionSignup(action=action, user=lead))
        db.session.commit()

    add_actions(0, 5)
    url = f"/c/riverside/campaigns/{campaign_id}/actions"
    few = _queries_for(client, url, query_counter)
    add_actions(5, 120)
    assert _queries_for(client, url, query_counter) == few
    assert _queries_for(client, url + "?page=3", query_counter) == few


def test_campaign_page_names_the_first_of_a_large_pool_and_counts_it_all(s, client):
    campaign = make_campaign(s.chapter, status="active", goal=s.goal)
    others = [make_member(s.chapter, "member", name=f"Pooler {i:02}").user for i in range(24)]
    add_to_pool(campaign, s.leader, *others)
    html = client.get(f"/c/riverside/campaigns/{campaign.id}").get_data(as_text=True)
    assert "25 members take turns leading" in html
    assert "Leo Leader, Pooler 00" in html and "Pooler 18 and 5 more" in html
    assert "Pooler 19" not in html
    assert "Leave the rotation" in html  # the signed-in leader is in the pool
