"""The rotation pool without chores: a new campaign's pool starts filled (everyone, a copy
of another campaign's pool, or empty), and leaders add everyone or a selection in one POST."""

import pytest
from sqlalchemy import select

from campaigns.models import Campaign, RotationPoolMember
from core.extensions import db
from tests.factories import add_to_pool, make_campaign, make_chapter, make_member
from tests.leads_world import followed
from tests.test_chapter_permissions import snapshot


@pytest.fixture
def chapter(app):
    chapter = make_chapter("Riverside Health", slug="riverside", timezone="America/Chicago")
    chapter.leo = make_member(chapter, "leader", name="Leo Leader").user
    chapter.ann = make_member(chapter, name="Ann Nurse", profession="Nursing").user
    chapter.ben = make_member(chapter, name="Ben Pharm", profession="Pharmacy").user
    chapter.fay = make_member(chapter, name="Fay Faculty", kind="faculty").user
    chapter.ada = make_member(chapter, "advisor", name="Dr Ada Advisor").user
    gone = make_member(chapter, name="Gus Gone")
    gone.status = "left"
    db.session.commit()
    chapter.gus = gone.user
    return chapter


def _form(**overrides) -> dict:
    return {
        "playbook": "",
        "title": "Clinic hours",
        "goal_id": "0",
        "start_date": "2030-03-01",
        "end_date": "2030-05-01",
    } | overrides


def pool_of(campaign_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(RotationPoolMember.user_id).where(RotationPoolMember.campaign_id == campaign_id)
        )
    )


def _new_campaign(client, post, **form) -> tuple[Campaign, str]:
    page = followed(client, post("/c/riverside/campaigns/new", _form(**form)))
    title = form.get("title", "Clinic hours")
    return db.session.scalar(select(Campaign).where(Campaign.title == title)), page


# --- the campaign form's setting -------------------------------------------------------------


def test_the_form_offers_everyone_first_and_selected(chapter, client, login_as):
    make_campaign(chapter, title="Last spring")
    login_as(chapter.leo)

    page = client.get("/c/riverside/campaigns/new").get_data(as_text=True)

    select_html = page.split('name="pool_start"', 1)[1].split("</select>", 1)[0]
    assert '<option selected value="everyone">Every active student member (3)</option>' in (
        select_html
    )
    assert "The same people as “Last spring”" in select_html
    assert 'value="empty"' in select_html


def test_a_new_campaign_pool_starts_with_every_active_student_member(
    chapter, client, login_as, post
):
    login_as(chapter.leo)

    campaign, page = _new_campaign(client, post)  # the setting left as it is

    assert pool_of(campaign.id) == {chapter.leo.id, chapter.ann.id, chapter.ben.id}
    assert "Campaign drafted. 3 members in its rotation pool." in page


def test_a_new_campaign_can_copy_another_campaigns_pool(chapter, client, login_as, post):
    spring = make_campaign(chapter, title="Last spring")
    add_to_pool(spring, chapter.ann, chapter.fay)
    login_as(chapter.leo)

    campaign, _page = _new_campaign(client, post, pool_start=f"campaign-{spring.id}")

    assert pool_of(campaign.id) == {chapter.ann.id, chapter.fay.id}


def test_a_new_campaign_can_start_with_an_empty_pool(chapter, client, login_as, post):
    login_as(chapter.leo)

    campaign, page = _new_campaign(client, post, pool_start="empty")

    assert pool_of(campaign.id) == set()
    assert "Its rotation pool is empty: add members on the pool page." in page


def test_another_chapters_campaign_cannot_be_copied(chapter, client, login_as, post):
    other = make_chapter("Lakeside", slug="lakeside")
    theirs = make_campaign(other, title="Theirs")
    add_to_pool(theirs, make_member(other).user)
    login_as(chapter.leo)
    before = snapshot()

    response = post("/c/riverside/campaigns/new", _form(pool_start=f"campaign-{theirs.id}"))

    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert snapshot() == before


# --- adding several at once -----------------------------------------------------------------


@pytest.fixture
def campaign(chapter):
    campaign = make_campaign(chapter, title="Clinic hours", status="active")
    add_to_pool(campaign, chapter.leo)
    return campaign


def test_the_pool_page_offers_add_everyone_and_add_selected(chapter, campaign, client, login_as):
    login_as(chapter.leo)

    page = client.get(f"/c/riverside/campaigns/{campaign.id}/pool").get_data(as_text=True)

    add = page.split('id="add-h"', 1)[1].split("</section>", 1)[0]
    assert "Add everyone (3)" in add  # Ann, Ben, Fay: not the advisor, not who left
    assert add.count('type="checkbox"') == 3
    assert add.count('name="csrf_token"') == 2  # two forms, not one per person
    assert "Add selected" in add


def test_add_everyone_adds_every_participant_not_yet_in_the_pool(
    chapter, campaign, client, login_as, post
):
    login_as(chapter.leo)

    page = followed(
        client, post(f"/c/riverside/campaigns/{campaign.id}/pool/add", {"add": "everyone"})
    )

    assert "3 members added to the rotation pool." in page
    assert pool_of(campaign.id) == {chapter.leo.id, chapter.ann.id, chapter.ben.id, chapter.fay.id}


def test_add_selected_adds_only_the_ticked_members(chapter, campaign, client, login_as, post):
    login_as(chapter.leo)
    url = f"/c/riverside/campaigns/{campaign.id}/pool/add"

    page = followed(
        client,
        post(
            url,
            {
                "add": "selected",
                # Ann and Ben ticked; the advisor and an unknown id are ignored.
                "user_id": [str(chapter.ann.id), str(chapter.ben.id), str(chapter.ada.id), "999"],
            },
        ),
    )

    assert "2 members added to the rotation pool." in page
    assert pool_of(campaign.id) == {chapter.leo.id, chapter.ann.id, chapter.ben.id}


def test_add_selected_with_nobody_ticked_changes_nothing(chapter, campaign, client, login_as, post):
    login_as(chapter.leo)
    before = snapshot()

    page = followed(
        client, post(f"/c/riverside/campaigns/{campaign.id}/pool/add", {"add": "selected"})
    )

    assert "Nobody was added: choose members who are not in the pool yet." in page
    assert snapshot() == before


def test_a_member_cannot_add_others(chapter, campaign, client, login_as, post):
    login_as(chapter.ann)
    before = snapshot()

    response = post(f"/c/riverside/campaigns/{campaign.id}/pool/add", {"add": "everyone"})

    assert response.status_code == 403
    assert snapshot() == before


def test_an_archived_campaigns_pool_cannot_be_filled(chapter, campaign, client, login_as, post):
    campaign.status = "archived"
    db.session.commit()
    login_as(chapter.leo)
    before = snapshot()

    page = followed(
        client, post(f"/c/riverside/campaigns/{campaign.id}/pool/add", {"add": "everyone"})
    )

    assert "This campaign is archived" in page
    assert snapshot() == before


def test_members_still_join_and_leave_themselves(chapter, campaign, client, login_as, post):
    login_as(chapter.ann)
    url = f"/c/riverside/campaigns/{campaign.id}/pool"

    post(url, {"change": "join"})
    assert chapter.ann.id in pool_of(campaign.id)
    post(url, {"change": "leave"})
    assert chapter.ann.id not in pool_of(campaign.id)
