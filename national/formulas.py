"""The comparison's arithmetic as pure functions: medians, per-member values, the trend rule.

The Gini index lives with the rotation's fairness (campaigns.fairness) and is reused
from there, so the chapter's rotation page and the network comparison cannot disagree.
"""

from collections.abc import Iterable

# A chapter's trend is falling when a count dropped by more than this share against the
# previous period of the same length (and the previous period had something to lose).
FALLING_SHARE = 0.25
FALLING_MIN_BEFORE = 4


def median(values: Iterable[float | int | None]) -> float | None:
    """The middle value of the known values (the mean of the two middle ones for an even
    count); None when nothing is known. Unknown values (None) are left out, not zeros."""
    known = sorted(v for v in values if v is not None)
    n = len(known)
    if n == 0:
        return None
    mid = n // 2
    if n % 2:
        return float(known[mid])
    return (known[mid - 1] + known[mid]) / 2


def per_member(value: float | int | None, active_members: int) -> float | None:
    """A count per active member: chapters of different sizes compare fairly. None for a
    chapter with no active members (there is nothing to divide by) or an unknown value."""
    if value is None or active_members <= 0:
        return None
    return value / active_members


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def is_falling(now: float | int | None, before: float | int | None) -> bool:
    """True when a count fell by more than FALLING_SHARE against the previous period, which
    had at least FALLING_MIN_BEFORE (a drop from 2 to 1 is noise, not a trend)."""
    if now is None or before is None or before < FALLING_MIN_BEFORE:
        return False
    return now < before * (1 - FALLING_SHARE)


def total(values: Iterable[float | int | None]) -> float | int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None
