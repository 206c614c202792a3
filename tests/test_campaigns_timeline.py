"""Campaigns: milestones and the campaign page (timeline, windows of actions, query counts)."""

from datetime import date, timedelta

from sqlalchemy import select

from campaigns.models import Action, ActionSignup, Campaign, Milestone
from core.db import utcnow
from core.extensions import db
from tests.campaigns_world import (
    count,
    followed,
    s_fixture,  # noqa: F401  (fixture)
)
from tests.factories import add_to_pool, make_action, make_campaign, make_member, make_milestone

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


def test_a_signed_off_milestone_cannot_be_edited(s, client, post):
    """Approved work is locked (a submitted one is withdrawn by an edit: test_signoff.py)."""
    campaign = make_campaign(s.chapter)
    milestone = make_milestone(
        campaign, title="Signed", due_date=date(2026, 10, 1), status="approved"
    )
    response = post(
        f"/c/riverside/milestones/{milestone.id}/edit",
        {"title": "Rewritten", "due_date": "2026-12-01"},
    )
    assert response.status_code == 200
    assert "signed off and locked" in response.get_data(as_text=True)
    db.session.refresh(milestone)
    assert (milestone.title, milestone.due_date, milestone.status) == (
        "Signed",
        date(2026, 10, 1),
        "approved",
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
