"""Archived campaigns are read-only; impossible local times and full actions are refused clearly."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from campaigns.models import Action, ActionSignup
from core.extensions import db
from tests.factories import make_action, make_campaign, make_chapter, make_member, make_signup


def _leader_and_campaign(status="active", timezone="America/Chicago"):
    chapter = make_chapter(timezone=timezone)
    leader = make_member(chapter, "leader", profession="Nursing").user
    campaign = make_campaign(chapter, status=status, created_by=leader)
    return chapter, leader, campaign


def test_an_archived_campaign_refuses_sign_ups_and_new_actions(app, login_as, post):
    chapter, leader, campaign = _leader_and_campaign(status="archived")
    action = make_action(campaign)
    member = make_member(chapter, "member").user
    login_as(member)

    page = post(f"/c/{chapter.slug}/actions/{action.id}/signup", follow_redirects=True)
    assert "This campaign is archived" in page.get_data(as_text=True)
    assert db_count(ActionSignup) == 0

    login_as(leader)
    before = db_count(Action)
    page = post(
        f"/c/{chapter.slug}/campaigns/{campaign.id}/actions/new",
        {
            "kind": "meeting",
            "title": "Late idea",
            "day": "2030-01-10",
            "start_time": "10:00",
            "end_time": "11:00",
        },
        follow_redirects=True,
    )
    assert "This campaign is archived" in page.get_data(as_text=True)
    assert db_count(Action) == before


def test_the_campaign_page_of_an_archived_campaign_offers_no_edits(app, login_as, client):
    chapter, leader, campaign = _leader_and_campaign(status="archived")
    login_as(leader)
    html = client.get(f"/c/{chapter.slug}/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Edit details" not in html
    assert "Add an action" not in html


def test_a_time_skipped_by_the_spring_clock_change_is_refused(app, login_as, post):
    chapter, leader, campaign = _leader_and_campaign(timezone="America/Chicago")
    login_as(leader)
    before = db_count(Action)
    page = post(
        f"/c/{chapter.slug}/campaigns/{campaign.id}/actions/new",
        # 8 March 2026: Chicago clocks jump from 02:00 to 03:00.
        {
            "kind": "training",
            "title": "Night shift",
            "day": "2026-03-08",
            "start_time": "02:30",
            "end_time": "04:00",
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "02:30 does not exist on that day in America/Chicago" in html
    assert db_count(Action) == before


def test_the_hour_after_the_spring_change_is_stored_in_utc(app, login_as, post):
    chapter, leader, campaign = _leader_and_campaign(timezone="America/Chicago")
    login_as(leader)
    post(
        f"/c/{chapter.slug}/campaigns/{campaign.id}/actions/new",
        {
            "kind": "training",
            "title": "Early training",
            "day": "2026-03-08",
            "start_time": "03:30",
            "end_time": "04:00",
        },
    )
    action = db_scalar(select(Action).where(Action.title == "Early training"))
    assert action.starts_at == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)  # CDT is UTC-5


def test_a_full_action_says_so_in_words(app, login_as, post):
    chapter, _leader, campaign = _leader_and_campaign()
    action = make_action(campaign, capacity=1)
    make_signup(action, make_member(chapter, "member").user)
    late = make_member(chapter, "member").user
    login_as(late)
    page = post(f"/c/{chapter.slug}/actions/{action.id}/signup", follow_redirects=True)
    assert "This action is full (1 place)." in page.get_data(as_text=True)
    assert db_count(ActionSignup) == 1


def db_count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def db_scalar(query):
    return db.session.scalar(query)
