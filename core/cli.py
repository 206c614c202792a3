"""Command-line tools for the shared services: mail delivery and the audit log."""

import time

import click
from flask import Flask
from flask.cli import AppGroup

from core.audit import verify_chain
from core.mail import deliver

outbox_cli = AppGroup("outbox", help="Deliver queued email.")
audit_cli = AppGroup("audit", help="Check the audit log.")


@outbox_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running, polling for due messages.")
@click.option("--interval", default=10, show_default=True, help="Seconds between polls.")
def deliver_command(loop: bool, interval: int) -> None:
    """Send due messages from the outbox, retrying failed ones with backoff."""
    while True:
        sent, failed = deliver()
        if sent or failed or not loop:
            click.echo(f"sent {sent}, failed {failed}")
        if not loop:
            return
        time.sleep(interval)


@audit_cli.command("verify")
def verify_command() -> None:
    """Check that the audit log's hash chain is unbroken."""
    checked, broken = verify_chain()
    if broken is not None:
        click.echo(
            f"audit chain BROKEN at event {broken.id} ({broken.action}, "
            f"{broken.at:%Y-%m-%d %H:%M}) "
            f"after {checked} good events",
            err=True,
        )
        raise SystemExit(1)
    click.echo(f"audit chain intact: {checked} events")


def register(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
    app.cli.add_command(audit_cli)
