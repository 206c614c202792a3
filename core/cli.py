"""Command-line tools for the shared services: mail delivery and the audit log."""

import threading

import click
from flask import Flask
from flask.cli import AppGroup

from core.audit import verify_chain
from core.delivery import deliver_due, run_worker, stop_on_signals

outbox_cli = AppGroup("outbox", help="Deliver queued email.")
audit_cli = AppGroup("audit", help="Check the audit log.")


@outbox_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running, polling for due messages.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between polls.")
def deliver_command(loop: bool, interval: float) -> None:
    """Send due messages from the outbox, retrying failed ones with backoff.

    With --loop it runs until SIGTERM or SIGINT, then finishes the message in hand, hands
    its unsent claims back and exits. Any number of workers may run at once.
    """
    if not loop:
        sent, failed = deliver_due()
        click.echo(f"sent {sent}, failed {failed}")
        return
    stop = threading.Event()
    with stop_on_signals(stop):
        run_worker(stop, interval, report=lambda s, f: click.echo(f"sent {s}, failed {f}"))
    click.echo("mail worker stopped")


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
