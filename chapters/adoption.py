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
    counts: dict[str, list[int]] = {}
    for pid, profession in eligible_professions.items():
        row = counts.setdefault(profession, [0, 0])
        row[0] += 1
        row[1] += pid in endorser_ids
    return tally_counts({p: (e, n) for p, (e, n) in counts.items()}, rule)


def tally_counts(by_profession: Mapping[str, tuple[int, int]], rule: AdoptionRule) -> Tally:
    """The same tally from counts per profession, (eligible, of them endorsing), as a
    GROUP BY gives them: the rule's one formula."""
    eligible = sum(e for e, _n in by_profession.values())
    endorsed = sum(n for _e, n in by_profession.values())
    return Tally(
        eligible=eligible,
        endorsed=endorsed,
        needed=max(1, ceil(rule.share * eligible)),
        professions_needed=min(
            rule.min_professions, sum(1 for e, _n in by_profession.values() if e)
        ),
        professions_endorsing=sum(1 for _e, n in by_profession.values() if n),
    )


def is_adopted(
    eligible_professions: Mapping[int, str], endorser_ids: set[int], rule: AdoptionRule
) -> bool:
    return tally(eligible_professions, endorser_ids, rule).adopted
