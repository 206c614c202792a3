"""`flask export network FILE.json`, `flask import network FILE.json`, and `flask national
rebuild-summary` / `check-summary` for the comparison's per-month summary."""

import os
from pathlib import Path

import click
from flask.cli import AppGroup
from flask.sansio.app import App
from sqlalchemy.exc import SQLAlchemyError

from core.extensions import db
from national import summary
from national.network_file import (
    NetworkFileError,
    export_network,
    import_network,
    read_file,
    row_count,
)

export_cli = AppGroup("export", help="Write data out of Relay.")
import_cli = AppGroup("import", help="Read data into Relay.")
national_cli = AppGroup("national", help="The national comparison's summary.")


@export_cli.command("network")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_network_command(path: Path) -> None:
    """Write every chapter, person and record of the network to PATH (JSON)."""
    total = row_count()
    with click.progressbar(length=total, label="Exporting") as bar:
        body = export_network(bar.update)
    _write_private(path, body)
    click.echo(
        f"Wrote {total} rows to {path}, readable by its owner only (mode 0600): it holds "
        "every password hash, email address and evidence file. Keep it that way."
    )


def _write_private(path: Path, body: str) -> None:
    """Write to PATH with mode 0600 from the first byte, whatever the umask; a file already
    there is made 0600 before anything is written into it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "w", encoding="utf-8") as out:
        out.write(body)


@import_cli.command("network")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--accept-broken-audit",
    is_flag=True,
    help="Import even if the file's audit log hash chain is broken (recorded in the log).",
)
def import_network_command(path: Path, accept_broken_audit: bool) -> None:
    """Restore a network export into this empty database."""
    try:
        data = read_file(path.read_text(encoding="utf-8"))
        total = sum(len(t["rows"]) for t in data["tables"].values())
        with click.progressbar(length=total, label="Importing") as bar:
            inserted, broken_at = import_network(
                data, bar.update, accept_broken_audit=accept_broken_audit
            )
        db.session.commit()
    except NetworkFileError as error:
        db.session.rollback()
        raise click.ClickException(f"{error} Nothing was imported.") from None
    except SQLAlchemyError as error:
        # Never str(error): SQLAlchemy's message lists the row's parameters.
        db.session.rollback()
        raise click.ClickException(
            f"The database refused the import ({type(error).__name__}). Nothing was imported."
        ) from None
    if broken_at:
        click.secho(
            f"WARNING: the imported audit log's hash chain is BROKEN at {broken_at}: it was "
            "changed after it was written. Imported anyway (--accept-broken-audit); this is "
            "recorded in the audit log, and `flask audit verify` will keep failing.",
            fg="red",
            bold=True,
            err=True,
        )
    click.echo(f"Imported {inserted} rows from {path}.")


@national_cli.command("rebuild-summary")
def rebuild_summary_command() -> None:
    """Compute the comparison's per-chapter-per-month summary again from the records."""
    summary.rebuild()
    db.session.commit()
    click.echo("The comparison's summary was computed again from the records.")


@national_cli.command("check-summary")
def check_summary_command() -> None:
    """Compare the stored summary with the records; exit 1 (listing the rows) if they differ."""
    problems = summary.drift()
    db.session.rollback()
    if problems:
        for line in problems[:50]:
            click.echo(line)
        more = len(problems) - 50
        if more > 0:
            click.echo(f"... and {more} more")
        raise click.ClickException(
            f"{len(problems)} summary rows differ from the records: "
            "run `flask national rebuild-summary`."
        )
    click.echo("The comparison's summary matches the records.")


def register(app: App) -> None:
    app.cli.add_command(export_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(national_cli)
