"""How a metric's value is written: on the page, in the CSV and in the JSON alike."""

from datetime import date, datetime
from typing import Any

from national.metrics import Kind, Metric

BLANK = "—"


def export_value(value: Any, metric: Metric, per_member: bool = False) -> Any:
    """The value as the exports carry it: rounded as the page shows it, dates as ISO text."""
    if value is None:
        return None
    if metric.kind == Kind.DATE and isinstance(value, datetime):
        return value.date().isoformat()
    if metric.kind == Kind.BREAKDOWN:
        return value
    if metric.kind == Kind.SHARE:
        return round(value, 3)
    if metric.kind == Kind.INDEX:
        return round(value, 2)
    if per_member and metric.per_member:
        return round(value, 2)
    if isinstance(value, float):
        return round(value, 1)
    return value


def shown_text(value: Any, metric: Metric, per_member: bool = False) -> str:
    """The value as the page writes it (from the same rounding as the exports)."""
    value = export_value(value, metric, per_member)
    if value is None:
        return BLANK
    if metric.kind == Kind.DATE:
        return date.fromisoformat(value).strftime("%d %b %Y")
    if metric.kind == Kind.YES_NO:
        return "Yes" if value else "No"
    if metric.kind == Kind.SHARE:
        return f"{value * 100:.1f}%".replace(".0%", "%")
    if metric.kind == Kind.INDEX:
        return f"{value:.2f}"
    if metric.kind == Kind.BREAKDOWN:
        return ", ".join(f"{k} {v}" for k, v in value.items()) or BLANK
    if per_member and metric.per_member:
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}".removesuffix(".0")
    return str(value)
