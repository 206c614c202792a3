"""What the national pages read from the query string: period, filters, sort and view."""

from dataclasses import dataclass

from flask import abort, current_app, request
from flask_login import current_user

from core.db import utcnow
from national.comparison import Filters, Sort
from national.period import PeriodChoice, choose_period, offered_years
from national.permissions import can_compare_chapters


def require_staff() -> None:
    """National pages are not there (404) for anyone but national staff and admins."""
    if not can_compare_chapters(current_user):
        abort(404)


@dataclass
class Asked:
    choice: PeriodChoice
    filters: Filters
    sort: Sort
    per_member: bool

    def query_args(self, **changes: str) -> dict[str, str]:
        """The query string that shows the same view again, with `changes` applied."""
        args = self.choice.period.query_args() | self.filters.query_args() | self.sort.query_args()
        if self.per_member:
            args["view"] = "per_member"
        args.update(changes)
        return {k: v for k, v in args.items() if v}


def asked() -> Asked:
    today = utcnow().date()
    choice = choose_period(request.args, today, current_app.config["ACADEMIC_YEAR_START_MONTH"])
    return Asked(
        choice=choice,
        filters=Filters(
            region=request.args.get("region", "").strip()[:80],
            status=request.args.get("status", "").strip()[:20],
        ),
        sort=Sort.parse(request.args.get("sort", "name"), request.args.get("dir", "asc")),
        per_member=request.args.get("view") == "per_member",
    )


def years_offered() -> list:
    return offered_years(utcnow().date(), current_app.config["ACADEMIC_YEAR_START_MONTH"])
