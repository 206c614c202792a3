"""Defaults that never act for the user: an unchosen vision response, confirmation before
cancelling or withdrawing, a lead picker that does not push a new lead, a stale double
assign, and an empty pool that says how to fill it."""

import re

from sqlalchemy import select

from campaigns.models import Action, LeadAssignment, RotationPoolMember
from chapters.models import VisionResponse, VisionVersion
from core.extensions import db
from tests.factories import make_vision
from tests.leads_world import (  # noqa: F401  (fixture)
    count,
    followed,
    lead_of,
    shown_version,
    w_fixture,
)
from tests.test_chapter_permissions import snapshot

# --- the vision response --------------------------------------------------------------------


def _stance_inputs(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="stance"[^>]*>', html)


def test_the_vision_response_starts_with_nothing_chosen(w, client, login_as):
    make_vision(w.chapter, w.leo)
    login_as(w.ann)

    inputs = _stance_inputs(client.get("/c/riverside/vision").get_data(as_text=True))

    assert len(inputs) == 3
    assert not any("checked" in i for i in inputs)


def test_a_response_without_a_choice_is_refused_with_a_message(w, client, login_as, post):
    vision = make_vision(w.chapter, w.leo)
    login_as(w.ann)
    before = snapshot()

    response = post(f"/c/riverside/vision/{vision.id}/respond", {"comment": "Looks good."})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose whether you endorse the vision, object, or comment." in page
    assert 'aria-describedby="stance-error"' in page
    assert "Looks good." in page  # the comment is kept for the second try
    assert snapshot() == before
    assert db.session.scalar(select(VisionResponse)) is None


def test_a_change_of_response_starts_from_ones_own_stance(w, client, login_as, post):
    vision = make_vision(w.chapter, w.leo)
    login_as(w.ann)
    post(f"/c/riverside/vision/{vision.id}/respond", {"stance": "object", "comment": "Vague."})

    inputs = _stance_inputs(client.get("/c/riverside/vision").get_data(as_text=True))

    assert [i for i in inputs if "checked" in i] == [
        next(i for i in inputs if 'value="object"' in i)
    ]


def test_the_save_that_adopts_says_so_and_the_record_keeps_unanswered_objections(
    w, client, login_as, post
):
    # Eligible: leo, lena, ann, ben, cat, dan (6; 4 endorsements needed).
    vision = make_vision(w.chapter, w.leo, statement="Care for every neighbour.")
    login_as(w.dan)
    post(f"/c/riverside/vision/{vision.id}/respond", {"stance": "object", "comment": "Too vague."})
    for person in (w.leo, w.lena, w.ann):
        login_as(person)
        post(f"/c/riverside/vision/{vision.id}/respond", {"stance": "endorse"})
    login_as(w.ben)

    page = followed(client, post(f"/c/riverside/vision/{vision.id}/respond", {"stance": "endorse"}))

    assert db.session.scalar(select(VisionVersion.status)) == "adopted"
    assert "with it version 1 meets the adoption rule" in page
    assert "1 objection still stood; it stays on the adoption record" in page
    assert "Adopted over 1 unanswered objection" in page
    history = client.get("/c/riverside/vision/history").get_data(as_text=True)
    record = history.split("Adopted over 1 unanswered objection", 1)[1].split("</section>", 1)[0]
    assert "Dan Outside-Pool" in record and "Too vague." in record


# --- confirmation before withdrawing and cancelling -------------------------------------------


def test_withdrawing_a_proposal_asks_first_and_says_what_happens(w, client, login_as, post):
    vision = make_vision(w.chapter, w.ann)
    login_as(w.ann)
    url = f"/c/riverside/vision/{vision.id}/withdraw"
    vision_page = client.get("/c/riverside/vision").get_data(as_text=True)
    assert f'href="{url}"' in vision_page
    assert f'action="{url}"' not in vision_page  # no one-click withdrawal
    before = snapshot()

    confirm = client.get(url).get_data(as_text=True)

    assert snapshot() == before
    assert "Withdraw proposal 1?" in confirm
    assert "Who is told:" in confirm and "nobody is emailed" in confirm
    assert "What is kept:" in confirm and "stay in the vision history" in confirm
    page = followed(client, post(url))
    assert "Proposal 1 is withdrawn." in page
    assert db.session.scalar(select(VisionVersion.status)) == "withdrawn"


def test_cancelling_an_action_asks_first_and_says_what_happens(w, client, login_as, post):
    w.action.lead_id = w.ann.id
    db.session.commit()
    login_as(w.leo)
    url = f"{w.url}/status/cancelled"
    assert f'href="{url}"' in client.get(w.url).get_data(as_text=True)
    before = snapshot()

    confirm = client.get(url).get_data(as_text=True)

    assert snapshot() == before
    assert "Cancel “Meet the dean”?" in confirm
    assert "Who is told:" in confirm and "Ann Nurse (the lead)" in confirm
    assert "What is kept:" in confirm
    page = followed(client, post(url))
    assert "The action is marked cancelled." in page
    assert db.session.get(Action, w.action.id).status == "cancelled"
    # Asking again about an action that is no longer planned says so instead.
    assert "already cancelled" in followed(client, client.get(url))


# --- the lead picker --------------------------------------------------------------------------


def test_after_assigning_the_page_shows_the_lead_and_hides_the_change(w, client, login_as, post):
    login_as(w.leo)
    page = client.get(w.url).get_data(as_text=True)
    assert "Accept and assign" in page
    assign = f"{w.url}/lead"
    suggested = re.search(r"Suggested: ([^<]+)</strong>", page).group(1)
    chosen = {"Ann Nurse": w.ann, "Ben Pharm": w.ben, "Cat Social": w.cat}[suggested]

    page = followed(
        client,
        post(assign, {"user_id": chosen.id, "reason": "", "version": shown_version(page, assign)}),
    )

    assert "Accept and assign" not in page
    assert f"<strong>{suggested}</strong>" in page and "leads this action." in page
    change = page.split("<summary>Change the lead</summary>", 1)[1].split("</details>", 1)[0]
    assert '<button type="submit" class="secondary">Change the lead</button>' in change


def test_the_same_assign_posted_twice_is_refused_the_second_time(w, client, login_as, post):
    login_as(w.leo)
    assign = f"{w.url}/lead"
    version = shown_version(client.get(w.url).get_data(as_text=True), assign)
    form = {"user_id": w.cat.id, "reason": "Cat knows the dean", "version": version}

    first = followed(client, post(assign, form))
    assert "Cat Social leads this action; reason recorded." in first
    before = snapshot()
    second = followed(client, post(assign, form))

    assert "Cat Social already leads this action: the form was sent twice" in second
    assert snapshot() == before
    assert lead_of(w.action) == w.cat.id
    assert count(LeadAssignment) == 1


def test_an_empty_pool_offers_no_preset_picker_but_the_way_to_fill_it(w, client, login_as):
    db.session.execute(RotationPoolMember.__table__.delete())
    db.session.commit()
    login_as(w.leo)

    page = client.get(w.url).get_data(as_text=True)

    lead = page.split('id="lead-h"', 1)[1].split("</section>", 1)[0]
    assert "<select" not in lead
    assert "The rotation pool of this campaign is empty" in lead
    assert f'href="/c/riverside/campaigns/{w.campaign.id}/pool">Fill the rotation pool' in lead


def test_with_no_suggestion_the_picker_starts_on_nobody(w, client, login_as, post):
    client.application.config["ROTATION_OPEN_LEAD_CAP"] = 0  # everyone is over the cap
    login_as(w.leo)

    page = client.get(w.url).get_data(as_text=True)

    assert "Suggested" not in page
    assert re.search(r'<option selected value="0">Choose a member</option>', page) or re.search(
        r'<option value="0">Choose a member</option>', page
    )
    assert re.search(r"<option selected value=\"[1-9]", page) is None
    assign = f"{w.url}/lead"
    refused = followed(
        client, post(assign, {"user_id": "0", "reason": "", "version": shown_version(page, assign)})
    )
    assert "Choose who leads this action." in refused
    assert lead_of(w.action) is None
