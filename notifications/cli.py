"""`flask notify run`: the daily reminders and digest (cron it once a day)."""

import click
from flask import Flask, g
from flask.cli import AppGroup

from core.db import utcnow
from core.extensions import db
from core.mail import deliver

notify_cli = AppGroup("notify", help="Reminders and the daily digest.")


@notify_cli.command("run")
def run_command() -> None:
    """Make today's reminders and send the daily digest. Safe to run again: each reminder
    is made once, and a notification goes into one digest only."""
    from notifications.reminders import run_daily

    report = run_daily(utcnow())
    db.session.commit()
    # Send now what was queued; whatever fails stays in the outbox for the worker.
    ids = g.pop("queued_mail_ids", None)
    sent = deliver(ids)[0] if ids else 0
    click.echo(
        f"reminders: {report.action_reminders} action tomorrow, "
        f"{report.overdue_reminders} sign-off overdue; digests: {report.digests}; "
        f"emails sent now: {sent}"
    )


def register(app: Flask) -> None:
    app.cli.add_command(notify_cli)
