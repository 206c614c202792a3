"""The dashboard and a chapter's report as CSV and JSON, with the page's own numbers.

Every value goes through national.display.export_value, the rounding the page shows,
so a download and the page it came from cannot disagree.

A CSV is written for spreadsheets as RFC 4180 has it: UTF-8 with a byte order mark
(without one, Excel reads the file as Windows-1252 and Tomás becomes TomÃ¡s) and CRLF
line ends. A per-member CSV says so in its column names, so that 0.17 is never read as
a count.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from national.comparison import ChapterRow, Comparison
from national.display import export_value
from national.metrics import COLUMNS, METRICS, Metric

FORMAT_VERSION = 1
DETAILS = ("slug", "name", "institution", "region", "status")


def _definitions() -> list[dict[str, Any]]:
    return [
        {"key": m.key, "name": m.name, "unit": m.unit, "per_member": m.per_member} for m in METRICS
    ]


def _row_values(row: ChapterRow, per_member: bool) -> dict[str, Any]:
    return {m.key: export_value(row.shown(m, per_member), m, per_member) for m in COLUMNS}


def _chapter(row: ChapterRow, per_member: bool) -> dict[str, Any]:
    return {
        **{d: getattr(row.chapter, d) for d in DETAILS},
        "values": _row_values(row, per_member),
        "members_by_profession": row.values["members_by_profession"],
        "flags": [f.key for f in row.flags],
    }


def _network(comparison: Comparison) -> dict[str, Any]:
    pm = comparison.per_member
    by_key = {m.key: m for m in COLUMNS}
    return {
        "totals": {k: export_value(v, by_key[k], pm) for k, v in comparison.totals.items()},
        "medians": {k: export_value(v, by_key[k], pm) for k, v in comparison.medians.items()},
    }


def _header(comparison: Comparison) -> dict[str, Any]:
    period = comparison.period
    return {
        "format_version": FORMAT_VERSION,
        "period": {
            "label": period.label,
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
        },
        "view": "per_member" if comparison.per_member else "totals",
    }


def dashboard_json(comparison: Comparison) -> dict[str, Any]:
    return {
        **_header(comparison),
        "filters": {"region": comparison.filters.region, "status": comparison.filters.status},
        "sort": {"key": comparison.sort.key, "descending": comparison.sort.descending},
        "definitions": _definitions(),
        "network": _network(comparison),
        "chapters": [_chapter(row, comparison.per_member) for row in comparison.rows],
    }


def spreadsheet_csv(lines: Iterable[Iterable[Any]]) -> bytes:
    """Every CSV download: UTF-8 with a byte order mark, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(lines)
    return out.getvalue().encode("utf-8-sig")


def column_name(metric: Metric, per_member: bool) -> str:
    """A metric's name in a CSV: a value divided by active members says so."""
    if per_member and metric.per_member:
        return f"{metric.key}_per_active_member"
    return metric.key


def _csv(rows: list[ChapterRow], per_member: bool) -> bytes:
    lines: list[list[Any]] = [[*DETAILS, *(column_name(m, per_member) for m in COLUMNS), "flags"]]
    for row in rows:
        values = _row_values(row, per_member)
        lines.append(
            [
                *(_safe(getattr(row.chapter, d)) for d in DETAILS),
                *("" if values[m.key] is None else values[m.key] for m in COLUMNS),
                " ".join(f.key for f in row.flags),
            ]
        )
    return spreadsheet_csv(lines)


def _safe(text: str) -> str:
    """Chapter names are typed by people: a leading =, +, - or @ would run as a formula
    in a spreadsheet, so such a cell starts with an apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def dashboard_csv(comparison: Comparison) -> bytes:
    return _csv(comparison.rows, comparison.per_member)


def report_json(comparison: Comparison, row: ChapterRow, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        **_header(comparison),
        "chapter": _chapter(row, comparison.per_member),
        "network": _network(comparison),
        **extra,
    }


def report_csv(comparison: Comparison, row: ChapterRow) -> bytes:
    """One line per metric: the chapter's value and the network median beside it."""
    lines: list[list[Any]] = [["metric", "name", "chapter", "network_median", "unit"]]
    pm = comparison.per_member
    for m in COLUMNS:
        value = export_value(row.shown(m, pm), m, pm)
        median = export_value(comparison.medians.get(m.key), m, pm)
        divided = pm and m.per_member
        lines.append(
            [
                column_name(m, pm),
                f"{m.name} per active member" if divided else m.name,
                "" if value is None else value,
                "" if median is None else median,
                f"{m.unit} per active member" if divided else m.unit,
            ]
        )
    return spreadsheet_csv(lines)
