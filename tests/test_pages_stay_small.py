"""Long lists come a page at a time: an action's sign-ups, its lead history, the vision's
versions. The page that summarises them shows the first few and links to the rest."""

import re
from datetime import timedelta

from campaigns.models import LeadAssignment
from core.db import utcnow
from core.extensions import db
from tests.campaigns_world import s_fixture  # noqa: F401  (fixture)
from tests.factories import (
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_signup,
    make_user,
    make_vision,
)


def _names(html: str) -> list[str]:
    return re.findall(r"<li>(Signed [0-9]+) <small", html)


def _sign_up_many(action, chapter, n: int) -> None:
    for i in range(n):
        member = make_member(chapter, name=f"Signed {i:03d}", commit=False)
        db.session.flush()
        make_signup(action, member.user, commit=False)
    db.session.commit()


def test_the_action_page_links_to_everyone_signed_up_a_page_at_a_time(s, client):
    action = make_action(make_campaign(s.chapter), title="Health fair")
    _sign_up_many(action, s.chapter, 120)

    page = client.get(f"/c/riverside/actions/{action.id}").get_data(as_text=True)
    assert "Who is coming (120)" in page
    assert len(_names(page)) == 50
    assert "and 70 more" in page
    assert f'href="/c/riverside/actions/{action.id}/signups"' in page

    first = client.get(f"/c/riverside/actions/{action.id}/signups").get_data(as_text=True)
    second = client.get(f"/c/riverside/actions/{action.id}/signups?page=2").get_data(as_text=True)
    assert "120 signed up" in first
    assert _names(first)[:2] == ["Signed 000", "Signed 001"]
    assert len(_names(first)) == 100
    assert _names(second) == [f"Signed {i:03d}" for i in range(100, 120)]
    assert "Page 2 of 2" in second

    beyond = client.get(f"/c/riverside/actions/{action.id}/signups?page=9")
    assert beyond.status_code == 200
    assert "There is no page 9" in beyond.get_data(as_text=True)


def test_an_action_with_nobody_signed_up_says_where_to_sign_up(s, client):
    action = make_action(make_campaign(s.chapter))
    html = client.get(f"/c/riverside/actions/{action.id}/signups").get_data(as_text=True)
    assert "Nobody has signed up yet" in html


def test_the_signup_list_costs_the_same_statements_for_3_or_120_people(s, client, query_counter):
    small = make_action(make_campaign(s.chapter))
    large = make_action(make_campaign(s.chapter))
    _sign_up_many(small, s.chapter, 3)
    _sign_up_many(large, s.chapter, 120)
    counts = []
    for action in (small, large):
        with query_counter() as statements:
            assert client.get(f"/c/riverside/actions/{action.id}/signups").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_another_chapters_member_cannot_read_the_signup_list_or_lead_history(app, client, login_as):
    riverside = make_chapter("Riverside", slug="riverside")
    leader = make_member(riverside, "leader").user
    action = make_action(make_campaign(riverside), lead=leader)
    stranger = make_member(make_chapter("Hillside", slug="hillside")).user
    login_as(stranger)
    for path in ("signups", "history"):
        response = client.get(f"/c/riverside/actions/{action.id}/{path}")
        assert response.status_code in (403, 404)
        assert leader.display_name not in response.get_data(as_text=True)


def _lead_changes(action, leader, people, n: int) -> None:
    start = utcnow() - timedelta(days=n)
    for i in range(n):
        db.session.add(
            LeadAssignment(
                action_id=action.id,
                user_id=people[i % len(people)].id,
                assigned_by_id=leader.id,
                method="override",
                reason=f"change number {i}",
                created_at=start + timedelta(hours=i),
            )
        )
    db.session.commit()


def test_the_action_page_shows_the_last_ten_lead_changes_and_links_to_all(s, client):
    action = make_action(make_campaign(s.chapter))
    _lead_changes(action, s.leader, [s.member, s.leader], 12)

    page = client.get(f"/c/riverside/actions/{action.id}").get_data(as_text=True)
    shown = re.findall(r"change number ([0-9]+)", page)
    assert shown == [str(i) for i in range(11, 1, -1)]  # the newest ten, newest first
    assert f'href="/c/riverside/actions/{action.id}/history"' in page

    everything = client.get(f"/c/riverside/actions/{action.id}/history").get_data(as_text=True)
    assert "12 changes of lead" in everything
    assert re.findall(r"change number ([0-9]+)", everything) == [str(i) for i in range(11, -1, -1)]


def test_a_short_lead_history_has_no_link_to_more(s, client):
    action = make_action(make_campaign(s.chapter))
    _lead_changes(action, s.leader, [s.member], 3)
    page = client.get(f"/c/riverside/actions/{action.id}").get_data(as_text=True)
    assert len(re.findall(r"change number", page)) == 3
    assert "The whole lead history" not in page


def test_the_vision_history_comes_five_versions_at_a_time(s, client):
    # The fixture's chapter has version 1 (adopted); six more were proposed and withdrawn.
    author = make_user(name="Vera Visionary")
    for i in range(6):
        make_vision(s.chapter, author, statement=f"Statement {i + 2}", status="withdrawn")
    first = client.get("/c/riverside/vision/history").get_data(as_text=True)
    second = client.get("/c/riverside/vision/history?page=2").get_data(as_text=True)
    assert re.findall(r"<strong>Version ([0-9]+)</strong>", first) == ["7", "6", "5", "4", "3"]
    assert re.findall(r"<strong>Version ([0-9]+)</strong>", second) == ["2", "1"]
    assert "7 versions, newest first" in first
    assert "Page 2 of 2" in second
