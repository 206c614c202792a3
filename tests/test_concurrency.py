"""Two leaders assign the lead of one action at once: one wins, the other is told, none is lost."""

import os
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from accounts.models import User
from campaigns.models import Action, LeadAssignment
from campaigns.services.leads import ConflictError, assign_lead
from core.extensions import db
from national import summary
from tests.factories import add_to_pool, make_action, make_campaign, make_chapter, make_member

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture
def scene(app):
    chapter = make_chapter("Riverside Health", slug="riverside")
    leo = make_member(chapter, "leader", name="Leo Leader").user
    lena = make_member(chapter, "leader", name="Lena Leader").user
    ann = make_member(chapter, "member", name="Ann Nurse", profession="Nursing").user
    ben = make_member(chapter, "member", name="Ben Pharm", profession="Pharmacy").user
    campaign = make_campaign(chapter, status="active")
    add_to_pool(campaign, ann, ben)
    action = make_action(campaign, title="Meet the dean")
    return {"action": action.id, "leo": leo.id, "lena": lena.id, "ann": ann.id, "ben": ben.id}


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL for real concurrent writes")
def test_two_leaders_assigning_at_once_one_wins_and_the_other_is_refused(app, scene):
    barrier = threading.Barrier(2, timeout=30)
    results: dict[str, str] = {}
    choices = {"leo": scene["ann"], "lena": scene["ben"]}

    def assign(who: str) -> None:
        with app.app_context():  # its own session and connection
            try:
                action = db.session.get(Action, scene["action"])
                actor = db.session.get(User, scene[who])
                version = action.version
                barrier.wait()
                assign_lead(action, choices[who], actor, f"{who} decided", version)
                db.session.commit()
                results[who] = "won"
            except (StaleDataError, ConflictError) as exc:
                db.session.rollback()
                results[who] = f"lost: {type(exc).__name__}"
            except Exception as exc:  # anything else is reported by the assertions below
                db.session.rollback()
                results[who] = f"error: {exc!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=assign, args=(who,)) for who in choices]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"

    winners = [who for who, outcome in results.items() if outcome == "won"]
    assert len(winners) == 1, results
    loser = next(who for who in choices if who not in winners)
    assert results[loser].startswith("lost"), results

    db.session.expire_all()
    action = db.session.get(Action, scene["action"])
    assert action.lead_id == choices[winners[0]]
    assert action.version == 2
    rows = db.session.scalars(select(LeadAssignment)).all()
    assert [(r.user_id, r.assigned_by_id) for r in rows] == [
        (choices[winners[0]], scene[winners[0]])
    ]


def test_two_leaders_posting_the_same_version_the_second_is_told_it_changed(
    app, scene, client, login_as, post
):
    url = f"/c/riverside/actions/{scene['action']}"
    leo = login_as(db.session.get(User, scene["leo"]))
    lena = login_as(db.session.get(User, scene["lena"]), client_=app.test_client())
    # Both opened the page while the action was at version 1.
    for c in (leo, lena):
        assert 'name="version" type="hidden" value="1"' in c.get(url).get_data(as_text=True)

    first = post(f"{url}/lead", {"user_id": scene["ann"], "reason": "", "version": "1"})
    second = post(
        f"{url}/lead",
        {"user_id": scene["ben"], "reason": "Ben asked first", "version": "1"},
        client_=lena,
    )

    assert "Ann Nurse leads this action" in leo.get(first.location).get_data(as_text=True)
    page = lena.get(second.location).get_data(as_text=True)
    assert "Someone changed this action" in page
    assert "Its lead is now Ann Nurse" in page
    db.session.expire_all()
    assert db.session.get(Action, scene["action"]).lead_id == scene["ann"]
    assert db.session.scalar(select(func.count(LeadAssignment.id))) == 1


@pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="on SQLite a request that may write holds the write lock from its first read, so "
    "nobody can commit between the check and the write (test_concurrent_writes.py)",
)
def test_a_stale_write_that_slips_past_the_version_check_is_reported_not_saved(
    app, scene, client, login_as, post, monkeypatch
):
    """If the row changes between the check and the write, the version column still catches it."""
    import campaigns.services.leads as services

    url = f"/c/riverside/actions/{scene['action']}"
    login_as(db.session.get(User, scene["leo"]))
    real_check = services._check_version

    def check_then_someone_else_writes(action, expected_version):
        real_check(action, expected_version)
        with db.engine.begin() as conn:  # another server commits in between
            conn.execute(
                Action.__table__.update()
                .where(Action.__table__.c.id == action.id)
                .values(lead_id=scene["ben"], version=Action.__table__.c.version + 1)
            )
            summary.rebuild_with(conn)  # as that server's own commit does

    monkeypatch.setattr(services, "_check_version", check_then_someone_else_writes)
    response = post(f"{url}/lead", {"user_id": scene["ann"], "reason": "", "version": "1"})
    monkeypatch.undo()

    page = client.get(response.location).get_data(as_text=True)
    assert "Someone changed this action at the same time. Its lead is now Ben Pharm" in page
    assert "nothing of yours was saved" in page
    db.session.expire_all()
    assert db.session.get(Action, scene["action"]).lead_id == scene["ben"]
    assert db.session.scalar(select(func.count(LeadAssignment.id))) == 0


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL for real concurrent writes")
def test_the_last_two_endorsements_arriving_together_adopt_the_vision(app):
    from chapters.models import VisionVersion
    from chapters.services import propose_vision, respond_to_vision

    chapter = make_chapter("Lakeside", slug="lakeside")
    people = [
        make_member(chapter, "member", profession=p).user
        for p in ("Nursing", "Medicine", "Pharmacy")
    ]
    vision = propose_vision(chapter, people[0], "Care for all.", ["One goal"])
    db.session.commit()
    ids = {"vision": vision.id, "people": [p.id for p in people]}
    barrier = threading.Barrier(2, timeout=30)
    errors: list[str] = []

    def endorse(person_id: int) -> None:
        with app.app_context():
            try:
                version = db.session.get(VisionVersion, ids["vision"])
                person = db.session.get(User, person_id)
                _ = version.responses  # read the state before the other commits
                barrier.wait()
                respond_to_vision(version, person, "endorse", None, counts=True)
                db.session.commit()
            except Exception as exc:  # reported by the assertion below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    # Two of three must endorse (2/3); both arrive at once.
    threads = [threading.Thread(target=endorse, args=(pid,)) for pid in ids["people"][:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    assert db.session.get(VisionVersion, ids["vision"]).status == "adopted"
