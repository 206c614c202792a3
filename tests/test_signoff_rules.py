"""The sign-off state machine (campaigns/signoff_rules.py), on its own and under Hypothesis.

The rule-based machine lets anyone try any move with any text in any order and checks
what DESIGN.md promises: an open milestone is never approved, a submission is never
approved twice, locked work is never edited, and only an advisor with a reason reopens.
"""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from campaigns.signoff_rules import (
    AddendumStatus,
    MilestoneStatus,
    Move,
    check,
    check_addendum,
    is_locked,
    waiting,
)

ROLES = st.sampled_from(["leader", "advisor", "member", None])
TEXTS = st.sampled_from(["", "   ", "Fix the totals", "Evidence attached"])


class SignOff(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.status = MilestoneStatus.OPEN
        self.approvals_of_this_submission = 0
        self.history: list[tuple[Move, str | None]] = []

    def _try(self, move: Move, role: str | None, text: str = "") -> bool:
        before = self.status
        verdict = check(self.status, move, role, text)
        if verdict.allowed:
            assert verdict.to is not None
            self.status = verdict.to
            self.history.append((move, role))
        else:
            assert verdict.reason, "a refusal says why"
            assert verdict.to is None
        assert verdict.allowed or self.status == before
        return verdict.allowed

    @rule(role=ROLES, text=TEXTS)
    def submit(self, role, text):
        if self._try(Move.SUBMIT, role, text):
            assert role == "leader" and text.strip()
            self.approvals_of_this_submission = 0

    @rule(role=ROLES)
    def edit(self, role):
        was = self.status
        if self._try(Move.EDIT, role):
            assert not is_locked(was), "locked work was edited"
            assert role == "leader"
            if was == MilestoneStatus.SUBMITTED:
                assert self.status == MilestoneStatus.OPEN  # the submission is withdrawn

    @rule(role=ROLES)
    def approve(self, role):
        was = self.status
        if self._try(Move.APPROVE, role):
            assert was == MilestoneStatus.SUBMITTED, f"approved a {was} milestone"
            assert role == "advisor"
            self.approvals_of_this_submission += 1
            assert self.approvals_of_this_submission == 1, "approved twice"

    @rule(role=ROLES, text=TEXTS)
    def return_it(self, role, text):
        was = self.status
        if self._try(Move.RETURN, role, text):
            assert was == MilestoneStatus.SUBMITTED
            assert role == "advisor" and text.strip(), "returned without a comment"

    @rule(role=ROLES, text=TEXTS)
    def reopen(self, role, text):
        was = self.status
        if self._try(Move.REOPEN, role, text):
            assert was == MilestoneStatus.APPROVED
            assert role == "advisor", "reopened by someone other than an advisor"
            assert text.strip(), "reopened without a reason"
            assert self.status == MilestoneStatus.OPEN

    @rule(role=ROLES, text=TEXTS)
    def add_addendum(self, role, text):
        if self._try(Move.ADD_ADDENDUM, role, text):
            assert self.status == MilestoneStatus.APPROVED  # the original stays signed off

    @invariant()
    def locked_exactly_when_approved(self):
        assert is_locked(self.status) == (self.status == MilestoneStatus.APPROVED)

    @invariant()
    def approved_only_after_a_submission(self):
        if self.status == MilestoneStatus.APPROVED:
            moves = [m for m, _ in self.history]
            last_approve = len(moves) - 1 - moves[::-1].index(Move.APPROVE)
            assert Move.SUBMIT in moves[:last_approve]


TestSignOffStateMachine = SignOff.TestCase


def test_a_leader_submits_and_an_advisor_approves_which_locks_it():
    submitted = check("open", Move.SUBMIT, "leader", "Petition delivered with 400 signatures")
    assert submitted.allowed and submitted.to == "submitted"
    approved = check("submitted", Move.APPROVE, "advisor")
    assert approved.allowed and approved.to == "approved"
    assert is_locked("approved")


@pytest.mark.parametrize(
    ("status", "move", "role", "text", "said"),
    [
        ("open", Move.APPROVE, "advisor", "", "has not been submitted"),
        ("approved", Move.APPROVE, "advisor", "", "already approved"),
        ("submitted", Move.APPROVE, "leader", "", "Only a faculty advisor"),
        ("submitted", Move.RETURN, "advisor", "  ", "Give a comment saying what to change"),
        ("approved", Move.EDIT, "leader", "", "signed off and locked"),
        ("approved", Move.REOPEN, "advisor", "", "Give a reason for reopening"),
        ("approved", Move.REOPEN, "leader", "Typo", "Only a faculty advisor"),
        ("open", Move.SUBMIT, "advisor", "Done", "Only a student leader"),
        ("open", Move.SUBMIT, "leader", "", "Give a summary"),
        ("submitted", Move.SUBMIT, "leader", "Again", "already waiting"),
        ("open", Move.ADD_ADDENDUM, "leader", "Fix", "Only approved (locked) work"),
    ],
)
def test_a_refused_move_says_why(status, move, role, text, said):
    verdict = check(status, move, role, text)
    assert not verdict.allowed
    assert said in verdict.reason


def test_editing_a_submitted_milestone_puts_it_back_to_open():
    assert check("submitted", Move.EDIT, "leader").to == "open"
    assert check("returned", Move.EDIT, "leader").to == "returned"


def test_an_addendum_is_decided_once_and_a_return_needs_a_comment():
    assert check_addendum("submitted", True, "advisor").to == AddendumStatus.APPROVED
    assert check_addendum("submitted", False, "advisor", "Which receipt?").to == "returned"
    assert "Give a comment" in check_addendum("submitted", False, "advisor").reason
    assert "already been approved" in check_addendum("approved", True, "advisor").reason
    assert "Only a faculty advisor" in check_addendum("submitted", True, "leader").reason


def test_overdue_counts_the_chapters_wall_clock_across_the_change_to_summer_time():
    # Submitted Sunday 1 March 2026 at noon in Chicago (CST, UTC-6); clocks go forward on
    # 8 March. Seven days later at noon is 17:00 UTC (CDT, UTC-5), not 18:00 UTC.
    submitted = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    before = waiting(submitted, datetime(2026, 3, 8, 16, 59, tzinfo=UTC), "America/Chicago", 7)
    after = waiting(submitted, datetime(2026, 3, 8, 17, 1, tzinfo=UTC), "America/Chicago", 7)
    assert (before.days, before.overdue) == (7, False)  # 11:59 local on the 8th
    assert (after.days, after.overdue) == (7, True)  # 12:01 local: seven days have passed
    # The naive "7 × 24 hours in UTC" would wait until 18:00 UTC (13:00 local).
    assert submitted + timedelta(days=7) > datetime(2026, 3, 8, 17, 1, tzinfo=UTC)


def test_overdue_across_the_change_back_to_winter_time():
    # Submitted Saturday 24 October 2026 at 09:00 in London (BST, UTC+1 = 08:00 UTC);
    # clocks go back on the 25th, so seven days later 09:00 local is 09:00 UTC.
    submitted = datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    assert not waiting(
        submitted, datetime(2026, 10, 31, 8, 59, tzinfo=UTC), "Europe/London", 7
    ).overdue
    assert waiting(submitted, datetime(2026, 10, 31, 9, 1, tzinfo=UTC), "Europe/London", 7).overdue


def test_days_waiting_are_the_chapters_calendar_days():
    # 23:30 in Chicago on 1 March is already 2 March in UTC.
    submitted = datetime(2026, 3, 2, 5, 30, tzinfo=UTC)
    now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 09:00 on 2 March in Chicago
    assert waiting(submitted, now, "America/Chicago", 7).days == 1
