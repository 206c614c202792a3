"""The advisor's queue: everything waiting for my decision across my chapters, oldest first,
overdue marked, decided from the page; and leaders' milestones by state."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns.services.signoff_queue import advisor_queue
from core.db import utcnow
from core.extensions import db
from tests.factories import make_campaign, make_chapter, make_member, make_milestone, make_user
from tests.signoff_world import build_scene, scene_fixture, submit  # noqa: F401  (fixture)


def _age(sub, days: int) -> None:
    """Submitted `days` calendar days ago on the chapter's wall clock, at this time of day:
    the queue counts the chapter's days, and across a DST change 9 x 24 hours ago can be
    8 or 10 of them (23:30 or 00:30 in New York)."""
    zone = ZoneInfo(sub.milestone.campaign.chapter.timezone)
    here = utcnow().astimezone(zone).replace(tzinfo=None)
    sub.submitted_at = (here - timedelta(days=days)).replace(tzinfo=zone)
    db.session.commit()


@pytest.mark.dates
def test_the_queue_lists_my_chapters_oldest_first_with_overdue_marked(scene, app, client, login_as):
    # The advisor also advises a second chapter; a third chapter's sign-off is not theirs.
    harbor = make_chapter("Harbor City", slug="harbor", timezone="America/New_York")
    make_member(harbor, "advisor", user=scene.advisor)
    harbor_leader = make_member(harbor, "leader", name="Hal Harbor").user
    harbor_ms = make_milestone(make_campaign(harbor, title="Harbor clinic", status="active"))
    other = build_scene("elsewhere")

    recent = submit(scene.milestone, scene.leader, summary="Recent one")
    _age(recent, 2)
    old = submit(harbor_ms, harbor_leader, summary="Old one")
    _age(old, 9)
    submit(other.milestone, other.leader, summary="Not mine")

    login_as(scene.advisor)
    page = client.get("/signoffs").get_data(as_text=True)
    assert "Not mine" not in page
    assert page.index("Old one") < page.index("Recent one")  # oldest first
    assert "2 waiting across your chapters" in page
    assert "Harbor clinic" in page and "Hal Harbor" in page and "waiting 9 days" in page
    assert page.count("Overdue</span>") == 1  # 9 days > 7; 2 days is not
    assert 'action="/c/harbor/signoffs/' in page  # decided in its own chapter


@pytest.mark.dates
def test_overdue_follows_the_configured_number_of_days(scene, app, client, login_as):
    sub = submit(scene.milestone, scene.leader)
    _age(sub, 3)
    login_as(scene.advisor)
    assert "Overdue</span>" not in client.get("/signoffs").get_data(as_text=True)
    app.config["SIGNOFF_OVERDUE_DAYS"] = 2
    assert "Overdue</span>" in client.get("/signoffs").get_data(as_text=True)


def test_the_queue_marks_overdue_on_the_chapters_wall_clock_across_dst(scene, app):
    """Submitted at noon in Chicago a week before clocks go forward: overdue from noon."""
    sub = submit(scene.milestone, scene.leader)
    sub.submitted_at = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)  # 12:00 CST
    db.session.commit()
    with app.test_request_context():
        _, before = advisor_queue(scene.advisor, 1, now=datetime(2026, 3, 8, 16, 59, tzinfo=UTC))
        _, after = advisor_queue(scene.advisor, 1, now=datetime(2026, 3, 8, 17, 1, tzinfo=UTC))
    assert [i.waited.overdue for i in before] == [False]  # 11:59 CDT
    assert [i.waited.overdue for i in after] == [True]  # 12:01 CDT


def test_an_advisor_approves_straight_from_the_queue(scene, client, login_as, post):
    sub = submit(scene.milestone, scene.leader)
    login_as(scene.advisor)
    response = post(
        f"/c/riverside/signoffs/{sub.id}/decide",
        {"decision": "approve", "version": "1", "back": "queue"},
    )
    assert response.location.endswith("/signoffs")
    page = client.get("/signoffs").get_data(as_text=True)
    assert "The milestone is approved." in page
    assert "Nothing is waiting for your decision." in page


@pytest.mark.parametrize(
    ("who", "said"),
    [
        ("advisor", "Nothing is waiting for your decision."),
        ("staff", "You do not advise any chapter, so no sign-off waits for you."),
    ],
)
def test_an_empty_queue_says_so_plainly(scene, client, login_as, who, said):
    user = scene.advisor if who == "advisor" else make_user(national_staff=True, kind="faculty")
    login_as(user)
    page = client.get("/signoffs").get_data(as_text=True)
    assert said in page
    # Only people who advise a chapter have Sign-offs in the navigation.
    assert ('href="/signoffs"' in page) == (who == "advisor")


def test_only_people_who_advise_a_chapter_see_the_sign_offs_link(
    scene, app, client, login_as, query_counter
):
    login_as(scene.leader)
    assert 'href="/signoffs"' not in client.get("/profile").get_data(as_text=True)
    login_as(make_user(kind="faculty"))  # faculty, but advising no chapter
    assert 'href="/signoffs"' not in client.get("/profile").get_data(as_text=True)
    counts = {}
    for who in (scene.leader, scene.advisor):
        login_as(who)
        with query_counter() as statements:
            page = client.get("/profile").get_data(as_text=True)
        counts[who.id] = len(statements)
    assert 'href="/signoffs"' in page
    # Loaded with the signed-in user: no statement of its own on every page.
    assert counts[scene.advisor.id] == counts[scene.leader.id]
    # Leaving the chapter takes the link away.
    membership = next(m for m in scene.chapter.memberships if m.user_id == scene.advisor.id)
    membership.status = "left"
    db.session.commit()
    assert 'href="/signoffs"' not in client.get("/profile").get_data(as_text=True)


def test_the_queue_is_paginated(scene, client, login_as):
    from campaigns.services.signoff_queue import QUEUE_PER_PAGE

    for i in range(QUEUE_PER_PAGE + 1):
        submit(make_milestone(scene.campaign, title=f"Step {i:02}"), scene.leader)
    login_as(scene.advisor)
    first = client.get("/signoffs").get_data(as_text=True)
    assert (
        "Page 1 of 2" in first and "Step 00" in first and f"Step {QUEUE_PER_PAGE:02}" not in first
    )
    assert f"Step {QUEUE_PER_PAGE:02}" in client.get("/signoffs?page=2").get_data(as_text=True)


def test_leaders_see_milestones_by_state_with_the_return_comment(scene, client, login_as):
    from campaigns.services.signoff import decide

    waiting = make_milestone(scene.campaign, title="Kits ordered")
    submit(waiting, scene.leader)
    returned_sub = submit(scene.milestone, scene.leader)
    decide(returned_sub, False, "Which dean?", scene.advisor, "advisor")
    db.session.commit()
    login_as(scene.leader)
    tabs = client.get("/c/riverside/milestones?state=submitted").get_data(as_text=True)
    assert "Kits ordered" in tabs and "Waiting for sign-off (1)" in tabs and "Returned (1)" in tabs
    returned = client.get("/c/riverside/milestones?state=returned").get_data(as_text=True)
    assert "Dean agrees" in returned and "“Which dean?”" in returned


@pytest.mark.dates
def test_an_open_milestone_past_its_due_date_is_marked_overdue(scene, client, login_as):
    make_milestone(scene.campaign, title="Late one", due_date=(utcnow() - timedelta(days=2)).date())
    make_milestone(scene.campaign, title="Soon one", due_date=(utcnow() + timedelta(days=9)).date())
    login_as(scene.leader)
    page = client.get("/c/riverside/milestones?state=open").get_data(as_text=True)
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in page.split("<tr>")[2:]}
    assert "Overdue" in rows["Late one"] and "Overdue" not in rows["Soon one"]


def test_archiving_a_campaign_withdraws_its_waiting_sign_offs_and_tells_the_leaders(
    scene, client, login_as, post
):
    """Nobody can decide a sign-off of an archived campaign: archiving withdraws what waits
    (a milestone and an addendum), records it, tells the leaders, and the advisor's queue
    and My week no longer offer buttons that would always fail."""
    from sqlalchemy import select

    from campaigns.services.signoff import submit_addendum
    from campaigns.services.week import signoffs_waiting_for
    from campaigns.signoff_models import MilestoneSubmission
    from core.models import AuditEvent
    from notifications.models import Notification
    from tests.signoff_world import approve

    other_leader = make_member(scene.chapter, "leader", name="Lu Leader").user
    approve(submit(scene.milestone, scene.leader, [scene.outcome]), scene.advisor)
    addendum = submit_addendum(scene.milestone, "The letter came late.", scene.leader, "leader")
    other = make_milestone(scene.campaign, title="Clinic opens")
    waiting = submit(other, scene.leader)
    db.session.commit()
    assert signoffs_waiting_for([scene.chapter.id]).total == 2

    login_as(scene.leader)
    response = post(f"/c/riverside/campaigns/{scene.campaign.id}/status/archived")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(MilestoneSubmission, waiting.id).status == "withdrawn"
    assert db.session.get(MilestoneSubmission, addendum.id).status == "withdrawn"
    assert other.status == "open" and scene.milestone.status == "approved"
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("%.withdrawn")).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.after["submission_id"], e.after["reason"]) for e in events] == [
        ("addendum.withdrawn", addendum.id, "the campaign was archived"),
        ("milestone.withdrawn", waiting.id, "the campaign was archived"),
    ]
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "signoff_withdrawn")
    ).all()
    # Both submitted by Leo, who archived it himself: the other leader is told (twice).
    assert [n.recipient_id for n in told] == [other_leader.id] * 2
    assert any("“Clinic opens” (Clinic hours) was withdrawn from sign-off" in n.text for n in told)

    assert signoffs_waiting_for([scene.chapter.id]).total == 0
    login_as(scene.advisor)
    assert "Nothing is waiting for your decision." in client.get("/signoffs").get_data(as_text=True)
