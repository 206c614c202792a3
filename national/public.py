"""The public network summary: what the network does, with no personal data.

Read from the same comparison as the dashboard. A chapter smaller than
NETWORK_PUBLIC_MIN_MEMBERS active members is never shown on its own (its numbers
are in the network totals only), and nobody is named.
"""

from dataclasses import dataclass

from sqlalchemy import select

from campaigns.models import Playbook
from core.extensions import db
from national.comparison import Comparison

PLAYBOOKS_SHOWN = 20


@dataclass(frozen=True)
class PublicChapter:
    name: str
    region: str
    actions_done: int
    people_reached: int


@dataclass(frozen=True)
class PublicPlaybook:
    title: str
    summary: str
    chapter: str | None  # None when its chapter is too small to be named


@dataclass(frozen=True)
class NetworkSummary:
    period_label: str
    chapters: int
    by_region: dict[str, int]
    professions: list[str]
    actions_done: int
    people_reached: int
    shown: list[PublicChapter]
    hidden: int  # chapters below the minimum size, counted but not named
    playbooks: list[PublicPlaybook]
    min_members: int


def network_summary(comparison: Comparison, min_members: int) -> NetworkSummary:
    rows = comparison.rows
    by_region: dict[str, int] = {}
    professions: set[str] = set()
    shown = []
    big_enough = set()
    for row in rows:
        by_region[row.chapter.region] = by_region.get(row.chapter.region, 0) + 1
        professions.update(row.values["members_by_profession"])
        if row.values["active_members"] >= min_members:
            big_enough.add(row.chapter.id)
            shown.append(
                PublicChapter(
                    row.chapter.name,
                    row.chapter.region,
                    row.values["actions_done"],
                    row.values["people_reached"],
                )
            )
    playbooks = db.session.scalars(
        select(Playbook)
        .order_by(Playbook.published_at.desc(), Playbook.id.desc())
        .limit(PLAYBOOKS_SHOWN)
    ).all()
    names = {row.chapter.id: row.chapter.name for row in rows}
    return NetworkSummary(
        period_label=comparison.period.label,
        chapters=len(rows),
        by_region=dict(sorted(by_region.items())),
        professions=sorted(professions),
        actions_done=sum(r.values["actions_done"] for r in rows),
        people_reached=sum(r.values["people_reached"] for r in rows),
        shown=sorted(shown, key=lambda c: c.name.lower()),
        hidden=len(rows) - len(shown),
        playbooks=[
            PublicPlaybook(
                p.title,
                p.summary,
                names.get(p.source_chapter_id) if p.source_chapter_id in big_enough else None,
            )
            for p in playbooks
        ],
        min_members=min_members,
    )
