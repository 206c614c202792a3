"""`flask notify run`: action-tomorrow and overdue sign-off reminders to the right people,
made once however often it runs (a unique key, not only a check), then the daily digest."""

import os
import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import g
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from campaigns.services.signoff import submit_milestone
from core.db import utcnow
from core.extensions import db
from core.models import OutboxMessage
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.reminders import run_daily, send_digests
from tests.clock import today_in
from tests.factories import make_action, make_signup, make_user
from tests.notifications_world import ids, notified, world_fixture  # noqa: F401  (fixture)


def _local_noon(days_ahead: int, tz: str = "America/Chicago") -> datetime:
    day = today_in(tz) + timedelta(days=days_ahead)
    return datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Notification.id))),
        db.session.scalar(select(func.count(OutboxMessage.id))),
    )


def _run(now=None):
    report = run_daily(now or utcnow())
    db.session.commit()
    return report


@pytest.mark.dates
def test_an_action_tomorrow_reminds_its_lead_and_sign_ups_once(world):
    tomorrow = make_action(
        world.campaign, title="Flu clinic", starts_at=_local_noon(1), lead=world.m3
    )
    make_signup(tomorrow, world.m1)
    make_action(world.campaign, title="Later", starts_at=_local_noon(3), lead=world.m2)

    report = _run()
    assert report.action_reminders == 2
    assert notified(Kind.ACTION_TOMORROW) == ids(world.m3, world.m1)
    text = db.session.scalar(
        select(Notification.text).where(Notification.kind == Kind.ACTION_TOMORROW)
    )
    assert text.startswith("Tomorrow: “Flu clinic”")

    before = _counts()
    assert _run().action_reminders == 0
    assert _counts() == before


@pytest.mark.dates
def test_a_cancelled_or_other_chapters_action_reminds_nobody(world):
    make_action(world.campaign, starts_at=_local_noon(1), lead=world.m3, status="cancelled")
    _run()
    assert notified(Kind.ACTION_TOMORROW) == set()


def _submit_days_ago(world, days: int):
    sub = submit_milestone(world.milestone, "Done.", [], world.leader, "leader")
    sub.submitted_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return sub


@pytest.mark.dates
def test_an_overdue_sign_off_reminds_the_advisors_then_national_staff(world, app):
    sub = _submit_days_ago(world, app.config["SIGNOFF_OVERDUE_DAYS"] + 1)
    _run()
    assert notified(Kind.SIGNOFF_OVERDUE) == ids(world.advisor, world.advisor2)

    before = _counts()
    _run()
    assert _counts() == before  # the same day again: nothing new

    sub.submitted_at = utcnow() - timedelta(days=app.config["SIGNOFF_ESCALATE_DAYS"] + 1)
    db.session.commit()
    _run()
    assert notified(Kind.SIGNOFF_OVERDUE) == ids(world.advisor, world.advisor2, world.staff)
    overdue = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.kind == Kind.SIGNOFF_OVERDUE)
    )
    assert overdue == 3  # the advisors were not reminded twice
    assert not notified(Kind.SIGNOFF_OVERDUE) & ids(world.b_advisor, world.leader)


@pytest.mark.dates
def test_a_sign_off_not_yet_overdue_reminds_nobody(world, app):
    _submit_days_ago(world, app.config["SIGNOFF_OVERDUE_DAYS"] - 1)
    _run()
    assert notified(Kind.SIGNOFF_OVERDUE) == set()


def test_the_key_is_unique_in_the_database_not_only_checked(world):
    db.session.add_all(
        Notification(
            recipient_id=world.m1.id,
            kind=Kind.ACTION_TOMORROW,
            link="/",
            text="x",
            dedupe_key="action_tomorrow:1:2030-01-01",
        )
        for _ in range(2)
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.dates
def test_the_command_twice_in_a_day_sends_each_reminder_and_digest_once(world, app, sent_mail):
    tomorrow = make_action(
        world.campaign, title="Flu clinic", starts_at=_local_noon(1), lead=world.m3
    )
    make_signup(tomorrow, world.m1)
    _submit_days_ago(world, app.config["SIGNOFF_OVERDUE_DAYS"] + 1)
    # The sign-off request was queued at once in this test's app context; a real command
    # starts with none queued.
    g.pop("queued_mail_ids", None)

    runner = app.test_cli_runner()
    first = runner.invoke(args=["notify", "run"])
    assert first.exit_code == 0, first.output
    assert "2 action tomorrow, 2 sign-off overdue" in first.output
    mails = [(m["To"], m["Subject"]) for m in sent_mail]
    # action tomorrow and sign-off overdue go in the digest by default: one email each
    assert sorted(to for to, _ in mails) == sorted(
        [world.m3.email, world.m1.email, world.advisor.email, world.advisor2.email]
    )

    second = runner.invoke(args=["notify", "run"])
    assert second.exit_code == 0, second.output
    assert "0 action tomorrow, 0 sign-off overdue; digests: 0" in second.output
    assert len(sent_mail) == len(mails)


def test_a_disabled_account_gets_no_reminder(world):
    ghost = make_user(active=False)
    action = make_action(world.campaign, starts_at=_local_noon(1), lead=world.m3)
    make_signup(action, ghost)
    _run()
    assert ghost.id not in notified(Kind.ACTION_TOMORROW)


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL for real concurrent runs"
)
@pytest.mark.parametrize("step", [run_daily, send_digests], ids=["whole run", "digest alone"])
def test_two_runs_at_once_make_each_reminder_and_digest_once(world, app, step):
    tomorrow = make_action(
        world.campaign, title="Flu clinic", starts_at=_local_noon(1), lead=world.m3
    )
    make_signup(tomorrow, world.m1)
    _move_action_location(world)  # digest notifications already waiting
    barrier = threading.Barrier(2, timeout=30)
    errors: list[str] = []

    def run() -> None:
        with app.app_context():  # its own session and connection
            try:
                barrier.wait()
                step(utcnow())
                db.session.commit()
            except Exception as exc:  # reported below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a run hung"
    assert errors == []
    digests = db.session.scalars(
        select(OutboxMessage.to_addr).where(OutboxMessage.subject.like("%daily digest%"))
    ).all()
    if step is send_digests:
        # one each: the moved action's lead and its sign-ups
        assert sorted(digests) == sorted(u.email for u in (world.lead, world.m1, world.m2))
        return
    assert notified(Kind.ACTION_TOMORROW) == ids(world.m3, world.m1)
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.kind == Kind.ACTION_TOMORROW)
        )
        == 2
    )
    # one each: the moved action's lead and sign-ups, and the flu clinic's lead (m3)
    assert sorted(digests) == sorted(u.email for u in (world.lead, world.m1, world.m2, world.m3))


def _move_action_location(world) -> None:
    from campaigns.services.actions import ACTION_FIELDS, save_action

    data = {f: getattr(world.action, f) for f in ACTION_FIELDS} | {"location": "Room 9"}
    save_action(world.campaign, world.action, data, world.leader)
    db.session.commit()
