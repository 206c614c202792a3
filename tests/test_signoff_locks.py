"""Approved work is locked: every edit route of a signed-off milestone and of the outcomes
that evidence it refuses a forged POST with a clear message and changes nothing."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from campaigns.outcome_models import EvidenceFile
from core.extensions import db
from core.timefmt import local
from tests.helpers import SNAPSHOT_TABLES, table_snapshot
from tests.signoff_world import Scene, approve, scene_fixture, submit  # noqa: F401  (fixture)

LOCKED = "signed off and locked"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass(frozen=True)
class Forged:
    id: str
    url: Callable[[Scene], str]
    data: Callable[[Scene], dict] = field(default=lambda s: {})
    said: str = LOCKED
    # Puts the scene in the state the route would accept if the work were not locked.
    prepare: Callable[[Scene], None] = field(default=lambda s: None)


ACTION_LOCKED = "its kind, title, times, location and status are locked"


def action_form(s: Scene, **changes) -> dict:
    """The action's edit form as it was opened, with `changes` typed in."""
    start = local(s.action.starts_at, s.chapter.timezone)
    end = local(s.action.ends_at, s.chapter.timezone)
    return {
        "kind": s.action.kind,
        "title": s.action.title,
        "day": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "location": s.action.location,
        "description": s.action.description,
        "capacity": "",
        "version": str(s.action.version),
    } | changes


def planned(s: Scene) -> None:
    """Never marked done: its end has passed, so its outcome was logged all the same."""
    s.action.status = "planned"
    db.session.commit()


FORGED = [
    Forged(
        "edit the milestone",
        lambda s: f"/c/riverside/milestones/{s.milestone.id}/edit",
        lambda s: {
            "title": "Dean agrees (edited)",
            "criteria": "",
            "due_date": "2026-12-01",
            "version": str(s.milestone.version),
        },
    ),
    Forged(
        "edit an outcome that evidences it",
        lambda s: f"/c/riverside/actions/{s.action.id}/outcome",
        lambda s: {"people_reached": "4000", "narrative": "Rewritten", "version": "1"},
        said="part of an approved milestone and is locked",
    ),
    Forged(
        "remove an evidence file of that outcome",
        lambda s: f"/c/riverside/evidence/{s.outcome.files[0].id}/remove",
        said="part of an approved milestone and is locked",
    ),
    Forged(
        "rename the action behind that outcome",
        lambda s: f"/c/riverside/actions/{s.action.id}/edit",
        lambda s: action_form(s, title="Meet the provost"),
        said=ACTION_LOCKED,
    ),
    Forged(
        "move the action behind that outcome to another day and place",
        lambda s: f"/c/riverside/actions/{s.action.id}/edit",
        lambda s: action_form(s, day="2026-01-05", location="Elsewhere"),
        said=ACTION_LOCKED,
    ),
    Forged(
        "cancel the action behind that outcome",
        lambda s: f"/c/riverside/actions/{s.action.id}/status/cancelled",
        said=ACTION_LOCKED,
        prepare=planned,
    ),
    Forged(
        "mark the action behind that outcome done",
        lambda s: f"/c/riverside/actions/{s.action.id}/status/done",
        said=ACTION_LOCKED,
        prepare=planned,
    ),
    Forged(
        "submit it again",
        lambda s: f"/c/riverside/milestones/{s.milestone.id}/submit",
        lambda s: {"summary": "Once more", "outcome_ids": s.outcome.id},
        said="signed off; add an addendum",
    ),
]


@pytest.fixture
def locked(scene) -> Scene:
    db.session.add(
        EvidenceFile(
            outcome_id=scene.outcome.id,
            data=PNG,
            size=len(PNG),
            sha256=hashlib.sha256(PNG).hexdigest(),
            mime_type="image/png",
            name="evidence-1.png",
            uploaded_by_id=scene.lead.id,
        )
    )
    db.session.commit()
    approve(submit(scene.milestone, scene.leader, [scene.outcome]), scene.advisor)
    return scene


@pytest.mark.parametrize("case", FORGED, ids=[c.id for c in FORGED])
def test_a_forged_post_to_locked_work_is_refused_and_changes_nothing(
    locked, case, client, login_as, post
):
    case.prepare(locked)
    login_as(locked.leader)
    before = table_snapshot(SNAPSHOT_TABLES)
    response = post(case.url(locked), case.data(locked))
    after = table_snapshot(SNAPSHOT_TABLES)
    assert after == before
    page = response.get_data(as_text=True)
    if response.status_code == 302:
        page = client.get(response.location).get_data(as_text=True)
    assert case.said in page


def test_the_edit_page_of_locked_work_is_not_offered(locked, client, login_as):
    login_as(locked.leader)
    response = client.get(f"/c/riverside/milestones/{locked.milestone.id}/edit")
    assert response.status_code == 302
    assert LOCKED in client.get(response.location).get_data(as_text=True)
    campaign = client.get(f"/c/riverside/campaigns/{locked.campaign.id}").get_data(as_text=True)
    assert f"/milestones/{locked.milestone.id}/edit" not in campaign


def test_the_action_behind_locked_work_keeps_what_was_typed_and_its_notes_stay_editable(
    locked, client, login_as, post
):
    login_as(locked.leader)
    url = f"/c/riverside/actions/{locked.action.id}/edit"
    refused = post(url, action_form(locked, title="Meet the provost", description="Notes"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert ACTION_LOCKED in page
    assert 'value="Meet the provost"' in page  # the form keeps what was typed
    db.session.expire_all()
    assert locked.action.title == "Meet the dean" and locked.action.description != "Notes"

    saved = post(url, action_form(locked, description="Bring the letter next time."))
    assert saved.status_code == 302
    db.session.expire_all()
    assert locked.action.description == "Bring the letter next time."
    assert locked.action.title == "Meet the dean"
