"""Approved work is locked: every edit route of a signed-off milestone and of the outcomes
that evidence it refuses a forged POST with a clear message and changes nothing."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from campaigns.outcome_models import EvidenceFile
from core.extensions import db
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
