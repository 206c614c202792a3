"""Two advisors deciding the same sign-off at once: exactly one decision stands, the other
is told what happened, and nothing of theirs is saved."""

import os
import threading

import pytest
from sqlalchemy import func, select

from accounts.models import User
from campaigns.models import Milestone
from campaigns.services.signoff import decide
from campaigns.signoff_models import MilestoneDecision, MilestoneSubmission
from core.errors import PolicyError
from core.extensions import db
from national import summary
from tests.factories import make_member
from tests.signoff_world import scene_fixture, submit  # noqa: F401  (fixture)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL for real concurrent writes")
def test_two_advisors_deciding_at_once_exactly_one_decision_stands(app, scene):
    second = make_member(scene.chapter, "advisor", name="Dr Bo Second").user
    sub = submit(scene.milestone, scene.leader, [scene.outcome])
    ids = {"sub": sub.id, "ada": scene.advisor.id, "bo": second.id}
    approve_by = {"ada": True, "bo": False}  # one approves, the other returns
    barrier = threading.Barrier(2, timeout=30)
    results: dict[str, str] = {}

    def decide_as(who: str) -> None:
        with app.app_context():  # its own session and connection
            try:
                submission = db.session.get(MilestoneSubmission, ids["sub"])
                advisor = db.session.get(User, ids[who])
                version = submission.version
                _ = submission.milestone.campaign.chapter
                barrier.wait()
                decide(submission, approve_by[who], "Add the letter", advisor, "advisor", version)
                db.session.commit()
                results[who] = "won"
            except PolicyError as exc:
                db.session.rollback()
                results[who] = f"told: {exc}"
            except Exception as exc:  # reported by the assertions below
                db.session.rollback()
                results[who] = f"error: {exc!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decide_as, args=(who,)) for who in approve_by]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"

    winners = [who for who, r in results.items() if r == "won"]
    assert len(winners) == 1, results
    loser = next(who for who in approve_by if who not in winners)
    assert "already" in results[loser] and "not recorded" in results[loser], results
    db.session.expire_all()
    decisions = db.session.scalars(select(MilestoneDecision)).all()
    assert [d.advisor_id for d in decisions] == [ids[winners[0]]]
    expected = "approved" if approve_by[winners[0]] else "returned"
    assert db.session.get(Milestone, scene.milestone.id).status == expected


def test_the_second_advisor_to_post_is_told_who_decided_first(app, scene, client, login_as, post):
    second = make_member(scene.chapter, "advisor", name="Dr Bo Second").user
    sub = submit(scene.milestone, scene.leader)
    url = f"/c/riverside/signoffs/{sub.id}/decide"
    ada = login_as(scene.advisor)
    bo = login_as(second, client_=app.test_client())
    # Both opened the queue while the submission was at version 1.
    for c in (ada, bo):
        assert 'name="version" value="1"' in c.get("/signoffs").get_data(as_text=True)

    first = post(url, {"decision": "approve", "version": "1", "back": "queue"})
    assert first.status_code == 302
    late = post(url, {"decision": "return", "comment": "Too thin", "version": "1"}, client_=bo)
    page = late.get_data(as_text=True)
    assert "Dr Ada Advisor already approved this on" in page
    assert "your decision was not recorded" in page
    db.session.expire_all()
    assert db.session.get(Milestone, scene.milestone.id).status == "approved"
    assert db.session.scalar(select(func.count(MilestoneDecision.id))) == 1


@pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="on SQLite a request that may write holds the write lock from its first read, so "
    "no decision can land between the check and the write (test_concurrent_writes.py)",
)
def test_a_write_that_slips_past_the_check_is_caught_by_the_version(
    app, scene, client, login_as, post, monkeypatch
):
    """On SQLite there is no row lock: if another decision lands between the check and the
    write, the submission's version column refuses the second write."""
    import campaigns.services.signoff as services

    second = make_member(scene.chapter, "advisor", name="Dr Bo Second").user
    sub = submit(scene.milestone, scene.leader)
    sub_id, bo_id = sub.id, second.id
    login_as(scene.advisor)
    real_allowed = services._allowed

    def check_then_someone_else_decides(verdict):
        result = real_allowed(verdict)
        with db.engine.begin() as conn:  # another server commits in between
            table = MilestoneSubmission.__table__
            conn.execute(
                table.update()
                .where(table.c.id == sub_id)
                .values(status="returned", version=table.c.version + 1)
            )
            conn.execute(
                MilestoneDecision.__table__.insert().values(
                    milestone_id=scene.milestone.id,
                    submission_id=sub_id,
                    advisor_id=bo_id,
                    decision="returned",
                    comment="Too thin",
                    decided_at=sub.submitted_at,
                )
            )
            summary.rebuild_with(conn)  # as that server's own commit does
        return result

    monkeypatch.setattr(services, "_allowed", check_then_someone_else_decides)
    response = post(f"/c/riverside/signoffs/{sub_id}/decide", {"decision": "approve"})
    monkeypatch.undo()
    page = response.get_data(as_text=True)
    assert "Dr Bo Second already returned this on" in page
    db.session.expire_all()
    assert db.session.get(Milestone, scene.milestone.id).status == "submitted"
    assert db.session.scalar(select(func.count(MilestoneDecision.id))) == 1
