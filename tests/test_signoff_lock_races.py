"""An advisor approving while a leader changes the evidence (the outcome, its files, the
action behind it), at the same moment, on PostgreSQL: the edit either commits before the
approval (which then covers the edited outcome) or is refused as locked. Never an edit
after the approval that locks it."""

import os
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

import campaigns.services.outcomes as outcome_services
from accounts.models import User
from campaigns.evidence_rules import Evidence
from campaigns.models import Action
from campaigns.outcome_models import Outcome
from campaigns.services.actions import ACTION_FIELDS, save_action
from campaigns.services.campaigns import field_values
from campaigns.services.evidence import add_evidence_files
from campaigns.services.outcomes import (
    ACTION_LOCKED_MESSAGE,
    LOCKED_MESSAGE,
    OUTCOME_FIELDS,
    outcome_for_action,
    outcome_is_locked,
    save_outcome,
)
from campaigns.services.signoff import decide
from campaigns.signoff_models import MilestoneSubmission
from core.db import utcnow
from core.errors import PolicyError
from core.extensions import db
from core.models import AuditEvent
from tests.factories import make_action, make_milestone
from tests.signoff_world import make_outcome, scene_fixture, submit  # noqa: F401  (fixture)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"IEND"
# The leader's request pauses this long between asking "is it locked?" and writing, so the
# advisor's approval falls into that gap whenever nothing serialises the two.
GAP = 0.15
# (what the leader does, who starts late and by how much): the leader first (the approval
# arrives while the edit is under way) or the advisor first (the edit arrives after it).
ROUNDS = [
    (change, late, delay)
    for change in ("edit the outcome", "add an evidence file", "rename the action")
    for late, delay in (
        ("advisor", 0.0),
        ("advisor", 0.03),
        ("advisor", 0.08),
        ("leader", 0.0),
        ("leader", 0.05),
        ("leader", 0.2),
    )
]

EVENTS = {  # what the change records, and how it is refused once the outcome is locked
    "edit the outcome": ("outcome.edited", LOCKED_MESSAGE),
    "add an evidence file": ("evidence.added", LOCKED_MESSAGE),
    "rename the action": ("action.saved", ACTION_LOCKED_MESSAGE),
}


def _round(app, scene, n: int, change: str, late: str, delay: float) -> tuple[str, dict]:
    action = make_action(
        scene.campaign,
        title=f"Round {n}",
        lead=scene.lead,
        status="done",
        starts_at=(utcnow() - timedelta(days=2)).replace(second=0, microsecond=0),
    )
    outcome = make_outcome(action, scene.lead, people_reached=40)
    milestone = make_milestone(scene.campaign, title=f"Milestone {n}")
    sub = submit(milestone, scene.leader, [outcome])
    ids = {"action": action.id, "outcome": outcome.id, "sub": sub.id}
    barrier = threading.Barrier(2, timeout=30)
    results: dict[str, str] = {}

    def leader() -> None:
        with app.app_context():
            try:
                act = db.session.get(Action, ids["action"])
                mine = outcome_for_action(act.id)
                who = db.session.get(User, scene.leader.id)
                _ = act.campaign.chapter
                data = field_values(mine, OUTCOME_FIELDS) | {
                    "people_reached": 400,
                    "domains": [],
                    "metrics": [],
                    "links": [],
                }
                barrier.wait()
                time.sleep(delay if late == "leader" else 0)
                if change == "edit the outcome":
                    save_outcome(act, mine, data, who)
                elif change == "rename the action":
                    renamed = field_values(act, ACTION_FIELDS) | {"title": "Renamed"}
                    save_action(act.campaign, act, renamed, who)
                else:
                    add_evidence_files(
                        mine, [(PNG, Evidence("image/png", "png"))], who, no_patient_info=True
                    )
                db.session.commit()
                results["leader"] = "saved"
            except PolicyError as exc:
                db.session.rollback()
                results["leader"] = f"told: {exc}"
            except Exception as exc:  # reported by the assertions below
                db.session.rollback()
                results["leader"] = f"error: {exc!r}"
            finally:
                db.session.remove()

    def advisor() -> None:
        with app.app_context():
            try:
                submission = db.session.get(MilestoneSubmission, ids["sub"])
                who = db.session.get(User, scene.advisor.id)
                _ = submission.milestone.campaign.chapter
                barrier.wait()
                time.sleep(delay if late == "advisor" else 0)
                decide(submission, True, "", who, "advisor")
                db.session.commit()
                results["advisor"] = "approved"
            except Exception as exc:  # reported by the assertions below
                db.session.rollback()
                results["advisor"] = f"error: {exc!r}"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=leader, name="leader"),
        threading.Thread(target=advisor, name="advisor"),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results["leader"], ids | {"advisor": results["advisor"]}


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL for real concurrent writes")
def test_an_evidence_change_racing_the_approval_lands_before_it_or_is_refused(
    app, scene, monkeypatch
):
    real_outcome_locked = outcome_services.outcome_locked

    def slow_leader(outcome_id: int) -> bool:
        answer = real_outcome_locked(outcome_id)
        if threading.current_thread().name == "leader":
            time.sleep(GAP)  # between the check and the write
        return answer

    monkeypatch.setattr(outcome_services, "outcome_locked", slow_leader)
    seen = []
    for n, (change, late, delay) in enumerate(ROUNDS):
        leader, ids = _round(app, scene, n, change, late, delay)
        round_id = f"round {n}: {change}, {late} {delay}s late: {leader}"
        assert ids["advisor"] == "approved", round_id
        db.session.expire_all()
        events = {
            e.action: e.id
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if (e.action == "milestone.approved" and e.after["submission_id"] == ids["sub"])
            or (e.action == "outcome.edited" and e.object_id == ids["outcome"])
            or (e.action == "action.saved" and e.object_id == ids["action"])
            or (e.action == "evidence.added" and e.after["outcome_id"] == ids["outcome"])
        }
        outcome = db.session.get(Outcome, ids["outcome"])
        assert outcome_is_locked(outcome), round_id
        change_event, refusal = EVENTS[change]
        if leader == "saved":
            assert events[change_event] < events["milestone.approved"], round_id
            if change == "edit the outcome":
                assert outcome.people_reached == 400, round_id
            elif change == "rename the action":
                assert outcome.action.title == "Renamed", round_id
            else:
                assert len(outcome.files) == 1, round_id
        else:
            assert leader == f"told: {refusal}", round_id
            assert change_event not in events, round_id
            assert outcome.people_reached == 40 and not outcome.files, round_id
            assert outcome.action.title == f"Round {n}", round_id
        seen.append(leader == "saved")
    # Both ways of winning the race happened: the edit first, and the approval first.
    assert any(seen) and not all(seen), seen
