"""Leads: hand-offs, swaps, conflicting changes, and leads of actions that are over."""

from datetime import timedelta

from sqlalchemy import select

from campaigns.models import LeadAssignment, SwapRequest
from core.db import utcnow
from core.extensions import db
from tests.leads_world import (
    asked_fixture,  # noqa: F401  (fixture)
    count,
    followed,
    lead_of,
    shown_version,
    w_fixture,  # noqa: F401  (fixture)
)

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
