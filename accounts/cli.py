"""`flask users ...`: create staff accounts and enable or disable accounts from the shell."""

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import AppGroup

from accounts.models import UserKind
from accounts.services import PolicyError, create_user, get_user_by_email, set_account_active
from core.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-staff")
@click.argument("email")
@click.option("--name", prompt="Display name", help="The person's name as shown in Relay.")
@click.option("--profession", default="Other", show_default=True)
@click.option("--admin", is_flag=True, help="Also grant account administration.")
def create_staff(email: str, name: str, profession: str, admin: bool) -> None:
    """Create a national staff account. The password is asked for, never taken as an argument."""
    if profession not in current_app.config["PROFESSIONS"]:
        raise click.BadParameter(
            f"choose one of: {', '.join(current_app.config['PROFESSIONS'])}",
            param_hint="--profession",
        )
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            email, name, password, profession, UserKind.FACULTY, national_staff=True, admin=admin
        )
    except PolicyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created national staff account {user.email}{' (admin)' if admin else ''}.")


def _set_active(email: str, active: bool) -> None:
    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    set_account_active(user, active, actor=None, via="cli")
    db.session.commit()
    click.echo(f"{user.email} is now {'enabled' if active else 'disabled'}.")


@users_cli.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account and end all its sessions."""
    _set_active(email, False)


@users_cli.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Enable a disabled account."""
    _set_active(email, True)


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
