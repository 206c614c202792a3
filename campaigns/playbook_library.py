"""Built-in playbooks and the pure logic that lays a plan out from a start date.

A plan step happens `day` days after the campaign starts; actions also have a
local start time and a duration. Times are wall-clock times in the chapter's
zone, so an 18:00 meeting stays at 18:00 across a daylight-saving change.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Step:
    title: str
    day: int
    detail: str = ""
    milestone: bool = False
    kind: str = "other"
    at: time | None = None  # local start time of an action
    minutes: int = 60


@dataclass(frozen=True)
class PlaybookPlan:
    slug: str
    title: str
    summary: str
    steps: tuple[Step, ...] = field(default_factory=tuple)
    source: str = "Built in"

    @property
    def duration_days(self) -> int:
        return max((s.day for s in self.steps), default=0)


@dataclass(frozen=True)
class PlannedMilestone:
    title: str
    criteria: str
    due_date: date


@dataclass(frozen=True)
class PlannedAction:
    title: str
    kind: str
    description: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC


def local_to_utc(day: date, at: time, tzname: str) -> datetime:
    """A wall-clock time on a day in a zone, as UTC (fold=0 picks the first of a repeated hour)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tzname)).astimezone(UTC)


def lay_out(
    plan: PlaybookPlan, start: date, tzname: str
) -> tuple[list[PlannedMilestone], list[PlannedAction]]:
    milestones, actions = [], []
    for step in plan.steps:
        day = start + timedelta(days=step.day)
        if step.milestone:
            milestones.append(PlannedMilestone(step.title, step.detail, day))
        else:
            begins = local_to_utc(day, step.at or time(18, 0), tzname)
            actions.append(
                PlannedAction(
                    step.title,
                    step.kind,
                    step.detail,
                    begins,
                    begins + timedelta(minutes=step.minutes),
                )
            )
    return milestones, actions


BUILT_IN = (
    PlaybookPlan(
        "meet-a-legislator",
        "Meeting a legislator",
        "Prepare an ask, meet your representative or their staff, and follow up until you "
        "have a commitment.",
        (
            Step(
                "Research the legislator and the bill",
                0,
                "Voting record, committee seats, staff contacts.",
                kind="training",
                at=time(18, 0),
                minutes=90,
            ),
            Step(
                "Ask agreed and one-pager written",
                10,
                "One clear ask and a one-page leave-behind.",
                milestone=True,
            ),
            Step(
                "Practice the meeting",
                14,
                "Role-play the meeting; each profession brings one story.",
                kind="training",
                at=time(18, 0),
                minutes=60,
            ),
            Step(
                "Meeting with the legislator",
                21,
                "Bring the one-pager; note every commitment.",
                kind="meeting",
                at=time(10, 0),
                minutes=45,
            ),
            Step(
                "Thank-you and follow-up sent",
                24,
                "Written follow-up restating the ask.",
                milestone=True,
            ),
            Step(
                "Commitment secured or next step agreed", 45, "Record the outcome.", milestone=True
            ),
        ),
    ),
    PlaybookPlan(
        "community-health-fair",
        "Community health fair",
        "Plan and run an interprofessional health fair with a community partner.",
        (
            Step(
                "Partner and venue confirmed",
                7,
                "Signed agreement with a community partner.",
                milestone=True,
            ),
            Step(
                "Planning meeting with the partner",
                10,
                "Stations, languages, referrals.",
                kind="coalition",
                at=time(17, 30),
                minutes=60,
            ),
            Step(
                "Volunteer training",
                35,
                "Screening protocols, privacy, referral pathways.",
                kind="training",
                at=time(18, 0),
                minutes=120,
            ),
            Step(
                "Faculty supervision and supplies ready",
                38,
                "Every station has a supervisor.",
                milestone=True,
            ),
            Step(
                "Health fair",
                42,
                "Run the fair; count people reached.",
                kind="health_fair",
                at=time(9, 0),
                minutes=360,
            ),
            Step("Debrief and report to the partner", 49, "", milestone=True),
        ),
    ),
    PlaybookPlan(
        "op-ed-and-media",
        "Op-ed and media",
        "Write and place an op-ed, then amplify it.",
        (
            Step(
                "Message and outlet chosen",
                5,
                "One message, one outlet, one deadline.",
                milestone=True,
            ),
            Step(
                "Writing session",
                7,
                "Draft together; each profession adds its angle.",
                kind="op_ed",
                at=time(18, 0),
                minutes=120,
            ),
            Step("Op-ed submitted", 14, "", milestone=True),
            Step(
                "Social media push",
                28,
                "Share the published piece.",
                kind="social_media",
                at=time(12, 0),
                minutes=60,
            ),
            Step("Piece published or resubmitted elsewhere", 35, "", milestone=True),
        ),
    ),
    PlaybookPlan(
        "curriculum-petition",
        "Curriculum reform petition",
        "Petition your school to add or change curriculum content.",
        (
            Step("Petition text agreed with the advisor", 7, "", milestone=True),
            Step(
                "Petition launch",
                10,
                "Launch online and at class meetings.",
                kind="petition",
                at=time(12, 0),
                minutes=60,
            ),
            Step("Signature target reached", 40, "", milestone=True),
            Step(
                "Meeting with the curriculum committee",
                45,
                "Present signatures and the ask.",
                kind="meeting",
                at=time(15, 0),
                minutes=60,
            ),
            Step("Committee response recorded", 60, "", milestone=True),
        ),
    ),
    PlaybookPlan(
        "free-clinic-drive",
        "Free-clinic volunteer drive",
        "Recruit and train volunteers for a student-run free clinic.",
        (
            Step(
                "Clinic needs agreed",
                5,
                "Shifts, professions and skills the clinic needs.",
                milestone=True,
            ),
            Step(
                "Recruitment event",
                12,
                "Info session across programs.",
                kind="community_event",
                at=time(12, 0),
                minutes=60,
            ),
            Step("Volunteer orientation", 21, "", kind="training", at=time(18, 0), minutes=120),
            Step("Every shift staffed for the term", 30, "", milestone=True),
        ),
    ),
)

BUILT_IN_BY_SLUG = {p.slug: p for p in BUILT_IN}
