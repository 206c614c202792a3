"""Shared by bench/load.py and bench/pages.py: the bench database and signing in by the form.

Only stable entry points of the app are used: create_app, the models, demo.load_demo and
HTTP. The large chapter is built from model rows directly, so it does not depend on where
the service functions live.
"""

import re
import sys
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accounts.models import User  # noqa: E402
from campaigns.models import (  # noqa: E402
    ACTION_KINDS,
    Action,
    ActionSignup,
    Campaign,
    LeadAssignment,
    Milestone,
    RotationPoolMember,
    Unavailability,
)
from chapters.models import (  # noqa: E402
    Chapter,
    Membership,
    VisionGoal,
    VisionResponse,
    VisionVersion,
)
from core.db import utcnow  # noqa: E402
from core.extensions import db  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/relay_bench"
# The demo's shared password (demo.DEMO_PASSWORD); the generated people use it too.
PASSWORD = "relay-demo-2026"  # noqa: S105 - bench data only
USER_AGENT = "relay-bench"

LARGE_SLUG = "lakeside"  # the large chapter; its presence marks a complete build
LARGE_LEADER = "lakeside.leader@relay.test"
LARGE_CAMPAIGN = "Safe routes to the free clinic"
DEMO_LEADER = "leader@relay.test"
DEMO_SLUG = "riverside"
DEMO_CAMPAIGN = "Extend free-clinic hours"

PROFESSIONS = [
    "Medicine",
    "Nursing",
    "Pharmacy",
    "Physician Assistant",
    "Social Work",
    "Public Health",
    "Dentistry",
    "Physical Therapy",
    "Occupational Therapy",
    "Nutrition",
]


# --- the database ---------------------------------------------------------------------------


def require_bench_database(url: str) -> None:
    """Refuse to wipe a database whose name does not say it is for benchmarks."""
    name = make_url(url).database or ""
    if "bench" not in name:
        raise SystemExit(f"Refusing to rebuild {name!r}: the database name must contain 'bench'.")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist yet."""
    u = make_url(url)
    engine = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    engine.dispose()


def wipe(url: str) -> None:
    """Drop every table (PostgreSQL: the public schema) so the build starts from nothing."""
    require_bench_database(url)
    if make_url(url).get_backend_name() == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def has_users() -> bool:
    if not inspect(db.engine).has_table("users"):
        return False
    return bool(db.session.scalar(select(func.count(User.id))))


def large_chapter_built() -> bool:
    if not inspect(db.engine).has_table("chapters"):
        return False
    return db.session.scalar(select(Chapter.id).where(Chapter.slug == LARGE_SLUG)) is not None


def load_demo_data() -> None:
    import demo

    if not demo.load_demo():
        raise SystemExit("The database already has users; use --rebuild to start over.")


def _user(email: str, name: str, profession: str, kind: str, password_hash: str) -> User:
    user = User(email=email, display_name=name, profession=profession, kind=kind)
    user.password_hash = password_hash
    db.session.add(user)
    return user


def _chapter(name: str, slug: str, region: str, status: str = "active") -> Chapter:
    chapter = Chapter(
        name=name,
        slug=slug,
        institution=f"{name} University",
        region=region,
        timezone="America/Chicago",
        status=status,
    )
    db.session.add(chapter)
    return chapter


def build_large_chapter(members: int = 200, actions: int = 300, other_chapters: int = 100) -> None:
    """A big chapter with an adopted vision, an open proposal half-endorsed, one campaign of
    `actions` actions (past ones done, most led, sign-ups, lead history) and `other_chapters`
    small chapters around it. Everything is committed at once, the chapter last-but-not-least:
    its slug is the marker of a complete build."""
    pw = generate_password_hash(PASSWORD)
    now = utcnow().replace(second=0, microsecond=0)
    today = now.date()
    chapter = _chapter("Lakeside Health Collective", LARGE_SLUG, "Great Lakes")

    leaders, students, advisors = 5, members - 7, 2
    people: list[tuple[User, str]] = []
    for i in range(members):
        if i < leaders:
            role, kind = "leader", "student"
        elif i < leaders + students:
            role, kind = "member", "student"
        else:
            role, kind = "advisor", "faculty"
        email = LARGE_LEADER if i == 0 else f"lakeside.{i}@relay.test"
        user = _user(email, f"Lakeside Person {i:03d}", PROFESSIONS[i % len(PROFESSIONS)], kind, pw)
        people.append((user, role))
    assert advisors == members - leaders - students
    db.session.flush()
    for i, (user, role) in enumerate(people):
        db.session.add(
            Membership(
                chapter=chapter,
                user=user,
                role=role,
                status="active",
                joined_at=now - timedelta(days=400 - i),
            )
        )
    leader = people[0][0]
    voters = [u for u, role in people if role != "advisor"]

    adopted = VisionVersion(
        chapter=chapter,
        number=1,
        statement="Every Lakeside neighbour reaches care they can afford, by routes that are safe.",
        status="adopted",
        proposed_by=leader,
        proposed_at=now - timedelta(days=300),
        adopted_at=now - timedelta(days=280),
    )
    adopted.goals = [
        VisionGoal(position=n, text=t)
        for n, t in enumerate(
            [
                "Safe walking and transit routes to the free clinic",
                "Evening clinic hours twice a week",
                "An interprofessional health fair each semester",
            ],
            start=1,
        )
    ]
    proposal = VisionVersion(
        chapter=chapter,
        number=2,
        statement="Lakeside's students stand together for care that is affordable and near.",
        status="proposed",
        proposed_by=leader,
        proposed_at=now - timedelta(days=10),
    )
    proposal.goals = [VisionGoal(position=1, text="A clinic within a mile of every school")]
    db.session.add_all([adopted, proposal])
    for n, user in enumerate(voters[: len(voters) // 2]):
        db.session.add(
            VisionResponse(
                vision=proposal,
                user=user,
                stance="object" if n % 10 == 9 else "endorse",
                comment="Needs a transport goal." if n % 10 == 9 else None,
            )
        )

    db.session.flush()
    campaign = Campaign(
        chapter=chapter,
        title=LARGE_CAMPAIGN,
        issue="Buses stop running before the clinic's evening hours.",
        target_community="Patients of the Lakeside free clinic",
        decision_maker="Regional transit board",
        goal=adopted.goals[0],
        objective="Two evening bus runs past the clinic, funded for a year.",
        start_date=today - timedelta(days=240),
        end_date=today + timedelta(days=90),
        status="active",
        created_by_id=leader.id,
    )
    db.session.add(campaign)
    db.session.flush()
    for n in range(10):
        db.session.add(
            Milestone(
                campaign=campaign,
                title=f"Milestone {n + 1}",
                criteria="Signed off by the advisor.",
                due_date=campaign.start_date + timedelta(days=33 * n),
                status="approved" if n < 6 else "open",
            )
        )
    for user in voters:
        db.session.add(RotationPoolMember(campaign_id=campaign.id, user_id=user.id))
    for n, user in enumerate(voters[5:25]):
        start = today + timedelta(days=n)
        db.session.add(
            Unavailability(
                user_id=user.id,
                start_date=start,
                end_date=start + timedelta(days=14),
                reason="Exams",
            )
        )

    kinds = list(ACTION_KINDS)
    span = (campaign.end_date - campaign.start_date).days
    for n in range(actions):
        day = campaign.start_date + timedelta(days=n * span // actions)
        starts = datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(
            hours=23 + n % 3  # 17:00-19:00 in Chicago, more or less
        )
        past = starts < now
        # Past actions all had a lead; ahead, one in five is still waiting for one.
        lead = voters[(n * 7) % len(voters)] if past or n % 5 else None
        action = Action(
            campaign=campaign,
            kind=kinds[n % len(kinds)],
            title=f"Action {n + 1}: {ACTION_KINDS[kinds[n % len(kinds)]]}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            location=f"Room {100 + n % 40}",
            description="Bring the flyers and the sign-in sheet.",
            status="done" if past else "planned",
            capacity=None if n % 4 else 12,
            lead=lead,
        )
        db.session.add(action)
        helpers = [voters[(n * 11 + k * 13) % len(voters)] for k in range(4 + n % 6)]
        for user in dict.fromkeys(u for u in helpers if u is not lead):
            db.session.add(
                ActionSignup(action=action, user=user, created_at=starts - timedelta(days=3))
            )
        if lead is not None:
            first = voters[(n * 7 + 1) % len(voters)] if n % 10 == 0 else lead
            db.session.add(
                LeadAssignment(
                    action=action,
                    user=first,
                    assigned_by=leader,
                    method="suggested",
                    suggested_user_id=first.id,
                    created_at=starts - timedelta(days=14),
                )
            )
            if first is not lead:  # every tenth: handed on to someone else
                db.session.add(
                    LeadAssignment(
                        action=action,
                        user=lead,
                        previous_user_id=first.id,
                        assigned_by=first,
                        method="handoff",
                        reason="Clinical shift that evening.",
                        created_at=starts - timedelta(days=5),
                    )
                )

    regions = ["Midwest", "Northeast", "South", "West", "Great Lakes"]
    statuses = ["active", "active", "developing", "affiliate"]
    for n in range(other_chapters):
        other = _chapter(
            f"Bench Chapter {n + 1:03d}",
            f"bench-{n + 1:03d}",
            regions[n % len(regions)],
            statuses[n % len(statuses)],
        )
        for k, role in enumerate(("leader", "member")):
            user = _user(
                f"bench{n + 1:03d}.{k}@relay.test",
                f"Bench Person {n + 1:03d}-{k}",
                PROFESSIONS[(n + k) % len(PROFESSIONS)],
                "student",
                pw,
            )
            db.session.add(Membership(chapter=other, user=user, role=role, status="active"))
    db.session.commit()


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load, as autovacuum would soon
    do on a real server: with none, it plans joins for one-row tables and loops."""
    if db.engine.dialect.name == "postgresql":
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def first_unled_action(campaign_title: str, slug: str) -> int:
    """The next planned action of that campaign still waiting for a lead (the page then
    computes the rotation's suggestion); else its next planned action."""
    base = (
        select(Action.id)
        .join(Campaign)
        .join(Chapter)
        .where(
            Chapter.slug == slug,
            Campaign.title == campaign_title,
            Action.status == "planned",
            Action.starts_at > utcnow(),
        )
        .order_by(Action.starts_at)
        .limit(1)
    )
    found = db.session.scalar(base.where(Action.lead_id.is_(None))) or db.session.scalar(base)
    if found is None:
        raise SystemExit(f"No planned action ahead in {campaign_title!r}.")
    return found


def campaign_id(campaign_title: str, slug: str) -> int:
    return db.session.scalar(
        select(Campaign.id)
        .join(Chapter)
        .where(Chapter.slug == slug, Campaign.title == campaign_title)
    )


# --- signing in through the form ------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
FEED_RE = re.compile(r"/calendar/chapter/[A-Za-z0-9_.\-]+\.ics")


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise RuntimeError("No csrf_token field in the login page.")
    return match.group(1) or match.group(2)


def feed_path(html: str) -> str | None:
    match = FEED_RE.search(html)
    return match.group(0) if match else None
