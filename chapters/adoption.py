"""The vision adoption rule, as a pure function (no Flask, no database).

A version is adopted when at least `share` of active student members endorse it
and, when the roster spans at least `min_professions` professions, the
endorsers span that many too. Faculty never count.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import ceil


@dataclass(frozen=True)
class AdoptionRule:
    share: Fraction = Fraction(2, 3)
    min_professions: int = 2


@dataclass(frozen=True)
class Tally:
    eligible: int  # active student members
    endorsed: int  # of them, how many endorse
    needed: int  # endorsements needed for the share
    professions_needed: int
    professions_endorsing: int

    @property
    def share_met(self) -> bool:
        return self.eligible > 0 and self.endorsed >= self.needed

    @property
    def professions_met(self) -> bool:
        return self.professions_endorsing >= self.professions_needed

    @property
    def adopted(self) -> bool:
        return self.share_met and self.professions_met


def tally(
    eligible_professions: Mapping[int, str], endorser_ids: set[int], rule: AdoptionRule
) -> Tally:
    """Count endorsements by the eligible people (a mapping of person id to profession)."""
    endorsing = [pid for pid in endorser_ids if pid in eligible_professions]
    roster_professions = set(eligible_professions.values())
    eligible = len(eligible_professions)
    return Tally(
        eligible=eligible,
        endorsed=len(endorsing),
        needed=max(1, ceil(rule.share * eligible)),
        professions_needed=min(rule.min_professions, len(roster_professions)),
        professions_endorsing=len({eligible_professions[pid] for pid in endorsing}),
    )


def is_adopted(
    eligible_professions: Mapping[int, str], endorser_ids: set[int], rule: AdoptionRule
) -> bool:
    return tally(eligible_professions, endorser_ids, rule).adopted
