"""Leads: accepting or overriding the rotation, hand-offs, swaps, unavailability, cap, conflicts."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from accounts.models import User
from campaigns.models import (
    Action,
    Campaign,
    LeadAssignment,
    RotationPoolMember,
    SwapRequest,
    Unavailability,
)
from chapters.models import Chapter
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

TZ = ZoneInfo("America/Chicago")


@dataclass
class World:
    chapter: Chapter
    campaign: Campaign
    action: Action
    leo: User  # leader
    lena: User  # second leader
    ann: User  # pool, Nursing
    ben: User  # pool, Pharmacy
    cat: User  # pool, Social Work
    dan: User  # member, not in the pool, Nursing
    ada: User  # advisor

    @property
    def url(self) -> str:
        return f"/c/riverside/actions/{self.action.id}"


def local_evening(days_ahead: int, hour: int = 20) -> datetime:
    """A future evening in Chicago; at 20:00 local it is already the next day in UTC."""
    day = (utcnow().astimezone(TZ) + timedelta(days=days_ahead)).date()
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


@pytest.fixture
def w(app) -> World:
    chapter = make_chapter("Riverside Health", slug="riverside", timezone="America/Chicago")
    leo = make_member(chapter, "leader", name="Leo Leader").user
    lena = make_member(chapter, "leader", name="Lena Leader", profession="Nursing").user
    ann = make_member(chapter, "member", name="Ann Nurse", profession="Nursing").user
    ben = make_member(chapter, "member", name="Ben Pharm", profession="Pharmacy").user
    cat = make_member(chapter, "member", name="Cat Social", profession="Social Work").user
    dan = make_member(chapter, "member", name="Dan Outside-Pool", profession="Nursing").user
    ada = make_member(chapter, "advisor", name="Dr Ada Advisor").user
    campaign = make_campaign(chapter, title="Clinic hours", status="active")
    add_to_pool(campaign, ann, ben, cat)
    action = make_action(campaign, title="Meet the dean", starts_at=local_evening(10))
    return World(chapter, campaign, action, leo, lena, ann, ben, cat, dan, ada)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def followed(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.location).get_data(as_text=True)


def shown_version(html: str, form_action: str) -> str:
    """The version hidden in the form that posts to `form_action`, as a browser would send it."""
    form = html.split(f'action="{form_action}"', 1)[1].split("</form>", 1)[0]
    return re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)


def lead_of(action) -> int | None:
    db.session.refresh(action)
    return action.lead_id


# --- accepting and overriding the suggestion ------------------------------------------------


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


def test_the_member_with_fewer_leads_this_year_is_suggested(w, client, login_as):
    other = make_campaign(w.chapter)
    make_action(other, starts_at=local_evening(3), lead=w.ann, status="planned")
    make_action(other, starts_at=local_evening(4), lead=w.ben, status="planned")
    login_as(w.leo)
    assert "<strong>Suggested: Cat Social</strong>" in client.get(w.url).get_data(as_text=True)


# --- hand-off -------------------------------------------------------------------------------


def test_hand_off_needs_a_note(w, client, login_as, post):
    w.action.lead_id = w.ann.id
    db.session.commit()
    login_as(w.ann)
    page = client.get(w.url).get_data(as_text=True)
    assert "You lead this action" in page
    version = shown_version(page, f"{w.url}/handoff")
    response = post(f"{w.url}/handoff", {"user_id": w.ben.id, "note": "", "version": version})
    assert "write a note for them" in followed(client, response)
    assert lead_of(w.action) == w.ann.id
    assert count(LeadAssignment) == 0


def test_hand_off_with_a_note_goes_to_a_pool_member(w, client, login_as, post):
    w.action.lead_id = w.ann.id
    db.session.commit()
    login_as(w.ann)
    page = client.get(w.url).get_data(as_text=True)
    handoff_form = page.split(f'action="{w.url}/handoff"', 1)[1].split("</form>", 1)[0]
    assert "Ben Pharm" in handoff_form
    assert "Cat Social" in handoff_form
    assert "Dan Outside-Pool" not in handoff_form  # not in the pool
    assert "Ann Nurse" not in handoff_form  # not to yourself
    note = "Room booked; the dean's assistant is Sam."
    version = shown_version(page, f"{w.url}/handoff")
    response = post(f"{w.url}/handoff", {"user_id": w.ben.id, "note": note, "version": version})
    assert "Handed off with your note." in followed(client, response)
    assert lead_of(w.action) == w.ben.id
    row = db.session.scalar(select(LeadAssignment))
    assert (row.method, row.reason, row.previous_user_id) == ("handoff", note, w.ann.id)

    login_as(w.ben)
    page = client.get(w.url).get_data(as_text=True)
    assert "Hand-off note" in page
    assert "Room booked; the dean&#39;s assistant is Sam." in page


def test_hand_off_outside_the_pool_is_refused(w, client, login_as, post):
    w.action.lead_id = w.ann.id
    db.session.commit()
    login_as(w.ann)
    version = shown_version(client.get(w.url).get_data(as_text=True), f"{w.url}/handoff")
    response = post(
        f"{w.url}/handoff", {"user_id": w.dan.id, "note": "Over to you", "version": version}
    )
    assert "Hand off to another member of the campaign" in followed(client, response)
    assert lead_of(w.action) == w.ann.id
    assert count(LeadAssignment) == 0


def test_only_the_lead_can_hand_off(w, login_as, post):
    w.action.lead_id = w.ann.id
    db.session.commit()
    login_as(w.leo)  # even a leader
    response = post(f"{w.url}/handoff", {"user_id": w.ben.id, "note": "Mine", "version": "1"})
    assert response.status_code == 403
    assert lead_of(w.action) == w.ann.id


# --- swaps ----------------------------------------------------------------------------------


@pytest.fixture
def asked(w, client, login_as, post) -> SwapRequest:
    """Ann leads the action and asked the pool for a swap."""
    w.action.lead_id = w.ann.id
    db.session.commit()
    login_as(w.ann)
    page = followed(client, post(f"{w.url}/swap", {"note": "Exam week"}))
    assert "Swap asked" in page
    return db.session.scalar(select(SwapRequest))


def test_a_pool_member_accepts_a_swap_and_becomes_the_lead(w, asked, client, login_as, post):
    assert (asked.status, asked.from_user_id, asked.note) == ("open", w.ann.id, "Exam week")
    login_as(w.ben)
    page = client.get(w.url).get_data(as_text=True)
    assert "Ann Nurse asked someone in the rotation pool to take this action over" in page
    assert "I'll take it" in page
    response = post(f"/c/riverside/swaps/{asked.id}/accept")
    assert "You now lead this action." in followed(client, response)
    assert lead_of(w.action) == w.ben.id
    db.session.refresh(asked)
    assert (asked.status, asked.accepted_by_id) == ("accepted", w.ben.id)
    row = db.session.scalar(select(LeadAssignment))
    assert (row.method, row.user_id, row.previous_user_id) == ("swap", w.ben.id, w.ann.id)


def test_a_member_outside_the_pool_cannot_accept_a_swap(w, asked, client, login_as, post):
    login_as(w.dan)
    assert "I'll take it" not in client.get(w.url).get_data(as_text=True)
    response = post(f"/c/riverside/swaps/{asked.id}/accept")
    assert "Join the campaign" in followed(client, response)
    assert lead_of(w.action) == w.ann.id
    db.session.refresh(asked)
    assert asked.status == "open"
    assert count(LeadAssignment) == 0


def test_the_lead_cannot_accept_their_own_swap(w, asked, client, post):
    response = post(f"/c/riverside/swaps/{asked.id}/accept")  # still signed in as Ann
    assert "You cannot accept your own swap." in followed(client, response)
    db.session.refresh(asked)
    assert asked.status == "open"


def test_a_second_swap_request_is_refused_while_one_is_open(w, asked, client, post):
    response = post(f"{w.url}/swap", {"note": "Again"})
    assert "A swap is already asked for this action." in followed(client, response)
    assert count(SwapRequest) == 1


def test_a_cancelled_swap_can_no_longer_be_accepted(w, asked, client, login_as, post):
    assert "Swap request cancelled." in followed(
        client, post(f"/c/riverside/swaps/{asked.id}/cancel")
    )
    db.session.refresh(asked)
    assert asked.status == "cancelled"
    login_as(w.ben)
    assert "Swap asked" not in client.get(w.url).get_data(as_text=True)
    response = post(f"/c/riverside/swaps/{asked.id}/accept")
    assert "This swap is no longer open." in followed(client, response)
    assert lead_of(w.action) == w.ann.id


def test_a_swap_lapses_when_the_lead_changed_meanwhile(w, asked, client, login_as, post):
    login_as(w.leo)
    version = shown_version(client.get(w.url).get_data(as_text=True), f"{w.url}/lead")
    post(f"{w.url}/lead", {"user_id": w.cat.id, "reason": "Ann is away", "version": version})
    assert lead_of(w.action) == w.cat.id
    login_as(w.ben)
    response = post(f"/c/riverside/swaps/{asked.id}/accept")
    assert "The lead of this action changed; the swap no longer applies." in followed(
        client, response
    )
    assert lead_of(w.action) == w.cat.id
    db.session.refresh(asked)
    assert asked.status == "cancelled"


def test_a_member_cannot_cancel_someone_elses_swap(w, asked, login_as, post):
    login_as(w.ben)
    assert post(f"/c/riverside/swaps/{asked.id}/cancel").status_code == 403
    db.session.refresh(asked)
    assert asked.status == "open"


# --- unavailable dates and the open-lead cap ------------------------------------------------


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


# --- conflicts ------------------------------------------------------------------------------


def test_a_stale_version_is_told_it_changed_and_nothing_is_overwritten(
    w, client, login_as, post, app
):
    login_as(w.leo)
    leo_page = client.get(w.url).get_data(as_text=True)
    leo_version = shown_version(leo_page, f"{w.url}/lead")

    lena = app.test_client()
    login_as(w.lena, client_=lena)
    post(f"{w.url}/lead", {"user_id": w.ann.id, "reason": "", "version": "1"}, client_=lena)
    assert lead_of(w.action) == w.ann.id

    response = post(
        f"{w.url}/lead", {"user_id": w.ben.id, "reason": "Ben asked", "version": leo_version}
    )
    page = followed(client, response)
    assert "Someone changed this action while you were deciding. Its lead is now Ann Nurse" in page
    assert "Ann Nurse (Nursing)" in page  # the page shows the current lead
    assert lead_of(w.action) == w.ann.id
    assert db.session.scalars(select(LeadAssignment.user_id)).all() == [w.ann.id]


def test_a_stale_hand_off_is_refused(w, client, login_as, post):
    w.action.lead_id = w.ann.id
    db.session.commit()
    login_as(w.ann)
    version = shown_version(client.get(w.url).get_data(as_text=True), f"{w.url}/handoff")
    w.action.location = "Room 101"  # the leader edits the action meanwhile
    db.session.commit()
    response = post(f"{w.url}/handoff", {"user_id": w.ben.id, "note": "Over", "version": version})
    assert "Someone changed this action" in followed(client, response)
    assert lead_of(w.action) == w.ann.id
    assert count(LeadAssignment) == 0


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


# --- leads of actions that are over ---------------------------------------------------------


def test_a_done_action_cannot_be_handed_off(w, client, login_as, post):
    # Handing it off would credit someone else with a lead they never did.
    w.action.lead_id = w.ann.id
    w.action.starts_at = utcnow() - timedelta(hours=3)
    w.action.ends_at = utcnow() - timedelta(hours=2)
    w.action.status = "done"
    db.session.commit()
    login_as(w.ann)
    page = client.get(w.url).get_data(as_text=True)
    assert f'action="{w.url}/handoff"' not in page
    response = post(
        f"{w.url}/handoff",
        {"user_id": w.ben.id, "note": "Yours", "version": str(w.action.version)},
    )
    assert "Only a planned action" in followed(client, response)
    assert lead_of(w.action) == w.ann.id
    assert count(LeadAssignment) == 0


def test_a_swap_on_an_action_cancelled_meanwhile_cannot_be_accepted(
    w, asked, client, login_as, post
):
    post(f"{w.url}/status/cancelled")  # Ann, the lead, cancels the action
    db.session.refresh(w.action)
    assert w.action.status == "cancelled"
    login_as(w.ben)
    assert "I'll take it" not in client.get(w.url).get_data(as_text=True)
    response = post(f"/c/riverside/swaps/{asked.id}/accept")
    assert "This swap is no longer open." in followed(client, response)
    db.session.refresh(asked)
    assert asked.status == "cancelled"
    assert lead_of(w.action) == w.ann.id
    assert count(LeadAssignment) == 0


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
