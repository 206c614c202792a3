"""Bad input and simultaneous edits: a clear answer, nothing lost, never a 500."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaigns.models import Action, LeadAssignment, RotationPoolMember
from core.extensions import db
from tests.factories import (
    PASSWORD,
    add_to_pool,
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_user,
)


@pytest.fixture
def world(app):
    chapter = make_chapter(slug="riverside", timezone="America/Chicago")
    leader = make_member(chapter, "leader", profession="Nursing").user
    other_leader = make_member(chapter, "leader", profession="Medicine").user
    campaign = make_campaign(chapter, status="active", created_by=leader)
    action = make_action(campaign, title="Council testimony", location="Room 1")
    return chapter, leader, other_leader, campaign, action


def _action_form(**overrides):
    data = {
        "kind": "testimony",
        "title": "Council testimony",
        "day": "2030-05-14",
        "start_time": "18:00",
        "end_time": "19:00",
        "location": "Room 1",
        "description": "",
    }
    data.update(overrides)
    return data


def test_a_stale_edit_is_not_saved_and_keeps_the_users_text(world, app, client, login_as, post):
    chapter, leader, other_leader, _campaign, action = world
    edit_url = f"/c/{chapter.slug}/actions/{action.id}/edit"
    opened_version = str(action.version)

    # Another leader saves first.
    second = app.test_client()
    login_as(other_leader, client_=second)
    post(edit_url, _action_form(location="Room 2", version=opened_version), client_=second)

    # The first leader saves from the page opened before that.
    login_as(leader)
    response = post(edit_url, _action_form(title="Testimony at council", version=opened_version))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else saved this while you were editing" in html
    assert 'value="Testimony at council"' in html  # their text is still in the form
    db.session.expire_all()
    assert (action.title, action.location) == ("Council testimony", "Room 2")

    # Saving again after review keeps their change, knowingly.
    current = str(db.session.get(Action, action.id).version)
    post(edit_url, _action_form(title="Testimony at council", location="Room 2", version=current))
    db.session.expire_all()
    assert action.title == "Testimony at council"


def test_a_long_hand_off_note_is_kept_whole(world, login_as, post):
    chapter, leader, other_leader, campaign, action = world
    add_to_pool(campaign, leader, other_leader)
    action.lead_id = leader.id
    db.session.commit()
    note = "Call the clerk first. " * 45  # about 1,000 characters
    note = note[:1000]
    login_as(leader)
    post(
        f"/c/{chapter.slug}/actions/{action.id}/handoff",
        {"user_id": other_leader.id, "note": note, "version": action.version},
    )
    row = db.session.scalar(select(LeadAssignment).where(LeadAssignment.method == "handoff"))
    assert row is not None and row.reason == note.strip()


def test_a_nul_byte_anywhere_is_a_bad_request(client, post):
    assert client.get("/login?next=/a%00b").status_code == 400
    response = post("/login", {"email": "a\x00b@example.org", "password": "x"})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_ids_too_large_for_the_database_are_not_found(world, login_as, client):
    chapter, leader, *_ = world
    login_as(leader)
    huge = "9" * 25
    assert client.get(f"/c/{chapter.slug}/campaigns/{huge}").status_code == 404
    assert client.get(f"/calendar/chapter/{huge}-1-abc.ics").status_code == 404
    assert client.get(f"/c/{chapter.slug}/campaigns?page={huge}").status_code == 200


def test_a_next_link_with_a_line_break_goes_home_after_login(client, post):
    make_user("pat@example.org")
    response = post(
        "/login?next=/profile%0d%0aSet-Cookie:x=1",
        {"email": "pat@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_dates_outside_any_plausible_year_are_refused(world, login_as, post):
    chapter, leader, _other, campaign, _action = world
    login_as(leader)
    before = db.session.scalar(select(db.func.count(Action.id)))
    response = post(
        f"/c/{chapter.slug}/campaigns/{campaign.id}/actions/new",
        _action_form(title="Far future", day="9999-12-31", start_time="22:00", end_time="23:00"),
    )
    assert "Choose a date between 2000 and 2100." in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Action.id))) == before


def test_a_duplicate_submit_is_answered_without_a_500(world, client, login_as, post, monkeypatch):
    chapter, leader, _other, campaign, _action = world
    login_as(leader)

    def clash(*_args, **_kwargs):
        raise IntegrityError("INSERT ...", {}, Exception("duplicate key"))

    monkeypatch.setattr("campaigns.views.leads.join_pool", clash)
    response = post(
        f"/c/{chapter.slug}/campaigns/{campaign.id}/pool",
        {"change": "join"},
        headers={"Referer": f"http://localhost/c/{chapter.slug}/campaigns/{campaign.id}"},
    )
    assert response.status_code == 302
    assert response.location == f"/c/{chapter.slug}/campaigns/{campaign.id}"
    page = client.get(response.location).get_data(as_text=True)
    assert "That was already done, or it clashed with another change." in page


def test_reset_mails_are_limited_per_address_but_the_answer_stays_the_same(app, post, sent_mail):
    make_user("pat@example.org")
    answers = set()
    for _ in range(app.config["RESET_MAX_PER_ACCOUNT"] + 2):
        response = post("/password/forgot", {"email": "pat@example.org"})
        answers.add((response.status_code, response.location))
    assert answers == {(302, "/login")}
    assert len(sent_mail) == app.config["RESET_MAX_PER_ACCOUNT"]


def test_a_huge_person_id_in_a_form_is_refused_without_a_500(world, login_as, post):
    chapter, leader, _other, campaign, action = world
    login_as(leader)
    huge = "9" * 25
    response = post(
        f"/c/{chapter.slug}/actions/{action.id}/lead",
        {"user_id": huge, "reason": "x", "version": action.version},
    )
    assert response.status_code == 302
    response = post(
        f"/c/{chapter.slug}/campaigns/{campaign.id}/pool", {"user_id": huge, "change": "join"}
    )
    assert response.status_code == 404
    assert not db.session.scalar(
        select(db.func.count()).select_from(RotationPoolMember)
    )  # nobody joined, not even the leader


def test_an_oversized_request_gets_the_413_page_in_the_layout(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Upload too large" in html and "Skip to content" in html
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
