"""Demo data for `make run`: loaded once into an empty database, never in production."""

from datetime import time, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from accounts.models import User, UserKind
from accounts.services import create_user
from campaigns.models import (
    Action,
    ActionKind,
    ActionStatus,
    Campaign,
    CampaignStatus,
    LeadAssignment,
)
from campaigns.playbook_library import BUILT_IN_BY_SLUG
from campaigns.services.actions import save_action, sign_up
from campaigns.services.campaigns import change_campaign_status, create_campaign
from campaigns.services.leads import accept_swap, ask_swap, assign_lead, rotation_for
from campaigns.services.playbooks import publish_playbook
from campaigns.services.pool import add_unavailability, join_pool
from chapters.models import Chapter, ChapterStatus, Role, Stance, VisionVersion
from chapters.services import (
    accept_invitation,
    adopted_vision,
    create_chapter,
    invite,
    propose_vision,
    respond_to_vision,
)
from core.db import utcnow
from core.delivery import deliver_due
from core.extensions import db
from core.timefmt import local, to_utc
from demo_network import demo_password_hash, demo_plans, random_plans, write_network
from demo_outcomes import load_outcomes
from demo_signoff import load_signoffs

DEMO_PASSWORD = "relay-demo-2026"  # nosec B105 # noqa: S105 - printed on purpose; demo data only

STAFF = [
    (
        "staff@relay.test",
        "Nadia Okafor",
        "Public Health",
        "national staff",
        {"national_staff": True},
    ),
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
            "status": ChapterStatus.ACTIVE,
        },
        # email, name, profession, kind, role
        "people": [
            ("leader@relay.test", "Priya Raman", "Medicine", UserKind.STUDENT, Role.LEADER),
            ("jordan@relay.test", "Jordan Lee", "Social Work", UserKind.STUDENT, Role.LEADER),
            ("tomas@relay.test", "Tomás Silva", "Dentistry", UserKind.STUDENT, Role.LEADER),
            ("member@relay.test", "Diego Alvarez", "Nursing", UserKind.STUDENT, Role.MEMBER),
            (
                "amara@relay.test",
                "Amara Nwosu",
                "Physician Assistant",
                UserKind.STUDENT,
                Role.MEMBER,
            ),
            ("mei@relay.test", "Mei Tanaka", "Public Health", UserKind.STUDENT, Role.MEMBER),
            ("kwame@relay.test", "Kwame Mensah", "Pharmacy", UserKind.STUDENT, Role.MEMBER),
            ("advisor@relay.test", "Dr. Helen Cho", "Pharmacy", UserKind.FACULTY, Role.ADVISOR),
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
        "endorse": 5,  # of 7 students (5 needed): adopted, before the campaigns began
        "proposed_days_ago": 150,
        "pending_invites": [("newstudent@relay.test", Role.MEMBER)],
    },
    {
        "chapter": {
            "name": "Harbor City Interprofessional Chapter",
            "slug": "harbor-city",
            "institution": "Harbor City College of Health Sciences",
            "region": "Northeast",
            "timezone": "America/New_York",
            "status": ChapterStatus.DEVELOPING,
        },
        "people": [
            ("fatima@relay.test", "Fatima Haddad", "Nursing", UserKind.STUDENT, Role.LEADER),
            ("liam@relay.test", "Liam O'Connor", "Medicine", UserKind.STUDENT, Role.LEADER),
            ("sofia@relay.test", "Sofia Rossi", "Pharmacy", UserKind.STUDENT, Role.MEMBER),
            ("ethan@relay.test", "Ethan Brooks", "Social Work", UserKind.STUDENT, Role.MEMBER),
            ("grace@relay.test", "Grace Kim", "Public Health", UserKind.STUDENT, Role.MEMBER),
            ("noah@relay.test", "Noah Patel", "Physical Therapy", UserKind.STUDENT, Role.MEMBER),
            ("bell@relay.test", "Dr. Marcus Bell", "Nursing", UserKind.FACULTY, Role.ADVISOR),
        ],
        "vision": (
            "Harbor City's students stand together for safe housing as a health issue.",
            [
                "Testify at two city council hearings on housing code enforcement",
                "Partner with the tenants' union on a health screening day",
            ],
        ),
        "endorse": 3,  # of 6 students (4 needed): still open, half-endorsed
        "proposed_days_ago": 30,
        "pending_invites": [
            ("pa.student@relay.test", Role.MEMBER),
            ("dean@relay.test", Role.ADVISOR),
        ],
    },
]

LOGINS = [
    ("national staff", "staff@relay.test"),
    ("admin", "admin@relay.test"),
    ("student leader", "leader@relay.test"),
    ("member", "member@relay.test"),
    ("member", "mei@relay.test"),
    ("member", "kwame@relay.test"),
    ("faculty advisor", "advisor@relay.test"),
    ("leader (2nd)", "fatima@relay.test"),
]

# `flask demo ...`: a `flask.commands` entry point (pyproject.toml), not imported by the app.
demo_cli = AppGroup("demo", help="Demo data for trying Relay locally.")


def _load_chapter(spec: dict, staff: User) -> None:
    chapter = create_chapter(spec["chapter"], staff)
    joined = utcnow() - timedelta(days=200)
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
    students = [u for u, kind in people if kind == UserKind.STUDENT]
    advisor = next(u for u, kind in people if kind == UserKind.FACULTY)
    respond_to_vision(
        vision,
        advisor,
        Stance.COMMENT,
        "Strong and achievable. I can help with the hearings.",
        counts=False,
    )
    respond_to_vision(
        vision,
        students[-1],
        Stance.OBJECT,
        "I'd like a goal about reaching families who don't speak English.",
        counts=True,
    )
    for user in students[: spec["endorse"]]:
        respond_to_vision(vision, user, Stance.ENDORSE, None, counts=True)
    _date_the_responses(vision, spec["proposed_days_ago"])
    leader = people[0][0]
    for email, role in spec["pending_invites"]:
        invite(chapter, email, role, leader)


def _date_the_responses(vision: VisionVersion, days_ago: int) -> None:
    """Spread a proposal's responses over the days after it was proposed (the demo is
    loaded in one go), so the history and the adoption date read as they would have."""
    vision.proposed_at = utcnow() - timedelta(days=days_ago)
    for day, response in enumerate(vision.responses, start=1):
        response.created_at = response.updated_at = vision.proposed_at + timedelta(days=day)
    if vision.adopted_at is not None:
        vision.adopted_at = vision.responses[-1].updated_at


def _open_a_second_proposal(people: dict[str, User]) -> None:
    """Riverside discusses version 2, answering version 1's objection: something for a
    member (member@relay.test) to endorse or object to."""
    riverside = db.session.scalar(select(Chapter).where(Chapter.slug == "riverside"))
    current = adopted_vision(riverside)
    proposal = propose_vision(
        riverside,
        people["jordan@relay.test"],
        current.statement,
        [g.text for g in current.goals]
        + ["Translate every health-fair and clinic handout into the county's top five languages"],
    )
    respond_to_vision(proposal, people["jordan@relay.test"], Stance.ENDORSE, None, counts=True)
    respond_to_vision(proposal, people["kwame@relay.test"], Stance.ENDORSE, None, counts=True)
    _date_the_responses(proposal, 4)


def _date_the_leads(campaign) -> None:
    """A lead is chosen before the action it leads: the demo assigns past actions' leads
    at load time, so move those records to a few days before the action."""
    db.session.flush()
    start = to_utc(campaign.start_date, time(9, 0), campaign.chapter.timezone)
    late = db.session.execute(
        select(LeadAssignment, Action.starts_at)
        .join(Action, Action.id == LeadAssignment.action_id)
        .where(Action.campaign_id == campaign.id, LeadAssignment.created_at >= Action.starts_at)
    )
    for assignment, starts_at in late:
        when = max(start, starts_at - timedelta(days=7))
        assignment.created_at = when if when < starts_at else starts_at - timedelta(hours=2)


def _rotate_leads(campaign, leader: User) -> None:
    """Assign each planned action's lead the way a leader would: take the rotation's pick."""
    for action in sorted(campaign.actions, key=lambda a: a.starts_at):
        view = rotation_for(action)
        if view.suggestion is not None:
            assign_lead(action, view.suggestion.user_id, leader, None, action.version)


def _load_campaigns(staff: User) -> None:
    riverside = db.session.scalar(select(Chapter).where(Chapter.slug == "riverside"))
    harbor = db.session.scalar(select(Chapter).where(Chapter.slug == "harbor-city"))
    people = {u.email: u for u in db.session.scalars(select(User))}
    leader = people["leader@relay.test"]
    goals = adopted_vision(riverside).goals
    today = local(utcnow(), riverside.timezone).date()
    students = [
        people[e]
        for e in (
            "leader@relay.test",
            "jordan@relay.test",
            "tomas@relay.test",
            "member@relay.test",
            "amara@relay.test",
            "mei@relay.test",
            "kwame@relay.test",
        )
    ]

    # A finished fall health fair, published for other chapters.
    fair = create_campaign(
        riverside,
        {
            "title": "Fall community health fair",
            "issue": "Uninsured families skip screenings.",
            "target_community": "East Riverside families",
            "decision_maker": "County health department",
            "objective": "Screen 150 people and refer every uninsured family to the free clinic.",
            "goal_id": goals[2].id,
            "start_date": today - timedelta(days=100),
            "end_date": today - timedelta(days=50),
        },
        leader,
        BUILT_IN_BY_SLUG["community-health-fair"],
    )
    for user in students:
        join_pool(fair, user, leader)
    _rotate_leads(fair, leader)
    _date_the_leads(fair)
    for action in fair.actions:
        action.status = ActionStatus.DONE
    change_campaign_status(fair, CampaignStatus.ACTIVE, leader)
    change_campaign_status(fair, CampaignStatus.COMPLETED, leader)
    publish_playbook(
        fair,
        "A one-day fair run with a community partner; six stations, interpreters at each.",
        leader,
    )

    # The current legislator campaign, half-way through its plan.
    add_unavailability(people["amara@relay.test"], today, today + timedelta(days=14), "Exams")
    add_unavailability(
        people["tomas@relay.test"],
        today + timedelta(days=2),
        today + timedelta(days=30),
        "Clinical placement",
    )
    meet = create_campaign(
        riverside,
        {
            "title": "Extend free-clinic hours",
            "issue": "The county free clinic closes at 5 pm.",
            "target_community": "Working adults without insurance",
            "decision_maker": "County Commissioner Dana Ortiz",
            "objective": "A written county commitment to evening hours two nights a week.",
            "goal_id": goals[0].id,
            "start_date": today - timedelta(days=16),
            "end_date": today + timedelta(days=40),
        },
        leader,
        BUILT_IN_BY_SLUG["meet-a-legislator"],
    )
    for user in students:
        join_pool(meet, user, leader)
    change_campaign_status(meet, CampaignStatus.ACTIVE, leader)
    _rotate_leads(meet, leader)
    _date_the_leads(meet)
    for action in meet.actions:
        if action.starts_at < utcnow():
            action.status = ActionStatus.DONE
        else:
            for user in students[:4]:
                if user.id != action.lead_id:
                    sign_up(action, user)
    upcoming = [a for a in meet.actions if a.status == ActionStatus.PLANNED]
    if upcoming:
        swap = ask_swap(upcoming[0], upcoming[0].lead, "I have a shift that morning.")
        taker = next(
            u for u in students if u.id not in (upcoming[0].lead_id, people["amara@relay.test"].id)
        )
        accept_swap(swap, taker)

    # Two more actions ahead: one led in turn, one still waiting for a lead, so the
    # leader sees the rotation's suggestion.
    for days, kind, title, at, location in (
        (
            9,
            ActionKind.COALITION,
            "Coalition call with the tenants' union",
            time(17, 30),
            "Video call",
        ),
        (12, ActionKind.SOCIAL_MEDIA, "Social media push before the vote", time(12, 0), "Online"),
    ):
        start = to_utc(today + timedelta(days=days), at, riverside.timezone)
        action = save_action(
            meet,
            None,
            {
                "kind": kind,
                "title": title,
                "starts_at": start,
                "ends_at": start + timedelta(hours=1),
                "location": location,
                "description": "",
                "capacity": None,
            },
            leader,
        )
        if days == 9:
            assign_lead(
                action, rotation_for(action).suggestion.user_id, leader, None, action.version
            )

    # Harbor City has no adopted vision yet: a draft, and a playbook plan to try.
    create_campaign(
        harbor,
        {
            "title": "Housing code testimony",
            "issue": "Mould and lead in rental housing.",
            "target_community": "Tenants in the harbour district",
            "decision_maker": "City council",
            "objective": "",
            "goal_id": None,
            "start_date": today + timedelta(days=7),
            "end_date": today + timedelta(days=60),
        },
        people["fatima@relay.test"],
        None,
    )


def load_demo() -> bool:
    """Create the demo records in an empty database; return False if it already has users."""
    if db.session.scalar(select(func.count(User.id))):
        return False
    staff_users = [
        create_user(email, name, DEMO_PASSWORD, profession, UserKind.FACULTY, **flags)
        for email, name, profession, _role, flags in STAFF
    ]
    for spec in CHAPTERS:
        _load_chapter(spec, staff_users[0])
    _load_campaigns(staff_users[0])
    leader = db.session.scalar(select(User).where(User.email == "leader@relay.test"))
    load_outcomes(list(db.session.scalars(select(Campaign).order_by(Campaign.id))), leader)
    advisor = db.session.scalar(select(User).where(User.email == "advisor@relay.test"))
    fair, current = (
        db.session.scalar(select(Campaign).where(Campaign.title == title))
        for title in ("Fall community health fair", "Extend free-clinic hours")
    )
    load_signoffs(fair, current, leader, advisor)
    _open_a_second_proposal({u.email: u for u in db.session.scalars(select(User))})
    db.session.commit()
    # Seven more chapters with three years of history, so the comparison has something to
    # compare (written in bulk: the services above would take minutes for this much).
    write_network(demo_plans(), utcnow(), demo_password_hash(DEMO_PASSWORD))
    # Every email the demo queued lands in the mail folder, ready to open: `make run` has
    # no worker to send what a single batch would leave.
    deliver_due()
    return True


def print_logins() -> None:
    click.echo(f"\nRelay demo logins (password for all: {DEMO_PASSWORD})")
    for role, email in LOGINS:
        click.echo(f"  {role:<16} {email}")
    click.echo("Open http://127.0.0.1:5000 and sign in with one of them.\n")


def _ensure_staff() -> None:
    """A generated network needs someone to look at it: the demo's staff and admin."""
    for email, name, profession, _role, flags in STAFF:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            create_user(email, name, DEMO_PASSWORD, profession, UserKind.FACULTY, **flags)
    db.session.commit()


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


@demo_cli.command("logins")
def logins_command() -> None:
    """Print the demo logins (`make run` prints them last, after the start-up mail)."""
    print_logins()


@demo_cli.command("generate")
@click.option("--chapters", "count", type=click.IntRange(1, 20_000), default=100, show_default=True)
@click.option(
    "--seed", type=int, default=13, show_default=True, help="The same seed, the same network."
)
def generate_command(count: int, seed: int) -> None:
    """Add N chapters with three academic years of history (about 20 members, 10 campaigns
    and 200 actions each), written in bulk: for trying the dashboard at scale."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is never generated in production.")
    _ensure_staff()
    first = 1 + (
        db.session.scalar(select(func.count(Chapter.id)).where(Chapter.slug.like("gen-%"))) or 0
    )
    plans = random_plans(count, current_app.config["PROFESSIONS"], seed, first)
    password_hash = demo_password_hash(DEMO_PASSWORD)
    with click.progressbar(length=count, label=f"Writing {count} chapters") as bar:
        write_network(plans, utcnow(), password_hash, bar.update, seed)
    click.echo(f"{count} chapters generated (slugs gen-{first:04} to gen-{first + count - 1:04}).")
    click.echo(f"National staff: staff@relay.test, password {DEMO_PASSWORD}")
