"""Who should lead next: the rotation rule of DESIGN.md, as a pure function.

Eligible: not unavailable on the action's date and below the open-lead cap.
Among them, in order: fewest leads in the chapter this academic year, then the
longest since their last lead (never led comes first), then a profession other
than the previous lead's; ties fall to the lowest id so the answer is
deterministic for the same inputs.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    user_id: int
    profession: str
    leads_this_year: int = 0
    last_led_at: datetime | None = None
    open_leads: int = 0
    unavailable: bool = False


@dataclass(frozen=True)
class Suggestion:
    user_id: int
    reason: str


def _sort_key(c: Candidate, previous_profession: str | None) -> tuple[int, int, float, int, int]:
    never = c.last_led_at is None
    return (
        c.leads_this_year,
        0 if never else 1,
        c.last_led_at.timestamp() if c.last_led_at else 0.0,
        1 if previous_profession is not None and c.profession == previous_profession else 0,
        c.user_id,
    )


def rank(candidates: Iterable[Candidate], previous_profession: str | None) -> list[Candidate]:
    """Everyone in the order the rule weighs them, fairest first (eligibility aside)."""
    return sorted(candidates, key=lambda c: _sort_key(c, previous_profession))


def eligible(candidates: Iterable[Candidate], open_lead_cap: int) -> list[Candidate]:
    return [c for c in candidates if not c.unavailable and c.open_leads < open_lead_cap]


def suggest_next_lead(
    candidates: Iterable[Candidate], previous_profession: str | None, open_lead_cap: int
) -> Suggestion | None:
    """The fairest eligible candidate, with the reason in words; None if nobody is eligible."""
    pool = eligible(candidates, open_lead_cap)
    if not pool:
        return None
    best = min(pool, key=lambda c: _sort_key(c, previous_profession))
    led = best.leads_this_year
    parts = [f"{led} lead{'s' if led != 1 else ''} this academic year"]
    parts.append("has not led yet" if best.last_led_at is None else "longest since last lead")
    if previous_profession and best.profession != previous_profession:
        parts.append(f"a profession other than the previous lead's ({previous_profession})")
    return Suggestion(best.user_id, "; ".join(parts))
