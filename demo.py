"""Demo data for `make run`: loaded once into an empty database, never in production."""

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from accounts.models import User
from accounts.services import create_user
from chapters.services import (
    accept_invitation,
    create_chapter,
    invite,
    propose_vision,
    respond_to_vision,
)
from core.db import utcnow
from core.extensions import db
from core.mail import deliver

DEMO_PASSWORD = "relay-demo-2026"  # noqa: S105 - printed on purpose; demo data only

STAFF = [
    ("staff@relay.test", "Nadia Okafor", "Public Health", "national staff", {"national_staff": True}),
    ("admin@relay.test", "Sam Whitfield", "Other", "admin", {"admin": True}),
]

CHAPTERS = [
    {
        "chapter": {
            "name": "Riverside Health Advocates",
            "slug": "riverside",
            "institution": "Riverside University",
            "region": "Midwest",
            "timezone": "America/Chicago",
            "status": "active",
        },
        # email, name, profession, kind, role
        "people": [
            ("leader@relay.test", "Priya Raman", "Medicine", "student", "leader"),
            ("jordan@relay.test", "Jordan Lee", "Social Work", "student", "leader"),
            ("tomas@relay.test", "Tomás Silva", "Dentistry", "student", "leader"),
            ("member@relay.test", "Diego Alvarez", "Nursing", "student", "member"),
            ("amara@relay.test", "Amara Nwosu", "Physician Assistant", "student", "member"),
            ("mei@relay.test", "Mei Tanaka", "Public Health", "student", "member"),
            ("kwame@relay.test", "Kwame Mensah", "Pharmacy", "student", "member"),
            ("advisor@relay.test", "Dr. Helen Cho", "Pharmacy", "faculty", "advisor"),
        ],
        "vision": (
            "Every neighbour in Riverside can reach affordable primary care, and every future "
            "clinician here learns to advocate for it alongside other professions.",
            [
                "Win a county commitment to extend free-clinic hours",
                "Train every member in meeting a legislator",
                "Run one interprofessional health fair each semester",
            ],
        ),
        "endorse": 5,  # of 7 students (5 needed): adopted
        "pending_invites": [("newstudent@relay.test", "member")],
    },
    {
        "chapter": {
            "name": "Harbor City Interprofessional Chapter",
            "slug": "harbor-city",
            "institution": "Harbor City College of Health Sciences",
            "region": "Northeast",
            "timezone": "America/New_York",
            "status": "developing",
        },
        "people": [
            ("fatima@relay.test", "Fatima Haddad", "Nursing", "student", "leader"),
            ("liam@relay.test", "Liam O'Connor", "Medicine", "student", "leader"),
            ("sofia@relay.test", "Sofia Rossi", "Pharmacy", "student", "member"),
            ("ethan@relay.test", "Ethan Brooks", "Social Work", "student", "member"),
            ("grace@relay.test", "Grace Kim", "Public Health", "student", "member"),
            ("noah@relay.test", "Noah Patel", "Physical Therapy", "student", "member"),
            ("bell@relay.test", "Dr. Marcus Bell", "Nursing", "faculty", "advisor"),
        ],
        "vision": (
            "Harbor City's students stand together for safe housing as a health issue.",
            [
                "Testify at two city council hearings on housing code enforcement",
                "Partner with the tenants' union on a health screening day",
            ],
        ),
        "endorse": 3,  # of 6 students (4 needed): still open, half-endorsed
        "pending_invites": [("pa.student@relay.test", "member"), ("dean@relay.test", "advisor")],
    },
]

LOGINS = [
    ("national staff", "staff@relay.test"),
    ("admin", "admin@relay.test"),
    ("student leader", "leader@relay.test"),
    ("member", "member@relay.test"),
    ("faculty advisor", "advisor@relay.test"),
    ("leader (2nd)", "fatima@relay.test"),
]

demo_cli = AppGroup("demo", help="Demo data for trying Relay locally.")


def _load_chapter(spec: dict, staff: User) -> None:
    chapter = create_chapter(spec["chapter"], staff)
    joined = utcnow() - timedelta(days=120)
    people = []
    for i, (email, name, profession, kind, role) in enumerate(spec["people"]):
        user = create_user(email, name, DEMO_PASSWORD, profession, kind)
        inv = invite(chapter, email, role, staff)
        m = accept_invitation(inv, user)
        m.joined_at = joined + timedelta(days=3 * i)
        people.append((user, kind))
    statement, goals = spec["vision"]
    author = people[0][0]
    vision = propose_vision(chapter, author, statement, goals)
    vision.proposed_at = utcnow() - timedelta(days=30)
    students = [u for u, kind in people if kind == "student"]
    advisor = next(u for u, kind in people if kind == "faculty")
    respond_to_vision(
        vision,
        advisor,
        "comment",
        "Strong and achievable. I can help with the hearings.",
        counts=False,
    )
    respond_to_vision(
        vision,
        students[-1],
        "object",
        "I'd like a goal about reaching families who don't speak English.",
        counts=True,
    )
    for user in students[: spec["endorse"]]:
        respond_to_vision(vision, user, "endorse", None, counts=True)
    leader = people[0][0]
    for email, role in spec["pending_invites"]:
        invite(chapter, email, role, leader)


def load_demo() -> bool:
    """Create the demo records in an empty database; return False if it already has users."""
    if db.session.scalar(select(func.count(User.id))):
        return False
    staff_users = [
        create_user(email, name, DEMO_PASSWORD, profession, "faculty", **flags)
        for email, name, profession, _role, flags in STAFF
    ]
    for spec in CHAPTERS:
        _load_chapter(spec, staff_users[0])
    db.session.commit()
    deliver()  # the demo's invitation emails land in the mail folder, ready to open
    return True


def print_logins() -> None:
    click.echo(f"\nRelay demo logins (password for all: {DEMO_PASSWORD})")
    for role, email in LOGINS:
        click.echo(f"  {role:<16} {email}")
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
