"""The period a comparison covers: an academic year (the default) or custom dates.

Chapters sit in different time zones; a network comparison needs one set of
boundaries, so a period runs from midnight UTC on its first day to midnight UTC after
its last day. Pure: the view passes the query string and today's date in.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from core.timefmt import academic_year_start

# How many past academic years the period picker offers, and the longest custom period.
YEARS_OFFERED = 5
MAX_CUSTOM_DAYS = 366 * 5
# Custom dates are kept to a range Relay can hold data for. Python's dates run from year 1 to
# 9999, but a period needs the day after its last (its end bound) and the period of the same
# length before it (the trend's baseline): dates near either end would overflow there.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
OUT_OF_RANGE = f"Enter a date between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}."


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # inclusive
    label: str
    academic_year: int | None = None  # the year it starts in, for an academic year

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first_day, time(0), tzinfo=UTC)

    @property
    def ends_at(self) -> datetime:
        """The instant just after the period (exclusive bound)."""
        return datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one (the trend's baseline)."""
        last = self.first_day - timedelta(days=1)
        first = last - timedelta(days=self.days - 1)
        return Period(first, last, f"{first.isoformat()} to {last.isoformat()}")

    def query_args(self) -> dict[str, str]:
        """The query string that selects this period again (links keep it)."""
        if self.academic_year is not None:
            return {"year": str(self.academic_year)}
        return {"start": self.first_day.isoformat(), "end": self.last_day.isoformat()}


def academic_year(start_year: int, start_month: int) -> Period:
    first = date(start_year, start_month, 1)
    after = date(start_year + 1, start_month, 1)
    label = f"Academic year {start_year}–{str(start_year + 1)[-2:]}"
    return Period(first, after - timedelta(days=1), label, start_year)


def offered_years(today: date, start_month: int) -> list[Period]:
    """This academic year and the YEARS_OFFERED - 1 before it, newest first."""
    current = academic_year_start(today, start_month).year
    return [academic_year(current - i, start_month) for i in range(YEARS_OFFERED)]


@dataclass
class PeriodChoice:
    period: Period
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def choose_period(args: Mapping[str, str], today: date, start_month: int) -> PeriodChoice:
    """The period the query string asks for. Custom dates (`start`, `end`) win over `year`;
    anything invalid falls back to the current academic year with a message per field."""
    default = offered_years(today, start_month)[0]
    start_text, end_text = args.get("start", ""), args.get("end", "")
    if start_text or end_text:
        errors: dict[str, str] = {}
        first, last = _parse_day(start_text), _parse_day(end_text)
        if first is None:
            errors["start"] = "Enter the first day as a date (YYYY-MM-DD)."
        elif not EARLIEST_DAY <= first <= LATEST_DAY:
            errors["start"], first = OUT_OF_RANGE, None
        if last is None:
            errors["end"] = "Enter the last day as a date (YYYY-MM-DD)."
        elif not EARLIEST_DAY <= last <= LATEST_DAY:
            errors["end"], last = OUT_OF_RANGE, None
        if first and last:
            if last < first:
                errors["end"] = "The last day must be on or after the first day."
            elif (last - first).days >= MAX_CUSTOM_DAYS:
                errors["end"] = "Choose a period of at most five years."
        if errors or first is None or last is None:
            return PeriodChoice(default, errors)
        return PeriodChoice(Period(first, last, f"{first.isoformat()} to {last.isoformat()}"))
    year_text = args.get("year", "")
    if year_text:
        years = {str(p.academic_year): p for p in offered_years(today, start_month)}
        if year_text in years:
            return PeriodChoice(years[year_text])
        return PeriodChoice(default, {"year": "Choose one of the academic years offered."})
    return PeriodChoice(default)
