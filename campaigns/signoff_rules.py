"""Milestone sign-off: the one place that says which move is allowed, for whom, and why not.

A milestone is open, submitted (waiting for an advisor), approved (signed off and
locked) or returned (with the advisor's comment). Leaders submit and edit; advisors
approve, return with a comment, and reopen approved work with a reason. Editing a
submitted milestone withdraws the submission and puts it back to open; an approved
milestone is locked and cannot be edited: corrections are addenda, which go through
sign-off of their own (submitted, then approved or returned) while the original stays
as it was. Everything here is pure: the services ask `check` and do what it says.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class MilestoneStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Move(StrEnum):
    SUBMIT = "submit"
    EDIT = "edit"
    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"
    ADD_ADDENDUM = "add_addendum"


class AddendumStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


# Who takes each move: the chapter role ("leader", "advisor", ...) that may.
LEADER = "leader"
ADVISOR = "advisor"
MOVER: dict[Move, str] = {
    Move.SUBMIT: LEADER,
    Move.EDIT: LEADER,
    Move.ADD_ADDENDUM: LEADER,
    Move.APPROVE: ADVISOR,
    Move.RETURN: ADVISOR,
    Move.REOPEN: ADVISOR,
}
WHO: dict[str, str] = {LEADER: "a student leader", ADVISOR: "a faculty advisor"}

# Where each move goes, from each state it is allowed in.
TRANSITIONS: dict[Move, dict[MilestoneStatus, MilestoneStatus]] = {
    Move.SUBMIT: {
        MilestoneStatus.OPEN: MilestoneStatus.SUBMITTED,
        MilestoneStatus.RETURNED: MilestoneStatus.SUBMITTED,
    },
    # Editing keeps an open or returned milestone where it is (a returned one keeps its
    # comment in view until it is submitted again); a submitted one goes back to open.
    Move.EDIT: {
        MilestoneStatus.OPEN: MilestoneStatus.OPEN,
        MilestoneStatus.RETURNED: MilestoneStatus.RETURNED,
        MilestoneStatus.SUBMITTED: MilestoneStatus.OPEN,
    },
    Move.APPROVE: {MilestoneStatus.SUBMITTED: MilestoneStatus.APPROVED},
    Move.RETURN: {MilestoneStatus.SUBMITTED: MilestoneStatus.RETURNED},
    Move.REOPEN: {MilestoneStatus.APPROVED: MilestoneStatus.OPEN},
    # An addendum leaves the milestone approved; it has a sign-off of its own.
    Move.ADD_ADDENDUM: {MilestoneStatus.APPROVED: MilestoneStatus.APPROVED},
}
# Moves that need words: the advisor's comment on a return, the reason for reopening,
# the leader's summary of a submission or the text of an addendum.
NEEDS_TEXT: dict[Move, str] = {
    Move.SUBMIT: "a summary of what was achieved",
    Move.RETURN: "a comment saying what to change",
    Move.REOPEN: "a reason for reopening",
    Move.ADD_ADDENDUM: "the text of the correction",
}

_NOT_FROM: dict[Move, dict[MilestoneStatus, str]] = {
    Move.SUBMIT: {
        MilestoneStatus.SUBMITTED: "This milestone is already waiting for an advisor.",
        MilestoneStatus.APPROVED: "This milestone is signed off; add an addendum to correct it.",
    },
    Move.EDIT: {
        MilestoneStatus.APPROVED: (
            "This milestone is signed off and locked. Add an addendum to correct it, "
            "or ask an advisor to reopen it."
        ),
    },
    Move.APPROVE: {
        MilestoneStatus.OPEN: "This milestone has not been submitted, so it cannot be approved.",
        MilestoneStatus.RETURNED: "This milestone was returned; it must be submitted again.",
        MilestoneStatus.APPROVED: "This milestone is already approved.",
    },
    Move.RETURN: {
        MilestoneStatus.OPEN: "This milestone has not been submitted, so it cannot be returned.",
        MilestoneStatus.RETURNED: "This milestone has already been returned.",
        MilestoneStatus.APPROVED: "This milestone is already approved; reopen it instead.",
    },
    Move.REOPEN: {
        MilestoneStatus.OPEN: "Only an approved milestone can be reopened; this one is open.",
        MilestoneStatus.SUBMITTED: "Only an approved milestone can be reopened; this one is "
        "waiting for a decision.",
        MilestoneStatus.RETURNED: "Only an approved milestone can be reopened; this one was "
        "returned.",
    },
    Move.ADD_ADDENDUM: dict.fromkeys(
        (MilestoneStatus.OPEN, MilestoneStatus.SUBMITTED, MilestoneStatus.RETURNED),
        "Only approved (locked) work takes an addendum; edit this milestone instead.",
    ),
}


@dataclass(frozen=True)
class Verdict:
    """Whether a move is allowed; `reason` says why not in words, `to` where it goes."""

    allowed: bool
    reason: str = ""
    to: str | None = None


def is_locked(status: str) -> bool:
    """Approved work is read-only: the milestone and the outcomes that evidence it."""
    return status == MilestoneStatus.APPROVED


def check(status: str, move: Move, role: str | None, text: str = "") -> Verdict:
    """May someone of this chapter `role` take `move` on a milestone in `status`?

    `text` is the summary, comment, reason or addendum the move carries (if it needs one).
    """
    state = MilestoneStatus(status)
    mover = MOVER[move]
    if role != mover:
        return Verdict(False, f"Only {WHO[mover]} of the chapter can {_verb(move)}.")
    target = TRANSITIONS[move].get(state)
    if target is None:
        return Verdict(False, _NOT_FROM[move][state])
    if move in NEEDS_TEXT and not text.strip():
        return Verdict(False, f"Give {NEEDS_TEXT[move]}.")
    return Verdict(True, to=target)


def check_addendum(status: str, approve: bool, role: str | None, comment: str = "") -> Verdict:
    """May this person approve (or, with a comment, return) an addendum in `status`?"""
    if role != ADVISOR:
        return Verdict(False, f"Only {WHO[ADVISOR]} of the chapter can decide on an addendum.")
    if status != AddendumStatus.SUBMITTED:
        return Verdict(False, f"This addendum has already been {status}.")
    if not approve and not comment.strip():
        return Verdict(False, f"Give {NEEDS_TEXT[Move.RETURN]}.")
    return Verdict(True, to=AddendumStatus.APPROVED if approve else AddendumStatus.RETURNED)


def _verb(move: Move) -> str:
    return {
        Move.SUBMIT: "submit a milestone for sign-off",
        Move.EDIT: "edit a milestone",
        Move.APPROVE: "approve a milestone",
        Move.RETURN: "return a milestone",
        Move.REOPEN: "reopen signed-off work",
        Move.ADD_ADDENDUM: "add an addendum",
    }[move]


@dataclass(frozen=True)
class Waiting:
    """How long a sign-off has waited, in the chapter's calendar days, and whether it is late."""

    days: int
    overdue: bool


def waiting(submitted_at: datetime, now: datetime, tzname: str, overdue_days: int) -> Waiting:
    """Days waiting count the chapter's calendar days; a sign-off is overdue once
    `overdue_days` days have passed on the chapter's wall clock (submitted on the 1st at
    noon, 7 days: overdue from noon on the 8th), whatever the clocks did in between."""
    zone = ZoneInfo(tzname)
    start, today = submitted_at.astimezone(zone), now.astimezone(zone)
    # Adding days to a zoned time keeps its wall-clock time; the UTC offset follows DST.
    due = (start.replace(tzinfo=None) + timedelta(days=overdue_days)).replace(tzinfo=zone)
    return Waiting(days=(today.date() - start.date()).days, overdue=today > due)
