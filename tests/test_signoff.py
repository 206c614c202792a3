"""Milestone sign-off as people use it: submit with evidence, return with a comment,
resubmit, approve (which locks), addenda, reopening, and the timeline."""

from sqlalchemy import func, select

from campaigns.models import Milestone
from campaigns.services.outcomes import outcome_is_locked
from campaigns.signoff_models import MilestoneDecision, MilestoneSubmission
from core.audit import AuditEvent
from core.extensions import db
from tests.factories import make_action, make_campaign
from tests.signoff_world import make_outcome, scene_fixture, submit  # noqa: F401  (fixture)


def _status(milestone_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Milestone, milestone_id).status


def test_the_whole_journey_submit_return_resubmit_approve_addendum_reopen(
    scene, app, client, login_as, post
):
    ms = scene.milestone
    page = f"/c/riverside/milestones/{ms.id}"
    leader = login_as(scene.leader)
    form = leader.get(f"{page}/submit").get_data(as_text=True)
    assert "Meet the dean" in form  # the campaign's outcomes are offered as evidence

    r = post(f"{page}/submit", {"summary": "The dean said yes.", "outcome_ids": scene.outcome.id})
    assert r.status_code == 302
    assert _status(ms.id) == "submitted"
    sub = db.session.scalars(select(MilestoneSubmission)).one()
    assert [o.id for o in sub.outcomes] == [scene.outcome.id]

    advisor = login_as(scene.advisor, client_=app.test_client())
    queue = advisor.get("/signoffs").get_data(as_text=True)
    assert "Dean agrees" in queue and "Leo Leader" in queue and "waiting 0 days" in queue

    # A return without a comment is refused next to the field; nothing changes.
    decide_url = f"/c/riverside/signoffs/{sub.id}/decide"
    r = post(decide_url, {"decision": "return", "comment": " ", "version": "1"}, client_=advisor)
    assert r.status_code == 200
    assert "Give a comment saying what to change." in r.get_data(as_text=True)
    assert _status(ms.id) == "submitted"

    r = post(
        decide_url,
        {"decision": "return", "comment": "Attach the letter.", "version": "1", "back": "queue"},
        client_=advisor,
    )
    assert r.location.endswith("/signoffs")
    assert _status(ms.id) == "returned"
    returned = leader.get("/c/riverside/milestones?state=returned").get_data(as_text=True)
    assert "Attach the letter." in returned and "Dr Ada Advisor" in returned

    post(f"{page}/submit", {"summary": "Letter attached.", "outcome_ids": scene.outcome.id})
    assert _status(ms.id) == "submitted"
    second = db.session.scalars(
        select(MilestoneSubmission).order_by(MilestoneSubmission.id.desc())
    ).first()
    post(
        f"/c/riverside/signoffs/{second.id}/decide",
        {"decision": "approve", "comment": "", "version": "1"},
        client_=advisor,
    )
    assert _status(ms.id) == "approved"
    assert outcome_is_locked(scene.outcome)

    shown = leader.get(page).get_data(as_text=True)
    assert "Signed off and locked" in shown
    assert f"/milestones/{ms.id}/edit" not in shown  # the edit control is gone
    assert "Add an addendum" in shown
    assert "Reopen" not in shown  # only advisors reopen

    r = post(f"{page}/addendum", {"text": "The dean also funded kits."})
    assert r.status_code == 302
    addendum = db.session.scalars(
        select(MilestoneSubmission).where(MilestoneSubmission.kind == "addendum")
    ).one()
    assert "Addendum to Dean agrees" in advisor.get("/signoffs").get_data(as_text=True)
    post(
        f"/c/riverside/signoffs/{addendum.id}/decide",
        {"decision": "approve", "version": "1"},
        client_=advisor,
    )
    db.session.expire_all()
    assert db.session.get(MilestoneSubmission, addendum.id).status == "approved"
    assert _status(ms.id) == "approved"  # the original stays signed off

    # Reopening needs a reason; with one, the work is unlocked and it is recorded.
    r = post(f"{page}/reopen", {"reason": ""}, client_=advisor)
    assert "Give a reason for reopening." in r.get_data(as_text=True)
    assert _status(ms.id) == "approved"
    post(f"{page}/reopen", {"reason": "The letter was a draft."}, client_=advisor)
    assert _status(ms.id) == "open"
    assert not outcome_is_locked(scene.outcome)

    history = leader.get(page).get_data(as_text=True)
    for said in (
        "Returned</strong> by Dr Ada Advisor",
        "Attach the letter.",
        "Approved</strong> by Dr Ada Advisor",
        "Reopened</strong> by Dr Ada Advisor",
        "The letter was a draft.",
        "The dean also funded kits.",
    ):
        assert said in history, said
    events = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert [e for e in events if e.startswith(("milestone.", "addendum."))] == [
        "milestone.submitted",
        "milestone.returned",
        "milestone.submitted",
        "milestone.approved",
        "addendum.submitted",
        "addendum.approved",
        "milestone.reopened",
    ]


def test_editing_a_submitted_milestone_withdraws_the_submission(scene, login_as, post):
    sub = submit(scene.milestone, scene.leader, [scene.outcome])
    login_as(scene.leader)
    r = post(
        f"/c/riverside/milestones/{scene.milestone.id}/edit",
        {
            "title": "Dean agrees in writing",
            "criteria": "A letter",
            "due_date": "2026-12-01",
            "version": str(scene.milestone.version),
        },
    )
    assert r.status_code == 302
    assert _status(scene.milestone.id) == "open"
    db.session.expire_all()
    withdrawn = db.session.get(MilestoneSubmission, sub.id)
    assert withdrawn.status == "withdrawn" and withdrawn.withdrawn_at is not None
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "milestone.withdrawn")
        )
        == 1
    )


def test_a_decision_on_a_withdrawn_submission_is_refused_and_says_why(
    scene, login_as, post, client
):
    sub = submit(scene.milestone, scene.leader)
    sub_id = sub.id
    login_as(scene.leader)
    post(
        f"/c/riverside/milestones/{scene.milestone.id}/edit",
        {
            "title": "Dean agrees",
            "criteria": "A letter",
            "due_date": "2026-12-01",
            "version": str(scene.milestone.version),
        },
    )
    login_as(scene.advisor)
    r = post(f"/c/riverside/signoffs/{sub_id}/decide", {"decision": "approve", "version": "1"})
    assert "The leaders withdrew this submission" in r.get_data(as_text=True)
    assert _status(scene.milestone.id) == "open"
    assert db.session.scalar(select(func.count(MilestoneDecision.id))) == 0


def test_only_outcomes_of_this_campaign_can_be_offered_as_evidence(scene, login_as, post):
    other = make_campaign(scene.chapter, title="Other", status="active")
    elsewhere = make_outcome(make_action(other, status="done"), scene.leader)
    login_as(scene.leader)
    r = post(
        f"/c/riverside/milestones/{scene.milestone.id}/submit",
        {"summary": "Done", "outcome_ids": elsewhere.id},
    )
    assert r.status_code == 200  # not one of the choices: a message on the field
    assert _status(scene.milestone.id) == "open"
    assert db.session.scalar(select(func.count(MilestoneSubmission.id))) == 0


def test_an_archived_campaign_takes_no_sign_off(scene, client, login_as, post):
    from tests.helpers import SNAPSHOT_TABLES, table_snapshot

    sub = submit(scene.milestone, scene.leader)
    scene.campaign.status = "archived"
    db.session.commit()
    login_as(scene.advisor)
    before = table_snapshot(SNAPSHOT_TABLES)
    response = post(f"/c/riverside/signoffs/{sub.id}/decide", {"decision": "approve"})
    assert "This campaign is archived" in response.get_data(as_text=True)
    assert table_snapshot(SNAPSHOT_TABLES) == before
    page = client.get(f"/c/riverside/milestones/{scene.milestone.id}").get_data(as_text=True)
    assert "Return with comment" not in page  # no decision controls on a read-only record


def test_a_returned_milestone_shows_the_comment_first(scene, client, login_as):
    from campaigns.services.signoff import decide

    decide(submit(scene.milestone, scene.leader), False, "Which dean?", scene.advisor, "advisor")
    db.session.commit()
    login_as(scene.leader)
    page = client.get(f"/c/riverside/milestones/{scene.milestone.id}").get_data(as_text=True)
    assert page.index("Which dean?") < page.index("Sign-off history")
    assert "Submit again" in page
