"""A network of chapters with three academic years of history, written with bulk inserts:
`flask demo generate --chapters N` (benchmarks, trying the dashboard at scale) and the
demo's extra chapters (so `make run` has enough chapters to compare).

Each chapter follows a plan (size, professions, region, how active, whether it went
quiet, fell off, or has sign-offs waiting). Rows are built in Python with their ids
assigned here and written table by table with Core `insert()` executemany, a chunk of
chapters at a time: no ORM objects, no RETURNING, no round trip per row. No audit events
are written: this is seeded history, not anyone's action.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Table, func, insert, select, text
from werkzeug.security import generate_password_hash

from accounts.models import User, UserKind
from campaigns.models import (
    Action,
    ActionKind,
    ActionSignup,
    ActionStatus,
    Campaign,
    CampaignStatus,
    LeadAssignment,
    LeadMethod,
    Milestone,
    MilestoneStatus,
    RotationPoolMember,
)
from campaigns.outcome_models import Outcome, OutcomeDomain
from campaigns.signoff_models import (
    DecisionKind,
    MilestoneDecision,
    MilestoneSubmission,
    SubmissionKind,
    SubmissionStatus,
)
from chapters.models import (
    Chapter,
    ChapterStatus,
    Membership,
    MembershipStatus,
    Role,
    Stance,
    VisionGoal,
    VisionResponse,
    VisionStatus,
    VisionVersion,
)
from core.extensions import db
from core.timefmt import academic_year_start
from national import summary

REGIONS = (
    ("Midwest", "America/Chicago"),
    ("Northeast", "America/New_York"),
    ("South", "America/New_York"),
    ("Southwest", "America/Phoenix"),
    ("Mountain", "America/Denver"),
    ("West", "America/Los_Angeles"),
)
FIRST = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Gina",
    "Hugo",
    "Iris",
    "Jamal",
    "Kira",
    "Luis",
    "Maya",
    "Nils",
    "Omar",
    "Paula",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Xavi",
    "Yara",
    "Zane",
    "Aisha",
    "Bruno",
    "Carmen",
    "Dmitri",
    "Esme",
    "Felix",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Marco",
    "Nora",
    "Owen",
]
LAST = [
    "Abbott",
    "Baptiste",
    "Castro",
    "Diallo",
    "Evans",
    "Fischer",
    "Garcia",
    "Huang",
    "Ibrahim",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Murphy",
    "Nguyen",
    "Okoro",
    "Petrov",
    "Quispe",
    "Reyes",
    "Singh",
    "Torres",
    "Ueda",
    "Varga",
    "Walsh",
    "Yilmaz",
    "Zhou",
    "Adeyemi",
    "Bianchi",
    "Costa",
    "Dubois",
    "Eriksen",
]
KINDS = (
    ActionKind.MEETING,
    ActionKind.TESTIMONY,
    ActionKind.PETITION,
    ActionKind.COMMUNITY_EVENT,
    ActionKind.HEALTH_FAIR,
    ActionKind.COALITION,
    ActionKind.SOCIAL_MEDIA,
    ActionKind.TRAINING,
)
ISSUES = (
    "Free-clinic hours",
    "Safe housing",
    "Medicaid enrolment",
    "Naloxone access",
    "Clean air near schools",
    "Language access",
    "Food security",
    "Heat safety",
    "Vaccine outreach",
    "Mental health in schools",
)
CHUNK = 20  # chapters written per transaction


@dataclass(frozen=True)
class ChapterPlan:
    name: str
    slug: str
    institution: str
    region: str
    timezone: str
    status: str
    students: int  # besides one faculty advisor
    leaders: int  # of the students
    professions: tuple[str, ...]
    actions: int  # over the three years (about; a falling chapter has fewer this year)
    campaigns: int = 10
    lead_skew: float = 0.2  # 0: leads strictly in turn; 1: the first two lead everything
    quiet_days: int = 0  # nothing recorded in the last this-many days
    falling: bool = False  # this academic year well below the last
    overdue: int = 0  # milestone submissions waiting past the sign-off limit
    vision: bool = True  # an adopted vision (else one still proposed)


def demo_plans() -> list[ChapterPlan]:
    """The demo's chapters besides Riverside and Harbor City: sizes from 4 to 22 students,
    one to seven professions, every region, and one of each flag the dashboard raises."""
    return [
        ChapterPlan(
            "Great Lakes Interprofessional Health",
            "great-lakes",
            "Great Lakes College of Health",
            "Midwest",
            "America/Chicago",
            ChapterStatus.ACTIVE,
            16,
            3,
            ("Medicine", "Nursing", "Pharmacy", "Social Work", "Public Health", "Nutrition"),
            220,
            lead_skew=0.05,
        ),
        ChapterPlan(
            "Desert Bloom Health Advocates",
            "desert-bloom",
            "Sonoran College of Medicine",
            "Southwest",
            "America/Phoenix",
            ChapterStatus.ACTIVE,
            22,
            4,
            ("Medicine", "Nursing", "Physician Assistant", "Public Health", "Dentistry"),
            260,
            lead_skew=0.2,
            overdue=2,
        ),
        ChapterPlan(
            "Pinecrest Student Health Coalition",
            "pinecrest",
            "Pinecrest Health Sciences",
            "Mountain",
            "America/Denver",
            ChapterStatus.DEVELOPING,
            9,
            2,
            ("Nursing", "Physical Therapy", "Occupational Therapy"),
            90,
            quiet_days=45,
        ),
        ChapterPlan(
            "Bayview Nursing and Pharmacy Alliance",
            "bayview",
            "Bayview University",
            "West",
            "America/Los_Angeles",
            ChapterStatus.ACTIVE,
            12,
            3,
            ("Nursing", "Pharmacy"),
            180,
            falling=True,
        ),
        ChapterPlan(
            "Magnolia Health Equity Chapter",
            "magnolia",
            "Magnolia School of Public Health",
            "South",
            "America/New_York",
            ChapterStatus.AFFILIATE,
            4,
            1,
            ("Public Health", "Social Work", "Medicine", "Nutrition"),
            40,
            lead_skew=0.7,
            vision=False,
        ),
        ChapterPlan(
            "Capitol Advocacy Collective",
            "capitol",
            "Capitol Medical University",
            "Northeast",
            "America/New_York",
            ChapterStatus.ACTIVE,
            18,
            5,
            (
                "Medicine",
                "Nursing",
                "Pharmacy",
                "Social Work",
                "Public Health",
                "Dentistry",
                "Physician Assistant",
            ),
            240,
            lead_skew=0.6,
            overdue=1,
        ),
        ChapterPlan(
            "Prairie Rural Health Chapter",
            "prairie",
            "Prairie Agricultural and Medical College",
            "Midwest",
            "America/Chicago",
            ChapterStatus.ACTIVE,
            7,
            3,
            ("Medicine", "Nursing", "Pharmacy", "Physical Therapy"),
            70,
            falling=True,
            quiet_days=35,
        ),
    ]


def random_plans(
    n: int, professions: list[str], seed: int = 13, first: int = 1
) -> list[ChapterPlan]:
    """N chapters like a real network's: mostly about 20 members, some small, some quiet."""
    rng = random.Random(seed)  # nosec B311 # seeded, so the demo network is the same each time
    plans = []
    for i in range(first, first + n):
        region, zone = REGIONS[rng.randrange(len(REGIONS))]
        students = max(4, min(40, int(rng.gauss(19, 5))))
        spread = rng.choice((2, 3, 4, 5, 6, 7))
        plans.append(
            ChapterPlan(
                name=f"Chapter {i:04} {rng.choice(LAST)} Health",
                slug=f"gen-{i:04}",
                institution=f"{rng.choice(LAST)} University of Health Sciences",
                region=region,
                timezone=zone,
                status=rng.choice(
                    (ChapterStatus.ACTIVE,) * 6
                    + (ChapterStatus.DEVELOPING, ChapterStatus.AFFILIATE)
                ),
                students=students,
                leaders=rng.choice((1, 2, 3, 3, 3, 4, 5)),
                professions=tuple(rng.sample(professions, min(spread, len(professions)))),
                actions=max(20, int(rng.gauss(200, 40))),
                lead_skew=rng.random() * 0.8,
                quiet_days=rng.choice((0,) * 9 + (45,)),
                falling=rng.random() < 0.1,
                overdue=rng.choice((0,) * 7 + (1, 2)),
                vision=rng.random() < 0.85,
            )
        )
    return plans


# --- writing ----------------------------------------------------------------------------------

# Parents before children: each chunk is written in this order.
TABLES: tuple[Table, ...] = tuple(
    model.__table__
    for model in (
        User,
        Chapter,
        Membership,
        VisionVersion,
        VisionGoal,
        VisionResponse,
        Campaign,
        RotationPoolMember,
        Milestone,
        Action,
        ActionSignup,
        LeadAssignment,
        Outcome,
        OutcomeDomain,
        MilestoneSubmission,
        MilestoneDecision,
    )
)


class Rows:
    """Rows waiting to be written, per table, with the next id of each table."""

    def __init__(self) -> None:
        self.pending: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
        self.next_id: dict[str, int] = {}
        for table in TABLES:
            if "id" in table.c:
                top = db.session.scalar(select(func.max(table.c.id)))
                self.next_id[table.name] = (top or 0) + 1

    def add(self, table: str, **row: Any) -> int:
        if table in self.next_id:
            row["id"] = self.next_id[table]
            self.next_id[table] += 1
        self.pending[table].append(row)
        return row.get("id", 0)

    def write(self) -> None:
        for table in TABLES:
            rows = self.pending[table.name]
            if rows:
                db.session.execute(insert(table), rows)
            self.pending[table.name] = []


def _reset_sequences() -> None:
    """PostgreSQL: ids were given explicitly, so move each sequence past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in TABLES:
        if "id" in table.c:
            after = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
            sequence = func.pg_get_serial_sequence(table.name, "id")
            db.session.execute(select(func.setval(sequence, after, False)))


def write_network(
    plans: list[ChapterPlan],
    now: datetime,
    password_hash: str,
    advance: Callable[[int], None] = lambda n: None,
    seed: int = 7,
) -> None:
    """Write the planned chapters, CHUNK at a time (one commit each); `advance(n)` after each
    chunk moves a progress bar."""
    rng = random.Random(seed)  # nosec B311 # seeded, so the demo network is the same each time
    rows = Rows()
    config = current_app.config
    context = _Shared(
        now=now,
        first_day=academic_year_start(now.date(), config["ACADEMIC_YEAR_START_MONTH"]).replace(
            year=academic_year_start(now.date(), config["ACADEMIC_YEAR_START_MONTH"]).year - 2
        ),
        this_year=academic_year_start(now.date(), config["ACADEMIC_YEAR_START_MONTH"]),
        domains=tuple(config["LEADERSHIP_DOMAINS"]),
        password_hash=password_hash,
        overdue_days=config["SIGNOFF_OVERDUE_DAYS"],
    )
    for start in range(0, len(plans), CHUNK):
        chunk = plans[start : start + CHUNK]
        written = db.session.scalar(select(func.max(Chapter.id))) or 0
        for plan in chunk:
            _chapter(rows, plan, context, rng)
        rows.write()
        _reset_sequences()
        # Bulk inserts pass the summary's hooks by: summarise the new chapters here.
        summary.refresh(
            db.session,
            db.session.scalars(select(Chapter.id).where(Chapter.id > written)),
            lock=False,
        )
        db.session.commit()
        advance(len(chunk))
    if db.engine.dialect.name == "postgresql":
        # Fresh planner statistics: with none, PostgreSQL plans the new tables as tiny.
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def demo_password_hash(password: str) -> str:
    return generate_password_hash(password)


# --- one chapter ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shared:
    now: datetime
    first_day: date  # the first day of the academic year two years back
    this_year: date
    domains: tuple[str, ...]
    password_hash: str
    overdue_days: int


def _at(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _chapter(rows: Rows, plan: ChapterPlan, ctx: _Shared, rng: random.Random) -> None:
    began = _at(ctx.first_day) - timedelta(days=30)
    chapter_id = rows.add(
        "chapters",
        name=plan.name,
        slug=plan.slug,
        institution=plan.institution,
        region=plan.region,
        timezone=plan.timezone,
        status=plan.status,
        created_at=began,
    )
    students = [_person(rows, plan, i, ctx, rng, began, chapter_id) for i in range(plan.students)]
    advisor = _person(rows, plan, plan.students, ctx, rng, began, chapter_id)
    leader = students[0]
    # Activity stops `quiet_days` ago (and an outcome is logged a day after its action).
    until = ctx.now - timedelta(days=plan.quiet_days, hours=30)
    _vision(rows, plan, chapter_id, leader, students, began, rng)

    span_days = (ctx.now.date() - ctx.first_day).days + 40
    length = span_days // plan.campaigns
    per_campaign = max(1, plan.actions // plan.campaigns)
    turn = 0
    for k in range(plan.campaigns):
        first = ctx.first_day + timedelta(days=k * length)
        last = first + timedelta(days=length - 1)
        current = last >= ctx.now.date()
        campaign_id = rows.add(
            "campaigns",
            chapter_id=chapter_id,
            title=f"{ISSUES[k % len(ISSUES)]} {first.year}",
            issue=f"{ISSUES[k % len(ISSUES)]} in the community the chapter serves.",
            target_community="Neighbours of the teaching hospital",
            decision_maker="County board of health",
            goal_id=None,
            objective="A written commitment from the decision-maker.",
            start_date=first,
            end_date=last,
            status=CampaignStatus.ACTIVE if current else CampaignStatus.COMPLETED,
            playbook_slug=None,
            created_by_id=leader,
            created_at=_at(first) - timedelta(days=7),
        )
        for user_id in students:
            rows.add(
                "rotation_pool_members",
                campaign_id=campaign_id,
                user_id=user_id,
                added_at=_at(first) - timedelta(days=7),
            )
        for j in range(per_campaign):
            day = first + timedelta(days=(j * length) // per_campaign)
            starts = _at(day, 16 + j % 4)
            if starts >= until and starts < ctx.now:
                continue  # the quiet stretch
            if plan.falling and day >= ctx.this_year and rng.random() < 0.65:
                continue
            if rng.random() < plan.lead_skew:
                lead = students[rng.randrange(min(2, len(students)))]
            else:
                lead = students[turn % len(students)]
                turn += 1
            _action(rows, plan, ctx, rng, campaign_id, chapter_id, starts, lead, leader, students)
        _milestones(rows, plan, ctx, rng, campaign_id, first, last, until, leader, advisor)


def _person(rows, plan, i, ctx, rng, began, chapter_id) -> int:
    first, last = FIRST[(i * 7 + len(plan.slug)) % len(FIRST)], rng.choice(LAST)
    is_advisor = i == plan.students
    user_id = rows.add(
        "users",
        email=f"{first.lower()}.{last.lower()}.{i}@{plan.slug}.relay.test",
        display_name=f"Dr. {first} {last}" if is_advisor else f"{first} {last}",
        profession=plan.professions[i % len(plan.professions)],
        kind=UserKind.FACULTY if is_advisor else UserKind.STUDENT,
        password_hash=ctx.password_hash,
        active=True,
        is_national_staff=False,
        is_admin=False,
        created_at=began,
        last_login_at=None,
    )
    role = Role.ADVISOR if is_advisor else Role.LEADER if i < plan.leaders else Role.MEMBER
    rows.add(
        "memberships",
        chapter_id=chapter_id,
        user_id=user_id,
        role=role,
        status=MembershipStatus.ACTIVE,
        joined_at=began + timedelta(days=rng.randrange(0, 400) if i >= plan.leaders else i),
        left_at=None,
    )
    return user_id


def _vision(rows, plan, chapter_id, leader, students, began, rng) -> None:
    proposed = began + timedelta(days=20)
    adopted = proposed + timedelta(days=12) if plan.vision else None
    vision_id = rows.add(
        "vision_versions",
        chapter_id=chapter_id,
        number=1,
        statement=f"{plan.name} works for health that every neighbour can reach.",
        status=VisionStatus.ADOPTED if plan.vision else VisionStatus.PROPOSED,
        proposed_by_id=leader,
        proposed_at=proposed,
        adopted_at=adopted,
        closed_at=None,
    )
    for position, goal in enumerate(("Win one written commitment a year", "Train every member")):
        rows.add("vision_goals", vision_id=vision_id, position=position, text=goal)
    endorsing = students if plan.vision else students[: len(students) // 3]
    for n, user_id in enumerate(endorsing):
        at = proposed + timedelta(hours=6 * (n + 1))
        rows.add(
            "vision_responses",
            vision_id=vision_id,
            user_id=user_id,
            stance=Stance.ENDORSE,
            comment=None,
            created_at=at,
            updated_at=at,
        )


def _action(rows, plan, ctx, rng, campaign_id, chapter_id, starts, lead, leader, students):
    kind = KINDS[rng.randrange(len(KINDS))]
    past = starts < ctx.now
    status = ActionStatus.PLANNED
    if past:
        status = ActionStatus.CANCELLED if rng.random() < 0.06 else ActionStatus.DONE
    ends = starts + timedelta(hours=2)
    action_id = rows.add(
        "actions",
        campaign_id=campaign_id,
        kind=kind,
        title=f"{kind.replace('_', ' ').capitalize()} #{rows.next_id['actions']}",
        starts_at=starts,
        ends_at=ends,
        location="Campus",
        description="",
        status=status,
        capacity=None,
        lead_id=lead,
        handoff_note=None,
        version=1,
        created_at=starts - timedelta(days=14),
        updated_at=ends if past else starts - timedelta(days=14),
    )
    rows.add(
        "lead_assignments",
        action_id=action_id,
        user_id=lead,
        previous_user_id=None,
        assigned_by_id=leader,
        method=LeadMethod.SUGGESTED,
        reason=None,
        suggested_user_id=lead,
        created_at=starts - timedelta(days=7),
    )
    others = [u for u in students if u != lead]
    for user_id in rng.sample(others, min(len(others), rng.randint(2, 5))):
        rows.add(
            "action_signups",
            action_id=action_id,
            user_id=user_id,
            created_at=starts - timedelta(days=rng.randint(1, 10)),
        )
    if status != ActionStatus.DONE or rng.random() < 0.2:
        return
    logged = ends + timedelta(days=1)
    outcome_id = rows.add(
        "outcomes",
        action_id=action_id,
        chapter_id=chapter_id,
        attendance=rng.randint(3, 30),
        people_reached=rng.randint(5, 150) if kind != ActionKind.MEETING else rng.randint(1, 4),
        commitments=rng.choice((0, 0, 0, 1, 2)),
        media_pieces=rng.choice((0, 0, 1)),
        signatures=rng.randint(40, 400) if kind == ActionKind.PETITION else None,
        narrative="What happened, in a few lines.",
        reflection="What we learned about leading together.",
        created_by_id=lead,
        created_at=logged,
        updated_at=logged,
        version=1,
    )
    for domain in rng.sample(ctx.domains, min(len(ctx.domains), rng.randint(1, 2))):
        rows.add("outcome_domains", outcome_id=outcome_id, domain=domain)


def _milestones(rows, plan, ctx, rng, campaign_id, first, last, until, leader, advisor) -> None:
    length = (last - first).days
    waiting = plan.overdue if last >= ctx.now.date() else 0
    for n in range(3):
        due = first + timedelta(days=(n + 1) * length // 3)
        submitted = _at(due) - timedelta(days=2)
        if waiting:
            # Waiting past the limit (before the chapter went quiet, if it did).
            submitted = min(until, ctx.now - timedelta(days=ctx.overdue_days + 3 + n))
            waiting -= 1
            decided = None
        elif submitted >= until:
            _milestone(rows, campaign_id, n, due, MilestoneStatus.OPEN, submitted)
            continue
        else:
            decided = submitted + timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 20))
            if decided >= until:
                decided = submitted + (until - submitted) / 2
        status = MilestoneStatus.SUBMITTED if decided is None else MilestoneStatus.APPROVED
        milestone_id = _milestone(rows, campaign_id, n, due, status, decided or submitted)
        if decided is not None and rng.random() < 0.15:
            # Returned once with a comment, then approved on the second try.
            returned = submitted + (decided - submitted) / 3
            sub = _submission(rows, milestone_id, SubmissionStatus.RETURNED, leader, submitted)
            _decision(rows, milestone_id, sub, advisor, DecisionKind.RETURNED, returned)
            submitted = returned + (decided - returned) / 2
        final = SubmissionStatus.SUBMITTED if decided is None else SubmissionStatus.APPROVED
        sub = _submission(rows, milestone_id, final, leader, submitted)
        if decided is not None:
            _decision(rows, milestone_id, sub, advisor, DecisionKind.APPROVED, decided)


def _milestone(rows, campaign_id, n, due, status, changed) -> int:
    return rows.add(
        "milestones",
        campaign_id=campaign_id,
        title=("Coalition formed", "Decision-maker met", "Commitment in writing")[n],
        criteria="Evidence attached to the submission.",
        due_date=due,
        status=status,
        version=1,
        updated_at=changed,
    )


def _submission(rows, milestone_id, status, leader, at) -> int:
    return rows.add(
        "milestone_submissions",
        milestone_id=milestone_id,
        kind=SubmissionKind.MILESTONE,
        text="What we did and the evidence for it.",
        status=status,
        submitted_by_id=leader,
        submitted_at=at,
        withdrawn_at=None,
        version=1,
    )


def _decision(rows, milestone_id, submission_id, advisor, decision, at) -> None:
    rows.add(
        "milestone_decisions",
        milestone_id=milestone_id,
        submission_id=submission_id,
        advisor_id=advisor,
        decision=decision,
        comment="Add the sign-in sheet." if decision == DecisionKind.RETURNED else "",
        decided_at=at,
    )
