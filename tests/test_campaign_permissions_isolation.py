"""Campaigns permissions beyond the matrix: another chapter's objects, an archived chapter.

A leader of chapter B gets 404 for chapter A's objects even under B's own address, and
in an archived chapter nobody manages or signs up; neither changes a row.
"""

from core.extensions import db
from tests.campaign_permissions_table import ROUTES
from tests.campaign_permissions_world import (
    Route,
    client_for,
    send,
    snapshot,
    world_fixture,  # noqa: F401  (fixture)
)

# --- another chapter's objects through your own chapter's address --------------------------

# Routes that name an object of chapter A (not the chapter itself).
OBJECT_ROUTES = [
    r
    for r in ROUTES
    if r.endpoint
    not in {
        "campaigns.campaign_list",
        "campaigns.new_campaign",
        "campaigns.fairness",
        "campaigns.chapter_calendar",
        "campaigns.regenerate_chapter_feed",
        "campaigns.playbooks",
        "campaigns.playbook_page",
        "campaigns.chapter_feed",
        "campaigns.person_feed",
        "campaigns.my_availability",
        "campaigns.delete_availability",
        "campaigns.regenerate_my_feed",
        "campaigns.chapter_milestone_list",
        "campaigns.signoff_queue",
        "campaigns.actions_to_close",  # your own list, not a chapter's object
    }
]


def test_a_leader_of_b_gets_404_for_a_objects_even_under_their_own_slug(world, app, login_as, post):
    for case in OBJECT_ROUTES:
        if case.prepare:
            case.prepare(world)
    client = client_for("leader_b", world, app, login_as)
    assert client.get("/c/lakeside/campaigns").status_code == 200  # their own chapter works
    for case in OBJECT_ROUTES:
        url = case.url(world)
        assert url.startswith("/c/riverside/"), case.id
        mixed = Route(
            case.endpoint,
            case.method,
            lambda w, u=url: u.replace("riverside", "lakeside", 1),
            {},
            case.data,
        )
        before = snapshot()
        response = send(mixed, world, client, post)
        assert response.status_code == 404, case.id
        assert snapshot() == before, case.id


# --- an archived chapter is read-only -------------------------------------------------------


def test_in_an_archived_chapter_nobody_manages_or_signs_up(world, client, login_as, post):
    world.a.status = "archived"
    db.session.commit()
    login_as(world.people["leader_a"])
    before = snapshot()
    assert client.get(f"/c/riverside/campaigns/{world.campaign.id}").status_code == 200
    assert client.get("/c/riverside/campaigns/new").status_code == 403
    assert post(f"/c/riverside/actions/{world.action.id}/signup").status_code == 403
    assert post(f"/c/riverside/campaigns/{world.campaign.id}/status/archived").status_code == 403
    assert snapshot() == before
