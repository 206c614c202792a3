"""Each kind of notification reaches exactly the right people, in the transaction of the
change; never the actor, never someone outside the chapter (issue 12)."""

from datetime import timedelta

from sqlalchemy import select

from accounts.services import create_user
from campaigns.models import ActionStatus
from campaigns.services.actions import ACTION_FIELDS, change_action_status, save_action
from campaigns.services.leads import accept_swap, ask_swap, assign_lead, hand_off
from campaigns.services.signoff import decide, submit_milestone
from chapters.models import Membership, VisionResponse
from chapters.services.invitations import accept_invitation
from chapters.services.roster import end_membership
from chapters.services.vision import adopt_if_endorsed, propose_vision
from core.extensions import db
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import make_invitation, make_vision
from tests.notifications_world import ids, notified, world_fixture  # noqa: F401  (fixture)


def test_invitation_accepted_tells_the_inviter_only(world):
    inv, _raw = make_invitation(world.a, "newcomer@example.org", invited_by=world.leader)
    newcomer = create_user(
        "newcomer@example.org", "Nia Newcomer", "a long password 123", "Medicine", "student"
    )
    accept_invitation(inv, newcomer)
    db.session.commit()

    assert notified(Kind.INVITATION_ACCEPTED) == ids(world.leader)
    n = db.session.scalar(select(Notification))
    assert "Nia Newcomer accepted your invitation" in n.text
    assert n.chapter_id == world.a.id and n.link == "/c/riverside/roster"


def test_lead_assigned_tells_the_new_lead_only(world):
    action = world.action
    assign_lead(action, world.m3.id, world.leader, "Moe asked to lead", action.version)
    db.session.commit()

    assert notified(Kind.LEAD_ASSIGNED) == ids(world.m3)
    n = db.session.scalar(select(Notification))
    assert n.link == f"/c/riverside/actions/{action.id}"
    assert "Leo Leader asked you to lead “Health fair”" in n.text
    # the time is the chapter's (America/Chicago)
    assert "CST" in n.text or "CDT" in n.text


def test_assigning_yourself_notifies_nobody(world):
    assign_lead(world.action, world.m3.id, world.m3, "I will", world.action.version)
    db.session.commit()
    assert notified(Kind.LEAD_ASSIGNED) == set()


def test_hand_off_tells_the_new_lead(world):
    hand_off(world.action, world.m1.id, "Posters are printed.", world.lead, world.action.version)
    db.session.commit()

    assert notified(Kind.LEAD_HANDED_OFF) == ids(world.m1)
    assert notified(Kind.LEAD_ASSIGNED) == set()
    assert "Posters are printed." in db.session.scalar(select(Notification.text))


def test_swap_asked_tells_the_pool_but_not_the_asker_nor_another_chapter(world):
    swap = ask_swap(world.action, world.lead, "Exam that week")
    db.session.commit()
    assert notified(Kind.SWAP_ASKED) == ids(world.m1, world.m2, world.m3)

    accept_swap(swap, world.m2)
    db.session.commit()
    assert notified(Kind.SWAP_ACCEPTED) == ids(world.lead)
    assert notified(Kind.LEAD_ASSIGNED) == set()  # the one who accepted did it themself


def _action_data(action, **changes) -> dict:
    return {f: getattr(action, f) for f in ACTION_FIELDS} | changes


def test_a_moved_action_tells_its_lead_and_sign_ups(world):
    action = world.action
    save_action(world.campaign, action, _action_data(action, location="Room 101"), world.leader)
    db.session.commit()
    assert notified(Kind.ACTION_CHANGED) == ids(world.lead, world.m1, world.m2)
    assert "Room 101" in db.session.scalar(select(Notification.text))


def test_a_new_time_tells_them_too_but_a_new_description_does_not(world):
    action = world.action
    save_action(
        world.campaign, action, _action_data(action, description="Bring flyers"), world.lead
    )
    db.session.commit()
    assert notified(Kind.ACTION_CHANGED) == set()

    later = action.starts_at + timedelta(hours=2)
    data = _action_data(action, starts_at=later, ends_at=later + timedelta(hours=1))
    save_action(world.campaign, action, data, world.lead)
    db.session.commit()
    assert notified(Kind.ACTION_CHANGED) == ids(world.m1, world.m2)  # not the lead who moved it


def test_a_cancelled_action_tells_its_lead_and_sign_ups(world):
    change_action_status(world.action, ActionStatus.CANCELLED, world.leader)
    db.session.commit()
    assert notified(Kind.ACTION_CANCELLED) == ids(world.lead, world.m1, world.m2)


def test_a_vision_proposal_tells_the_chapter(world):
    propose_vision(world.a, world.m1, "Care for all.", ["Map the gaps"])
    db.session.commit()
    assert notified(Kind.VISION_PROPOSED) == ids(
        world.leader, world.leader2, world.lead, world.m2, world.m3, world.advisor, world.advisor2
    )


def test_an_adopted_vision_tells_the_chapter(world):
    vision = make_vision(world.a, world.m1)
    for person in (world.leader, world.leader2, world.lead, world.m1, world.m2, world.m3):
        db.session.add(VisionResponse(vision=vision, user=person, stance="endorse"))
    db.session.flush()
    assert adopt_if_endorsed(vision, world.m3)
    db.session.commit()
    assert notified(Kind.VISION_ADOPTED) == ids(
        world.leader, world.leader2, world.lead, world.m1, world.m2, world.advisor, world.advisor2
    )


def test_sign_off_requested_tells_every_advisor_of_the_chapter(world):
    submit_milestone(world.milestone, "Done as planned.", [], world.leader, "leader")
    db.session.commit()
    assert notified(Kind.SIGNOFF_REQUESTED) == ids(world.advisor, world.advisor2)


def test_approval_and_return_tell_the_submitter_and_leaders(world):
    sub = submit_milestone(world.milestone, "Done as planned.", [], world.leader, "leader")
    db.session.commit()
    decide(sub, False, "Attach the dean's letter.", world.advisor, "advisor")
    db.session.commit()
    assert notified(Kind.MILESTONE_RETURNED) == ids(world.leader, world.leader2)
    texts = db.session.scalars(
        select(Notification.text).where(Notification.kind == Kind.MILESTONE_RETURNED)
    )
    assert all("Attach the dean's letter." in t for t in texts)

    sub = submit_milestone(world.milestone, "With the letter.", [], world.leader2, "leader")
    db.session.commit()
    decide(sub, True, "", world.advisor2, "advisor")
    db.session.commit()
    assert notified(Kind.MILESTONE_APPROVED) == ids(world.leader, world.leader2)


def test_nobody_of_another_chapter_and_nobody_who_left_is_notified(world):
    end_membership(
        db.session.scalar(select(Membership).filter_by(user_id=world.m2.id)), world.leader
    )
    db.session.commit()
    # Even if a caller named them, the notify step keeps to the chapter's readers.
    from notifications.services import notify

    notify(
        Kind.VISION_PROPOSED,
        [u.id for u in world.everyone()],
        chapter_id=world.a.id,
        link="/c/riverside/vision",
        text="x",
    )
    db.session.commit()
    got = notified(Kind.VISION_PROPOSED)
    assert not got & ids(world.b_member, world.b_leader, world.b_advisor, world.m2)
    assert world.staff.id in got  # national staff read every chapter


def test_a_refused_change_notifies_nobody(world, client, login_as, post):
    """The notification is in the change's transaction: a refusal rolls both back."""
    login_as(world.leader)
    response = post(
        f"/c/riverside/actions/{world.action.id}/lead",
        {"user_id": world.b_member.id, "reason": "x", "version": world.action.version},
    )
    assert response.status_code in (302, 200, 400)
    assert db.session.scalar(select(Notification.id)) is None


def test_assigning_a_lead_through_the_page_notifies_and_emails_in_its_transaction(
    world, client, login_as, post, sent_mail
):
    login_as(world.leader)
    response = post(
        f"/c/riverside/actions/{world.action.id}/lead",
        {"user_id": world.m3.id, "reason": "Moe asked", "version": world.action.version},
    )
    assert response.status_code == 302
    assert notified(Kind.LEAD_ASSIGNED) == ids(world.m3)
    # lead assigned is emailed at once by default, and sent after the response
    assert [m["To"] for m in sent_mail] == [world.m3.email]
