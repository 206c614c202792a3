"""Fairness of the lead rotation, as pure functions: share who led, Gini, profession shares."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


def gini(counts: list[int]) -> float:
    """Gini index of lead counts: 0 when everyone led equally, towards 1 when one person led all."""
    ordered = sorted(counts)
    weighted = sum((i + 1) * x for i, x in enumerate(ordered))
    return gini_from_sums(len(counts), sum(counts), weighted)


def gini_from_sums(n: int, total: float, weighted: float) -> float:
    """The same Gini from three sums over the counts sorted ascending: how many (n), their
    total, and the sum of rank (1 = smallest) times count. SQL can compute these for many
    chapters at once (a window function ranks the counts), so the network comparison
    uses this one formula instead of writing it again."""
    if n == 0 or total == 0:
        return 0.0
    return (2 * weighted) / (n * total) - (n + 1) / n


def gini_in_words(index: float, anyone_led: bool) -> str:
    """What a Gini index of lead counts means, in plain words for the rotation page."""
    if not anyone_led:
        return "No one has led an action yet this year."
    if index < 0.2:
        return "Leading is shared about evenly."
    if index < 0.4:
        return "Some members lead noticeably more often than others."
    if index < 0.6:
        return "Leading is uneven: a minority of members do most of it."
    return "A few members do almost all the leading."


def share_who_led(counts: list[int]) -> float:
    return sum(1 for c in counts if c > 0) / len(counts) if counts else 0.0


@dataclass(frozen=True)
class ProfessionShare:
    profession: str
    roster_share: float
    lead_share: float


def profession_shares(
    lead_counts: Mapping[int, int], professions: Mapping[int, str]
) -> list[ProfessionShare]:
    """Each profession's share of the roster against its share of the leads."""
    roster = Counter(professions.values())
    leads: Counter[str] = Counter()
    for person, count in lead_counts.items():
        if person in professions:
            leads[professions[person]] += count
    n, total = sum(roster.values()), sum(leads.values())
    return [
        ProfessionShare(p, roster[p] / n if n else 0.0, leads[p] / total if total else 0.0)
        for p in sorted(roster)
    ]
