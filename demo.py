"""Demo data for `make run`: loaded once into an empty database, never in production."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from accounts.models import User
from accounts.services import create_user
from core.extensions import db

DEMO_PASSWORD = "relay-demo-2026"  # noqa: S105 - printed on purpose; demo data only

# (email, name, profession, kind, role shown in the login list, flags)
DEMO_USERS = [
    ("staff@relay.test", "Nadia Okafor", "Public Health", "faculty", "national staff", {"national_staff": True}),
    ("admin@relay.test", "Sam Whitfield", "Other", "faculty", "admin", {"admin": True}),
    ("leader@relay.test", "Priya Raman", "Medicine", "student", "student leader", {}),
    ("member@relay.test", "Diego Alvarez", "Nursing", "student", "member", {}),
    ("advisor@relay.test", "Dr. Helen Cho", "Pharmacy", "faculty", "faculty advisor", {}),
    ("jordan@relay.test", "Jordan Lee", "Social Work", "student", "member", {}),
    ("amara@relay.test", "Amara Nwosu", "Physician Assistant", "student", "member", {}),
    ("tomas@relay.test", "Tomás Silva", "Dentistry", "student", "member", {}),
]

demo_cli = AppGroup("demo", help="Demo data for trying Relay locally.")


def load_demo() -> bool:
    """Create the demo records in an empty database; return False if it already has users."""
    if db.session.scalar(select(func.count(User.id))):
        return False
    for email, name, profession, kind, _role, flags in DEMO_USERS:
        create_user(email, name, DEMO_PASSWORD, profession, kind, **flags)
    db.session.commit()
    return True


def print_logins() -> None:
    click.echo("\nRelay demo logins (password for all: %s)" % DEMO_PASSWORD)
    for email, name, profession, _kind, role, _flags in DEMO_USERS:
        click.echo(f"  {role:<16} {email:<22} {name} ({profession})")
    click.echo("Open http://127.0.0.1:5000 and sign in with one of them.\n")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the logins) if data exists.")
def load_command(if_empty: bool) -> None:
    """Load the demo chapters, people and history."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is never loaded in production.")
    loaded = load_demo()
    if not loaded and not if_empty:
        raise click.ClickException("The database already has users; demo data not loaded.")
    click.echo("Demo data loaded." if loaded else "Database already has data; demo not reloaded.")
    print_logins()


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
