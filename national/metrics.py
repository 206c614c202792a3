"""Every metric of the national comparison, defined once: what it is called, what it means
in plain words, its unit, whether it can be shown per active member and which way is
better. The SQL that computes it (for many chapters at once) is in national/queries.py,
under the source named here, as a column labelled with the metric's key.

The dashboard, the chapter report, the charts and the exports all read this list.
"""

from dataclasses import dataclass
from enum import StrEnum


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


class Kind(StrEnum):
    COUNT = "count"  # a whole number, summed across the network
    NUMBER = "number"  # a measure (days, a mean), never summed
    SHARE = "share"  # 0..1, shown as a percentage
    INDEX = "index"  # 0..1, shown with two decimals
    YES_NO = "yes_no"  # 1 or 0
    DATE = "date"  # a moment
    BREAKDOWN = "breakdown"  # a mapping (profession -> members); not sortable


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    description: str
    unit: str
    kind: Kind
    better: Better
    source: str  # the query in national/queries.py that computes it
    per_member: bool = False  # may be divided by active members for a fair comparison

    @property
    def sortable(self) -> bool:
        return self.kind != Kind.BREAKDOWN

    @property
    def summable(self) -> bool:
        """Added up across chapters for the network total (a yes/no counts the yeses)."""
        return self.kind in (Kind.COUNT, Kind.YES_NO)


_IN_PERIOD = "that started within the period"

METRICS: tuple[Metric, ...] = (
    Metric(
        "active_members",
        "Active members",
        "Students and student leaders on the roster at the end of the period (or today, "
        "for a period not yet over). Faculty advisors are not counted. Every "
        "per-member figure divides by this number.",
        "members",
        Kind.COUNT,
        Better.NEITHER,
        "roster",
    ),
    Metric(
        "members_by_profession",
        "Members by profession",
        "The active members counted by their profession.",
        "members",
        Kind.BREAKDOWN,
        Better.NEITHER,
        "roster",
    ),
    Metric(
        "professions",
        "Professions",
        "How many different professions the active members come from. Two or more make "
        "the chapter interprofessional.",
        "professions",
        Kind.NUMBER,
        Better.HIGHER,
        "roster",
    ),
    Metric(
        "vision_adopted",
        "Vision adopted",
        "Whether the chapter had adopted a common vision by the end of the period.",
        "yes/no",
        Kind.YES_NO,
        Better.HIGHER,
        "vision",
    ),
    Metric(
        "days_since_vision",
        "Days since vision adopted",
        "Days from the adoption of the chapter's latest vision to the end of the period "
        "(or today). Blank when no vision was adopted.",
        "days",
        Kind.NUMBER,
        Better.NEITHER,
        "vision",
    ),
    Metric(
        "active_campaigns",
        "Active campaigns",
        "Campaigns that were active or completed and whose dates overlap the period "
        "(drafts and archived campaigns are not counted).",
        "campaigns",
        Kind.COUNT,
        Better.HIGHER,
        "campaigns",
        per_member=True,
    ),
    Metric(
        "actions_done",
        "Actions done",
        f"Actions marked done {_IN_PERIOD}.",
        "actions",
        Kind.COUNT,
        Better.HIGHER,
        "actions",
        per_member=True,
    ),
    Metric(
        "people_reached",
        "People reached",
        f"The people reached, added up over the outcomes logged for actions {_IN_PERIOD}.",
        "people",
        Kind.COUNT,
        Better.HIGHER,
        "outcomes",
        per_member=True,
    ),
    Metric(
        "commitments",
        "Commitments secured",
        "Commitments secured from decision-makers, added up over the outcomes logged for "
        f"actions {_IN_PERIOD}.",
        "commitments",
        Kind.COUNT,
        Better.HIGHER,
        "outcomes",
        per_member=True,
    ),
    Metric(
        "signatures",
        "Signatures",
        f"Signatures gathered, added up over the outcomes logged for actions {_IN_PERIOD}.",
        "signatures",
        Kind.COUNT,
        Better.HIGHER,
        "outcomes",
        per_member=True,
    ),
    Metric(
        "outcomes_logged",
        "Outcomes logged",
        f"Actions {_IN_PERIOD} whose outcome has been logged.",
        "outcomes",
        Kind.COUNT,
        Better.HIGHER,
        "outcomes",
        per_member=True,
    ),
    Metric(
        "milestones_approved",
        "Milestones approved",
        "Milestones a faculty advisor approved within the period and that stand approved "
        "(a milestone reopened since is not counted).",
        "milestones",
        Kind.COUNT,
        Better.HIGHER,
        "milestones_approved",
        per_member=True,
    ),
    Metric(
        "median_days_to_decision",
        "Median days to sign-off",
        "For the advisors' decisions (approve or return) made within the period: the median "
        "number of days between the submission and the decision. Blank when there were none.",
        "days",
        Kind.NUMBER,
        Better.LOWER,
        "decision_days",
    ),
    Metric(
        "overdue_signoffs",
        "Overdue sign-offs",
        "Submissions waiting today for an advisor's decision for longer than the overdue "
        "limit (SIGNOFF_OVERDUE_DAYS, counted in whole days since submission). Always as "
        "of today, whatever the period.",
        "sign-offs",
        Kind.COUNT,
        Better.LOWER,
        "overdue",
    ),
    Metric(
        "share_led",
        "Share who led",
        f"The share of active members who led at least one action {_IN_PERIOD} "
        "(cancelled actions do not count).",
        "share of members",
        Kind.SHARE,
        Better.HIGHER,
        "leads",
    ),
    Metric(
        "gini_leads",
        "Gini of lead counts",
        "How unevenly the leads were shared among the active members, for actions "
        f"{_IN_PERIOD}: 0 when everyone led equally often, close to 1 when one person led "
        "everything. The same index as the chapter's rotation page.",
        "index 0–1",
        Kind.INDEX,
        Better.LOWER,
        "leads",
    ),
    Metric(
        "professions_per_action",
        "Professions per action",
        f"For actions done {_IN_PERIOD}: the mean number of different professions among "
        "the people who signed up and the lead.",
        "professions",
        Kind.NUMBER,
        Better.HIGHER,
        "professions_per_action",
    ),
    Metric(
        "domain_coverage",
        "Leadership domains covered",
        "How many of the Relational Leadership domains were tagged in the reflections of "
        f"outcomes logged for actions {_IN_PERIOD}.",
        "domains",
        Kind.NUMBER,
        Better.HIGHER,
        "domains",
    ),
    Metric(
        "last_activity",
        "Last activity",
        "The latest of: an action done, an outcome logged, a milestone submitted or "
        "decided, a vision proposed or responded to; up to the end of the period.",
        "date",
        Kind.DATE,
        Better.HIGHER,
        "last_activity",
    ),
)

BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}
# The columns of the dashboard and the exports, in order (the breakdown goes to the report).
COLUMNS: tuple[Metric, ...] = tuple(m for m in METRICS if m.sortable)
CHARTABLE: tuple[Metric, ...] = tuple(m for m in COLUMNS if m.kind != Kind.DATE)
