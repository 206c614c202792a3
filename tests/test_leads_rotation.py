"""Leads: accepting or overriding the rotation's suggestion, unavailability, the cap, the pool."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.models import LeadAssignment, RotationPoolMember, Unavailability
from core.db import utcnow
from core.extensions import db
from core.models import AuditEvent
from tests.factories import (
    add_to_pool,
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_unavailability,
)
from tests.leads_world import (
    TZ,
    count,
    followed,
    lead_of,
    local_evening,
    shown_version,
    w_fixture,  # noqa: F401  (fixture)
)

# --- accepting and overriding the suggestion ------------------------------------------------


@pytest.mark.dates
def test_accepting_the_suggestion_needs_no_reason(w, client, login_as, post):
    login_as(w.leo)
    page = client.get(w.url).get_data(as_text=True)
    assert "<strong>Suggested: Ann Nurse</strong> (Nursing)" in page
    assert "0 leads this academic year; has not led yet" in page
    version = shown_version(page, f"{w.url}/lead")

    response = post(f"{w.url}/lead", {"user_id": w.ann.id, "reason": "", "version": version})

    page = followed(client, response)
    assert "Ann Nurse leads this action (suggested by the rotation)." in page
    assert lead_of(w.action) == w.ann.id
    row = db.session.scalar(select(LeadAssignment))
    assert (row.method, row.reason, row.user_id, row.previous_user_id) == (
        "suggested",
        None,
        w.ann.id,
        None,
    )
    assert (row.suggested_user_id, row.assigned_by_id) == (w.ann.id, w.leo.id)
    assert "suggested by the rotation, accepted by Leo Leader" in page


def test_picking_someone_else_without_a_reason_is_refused_and_changes_nothing(
    w, client, login_as, post
):
    login_as(w.leo)
    response = post(f"{w.url}/lead", {"user_id": w.ben.id, "reason": "   ", "version": "1"})
    page = followed(client, response)
    assert "Picking someone other than the suggested lead needs a reason" in page
    assert lead_of(w.action) is None
    assert w.action.version == 1
    assert count(LeadAssignment) == 0


def test_picking_someone_else_with_a_reason_records_the_override(w, client, login_as, post):
    login_as(w.leo)
    response = post(
        f"{w.url}/lead",
        {"user_id": w.ben.id, "reason": "Ben interned with the dean", "version": "1"},
    )
    page = followed(client, response)
    assert "Ben Pharm leads this action; reason recorded." in page
    assert lead_of(w.action) == w.ben.id
    row = db.session.scalar(select(LeadAssignment))
    assert (row.method, row.reason, row.suggested_user_id) == (
        "override",
        "Ben interned with the dean",
        w.ann.id,
    )
    assert "picked by Leo Leader (“Ben interned with the dean”)" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.lead_changed"))
    assert (event.actor_id, event.object_id) == (w.leo.id, w.action.id)
    assert event.after == {
        "lead_id": w.ben.id,
        "method": "override",
        "reason": "Ben interned with the dean",
    }


def test_a_member_outside_the_pool_can_be_picked_with_a_reason(w, login_as, post):
    login_as(w.leo)
    post(f"{w.url}/lead", {"user_id": w.dan.id, "reason": "Knows the dean", "version": "1"})
    assert lead_of(w.action) == w.dan.id


@pytest.mark.parametrize("who", ["advisor", "other chapter", "nobody"])
def test_the_lead_must_be_an_active_member_of_the_chapter(w, client, login_as, post, who):
    target = {
        "advisor": lambda: w.ada.id,
        "other chapter": lambda: make_member(make_chapter(), "member").user.id,
        "nobody": lambda: 999_999,
    }[who]()
    login_as(w.leo)
    response = post(f"{w.url}/lead", {"user_id": target, "reason": "Because", "version": "1"})
    assert "The lead must be an active member of the chapter." in followed(client, response)
    assert lead_of(w.action) is None
    assert count(LeadAssignment) == 0


def test_a_profession_other_than_the_previous_leads_breaks_the_tie(w, client, login_as):
    # Dan (Nursing) led the campaign's previous action; Ann is Nursing too, so Ben comes first.
    make_action(w.campaign, title="Earlier", starts_at=local_evening(5), lead=w.dan)
    login_as(w.leo)
    page = client.get(w.url).get_data(as_text=True)
    assert "<strong>Suggested: Ben Pharm</strong> (Pharmacy)" in page
    assert "a profession other than the previous lead&#39;s (Nursing)" in page


@pytest.mark.dates
def test_the_member_with_fewer_leads_this_year_is_suggested(w, client, login_as):
    other = make_campaign(w.chapter)
    make_action(other, starts_at=local_evening(3), lead=w.ann, status="planned")
    make_action(other, starts_at=local_evening(4), lead=w.ben, status="planned")
    login_as(w.leo)
    assert "<strong>Suggested: Cat Social</strong>" in client.get(w.url).get_data(as_text=True)


# --- unavailable dates and the open-lead cap ------------------------------------------------


@pytest.mark.dates
def test_a_member_unavailable_on_the_day_is_skipped(w, client, login_as):
    local_day = w.action.starts_at.astimezone(TZ).date()
    assert w.action.starts_at.date() != local_day  # the UTC date is the next day
    make_unavailability(w.ann, local_day, reason="Boards")
    login_as(w.leo)
    page = client.get(w.url).get_data(as_text=True)
    assert "<strong>Suggested: Ben Pharm</strong>" in page
    assert "no (marked unavailable)" in page


def test_unavailability_on_another_day_does_not_count(w, client, login_as):
    utc_day = w.action.starts_at.date()  # the day after, in Chicago
    make_unavailability(w.ann, utc_day, utc_day + timedelta(days=5))
    make_unavailability(w.ann, utc_day - timedelta(days=9), utc_day - timedelta(days=2))
    login_as(w.leo)
    assert "<strong>Suggested: Ann Nurse</strong>" in client.get(w.url).get_data(as_text=True)


def test_marking_dates_unavailable_on_my_page_makes_the_rotation_skip_me(w, client, login_as, post):
    day = w.action.starts_at.astimezone(TZ).date()
    login_as(w.ann)
    response = post(
        "/me/availability",
        {
            "start_date": (day - timedelta(days=1)).isoformat(),
            "end_date": (day + timedelta(days=1)).isoformat(),
            "reason": "Placement",
        },
    )
    page = followed(client, response)
    assert "The rotation will not suggest you on those days." in page
    assert "(Placement)" in page
    row = db.session.scalar(select(Unavailability))
    assert (row.user_id, row.start_date, row.end_date) == (
        w.ann.id,
        day - timedelta(days=1),
        day + timedelta(days=1),
    )

    login_as(w.leo)
    assert "<strong>Suggested: Ben Pharm</strong>" in client.get(w.url).get_data(as_text=True)

    # Removing the dates puts Ann back in front; nobody else can remove them.
    login_as(w.ben)
    assert post(f"/me/availability/{row.id}/delete").status_code == 404
    login_as(w.ann)
    post(f"/me/availability/{row.id}/delete")
    assert count(Unavailability) == 0
    login_as(w.leo)
    assert "<strong>Suggested: Ann Nurse</strong>" in client.get(w.url).get_data(as_text=True)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-12-10", "2026-12-01", "The last day cannot be before the first."),
        ("2026-12-10", "2028-01-01", "Mark at most a year at a time."),
        ("2026-12-10", "", "This field is required."),
    ],
)
def test_bad_unavailable_dates_are_refused(w, login_as, post, start, end, message):
    login_as(w.ann)
    response = post("/me/availability", {"start_date": start, "end_date": end})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(Unavailability) == 0


@pytest.mark.dates
def test_members_at_the_open_lead_cap_are_skipped(app, w, client, login_as):
    app.config["ROTATION_OPEN_LEAD_CAP"] = 2
    other = make_campaign(w.chapter)
    long_ago = utcnow() - timedelta(days=400)
    # Ann has no lead this academic year but still holds two planned (open) leads.
    make_action(other, starts_at=long_ago, lead=w.ann)
    make_action(other, starts_at=long_ago + timedelta(days=1), lead=w.ann)
    # Ben and Cat each led once this year; Cat's lead is the longer ago.
    make_action(other, starts_at=local_evening(3), lead=w.ben)
    make_action(other, starts_at=local_evening(2), lead=w.cat)
    login_as(w.leo)
    assert "<strong>Suggested: Cat Social</strong>" in client.get(w.url).get_data(as_text=True)

    app.config["ROTATION_OPEN_LEAD_CAP"] = 3
    assert "<strong>Suggested: Ann Nurse</strong>" in client.get(w.url).get_data(as_text=True)


def test_with_nobody_eligible_the_page_says_so_and_a_reasoned_pick_still_works(
    w, client, login_as, post
):
    day = w.action.starts_at.astimezone(TZ).date()
    for person in (w.ann, w.ben, w.cat):
        make_unavailability(person, day)
    login_as(w.leo)
    page = client.get(w.url).get_data(as_text=True)
    assert "Nobody in the rotation pool is available for this date" in page
    post(f"{w.url}/lead", {"user_id": w.dan.id, "reason": "Only one free", "version": "1"})
    assert lead_of(w.action) == w.dan.id
    assert db.session.scalar(select(LeadAssignment.suggested_user_id)) is None


# --- the pool -------------------------------------------------------------------------------


def pool_ids(campaign) -> set[int]:
    return set(
        db.session.scalars(
            select(RotationPoolMember.user_id).where(RotationPoolMember.campaign_id == campaign.id)
        )
    )


def test_members_join_and_leave_the_pool_and_leaders_add_others(w, client, login_as, post):
    url = f"/c/riverside/campaigns/{w.campaign.id}/pool"
    login_as(w.dan)
    assert "Dan Outside-Pool joined the rotation pool." in followed(
        client, post(url, {"change": "join"})
    )
    assert w.dan.id in pool_ids(w.campaign)
    # A member cannot add or remove someone else.
    assert post(url, {"change": "leave", "user_id": w.ann.id}).status_code == 403
    post(url, {"change": "leave"})
    assert w.dan.id not in pool_ids(w.campaign)

    login_as(w.leo)
    post(url, {"change": "join", "user_id": w.dan.id})
    post(url, {"change": "leave", "user_id": w.ann.id})
    assert pool_ids(w.campaign) == {w.ben.id, w.cat.id, w.dan.id}
    # Advisors are not students in the rotation; people of other chapters are not found.
    assert post(url, {"change": "join", "user_id": w.ada.id}).status_code == 404
    outsider = make_member(make_chapter(), "member").user
    assert post(url, {"change": "join", "user_id": outsider.id}).status_code == 404
    assert pool_ids(w.campaign) == {w.ben.id, w.cat.id, w.dan.id}


def test_members_who_left_the_chapter_drop_out_of_the_pool(w, client, login_as):
    from chapters.models import Membership

    m = db.session.scalar(select(Membership).where(Membership.user_id == w.ann.id))
    m.status = "left"
    db.session.commit()
    login_as(w.leo)
    page = client.get(w.url).get_data(as_text=True)
    assert "<strong>Suggested: Ben Pharm</strong>" in page


def test_the_action_page_compares_the_fairest_ten_of_a_large_pool(w, client, login_as):
    extra = [
        make_member(w.chapter, "member", name=f"Pool Person {i:02}", profession="Pharmacy").user
        for i in range(12)
    ]
    add_to_pool(w.campaign, *extra)
    login_as(w.leo)

    page = client.get(w.url).get_data(as_text=True)

    table = page.split("How the pool compares", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr><td>") == 10
    assert "The 10 fairest of 15 in the pool" in page
    # The picker still offers every participant of the chapter, not only the pool.
    assert "Dan Outside-Pool (Nursing)" in page
