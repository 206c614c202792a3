"""Campaigns: create, edit, status transitions tied to the vision, archive, the list."""

from datetime import date

import pytest
from sqlalchemy import select

from campaigns.models import (
    Action,
    ActionSignup,
    Campaign,
    CampaignStatus,
    LeadAssignment,
    Milestone,
)
from core.extensions import db
from tests.campaigns_world import (
    count,
    followed,
    form,
    s_fixture,  # noqa: F401  (fixture)
)
from tests.factories import (
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_milestone,
    make_signup,
    make_vision,
)

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
