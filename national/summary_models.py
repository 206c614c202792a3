"""The comparison's per-chapter-per-month summary: what the dashboard reads instead of
every action, sign-up and outcome of the network's history.

Each row is what national/summary.py computes from the chapter's own records for one UTC
month ('YYYY-MM'), rewritten in the same transaction as any change to them; nothing else
writes here, and `flask national rebuild-summary` recomputes it all.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime
from core.extensions import db

MONTH_LENGTH = 7  # 'YYYY-MM'


class ChapterMonth(db.Model):
    """A chapter's countable work in one month. Actions, and the outcomes of actions, fall
    in the month the action starts; last_activity_at in the month the activity happened."""

    __tablename__ = "chapter_months"
    # The dashboard reads a period's months across every chapter.
    __table_args__ = (Index("ix_chapter_months_month", "month"),)

    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(MONTH_LENGTH), primary_key=True)
    actions_done: Mapped[int] = mapped_column(Integer, default=0)
    # Done actions with at least one person (who signed up or led), and the sum of their
    # distinct professions: the mean professions per action is the one over the other.
    staffed_actions: Mapped[int] = mapped_column(Integer, default=0)
    professions_sum: Mapped[int] = mapped_column(Integer, default=0)
    people_reached: Mapped[int] = mapped_column(Integer, default=0)
    commitments: Mapped[int] = mapped_column(Integer, default=0)
    signatures: Mapped[int] = mapped_column(Integer, default=0)
    outcomes_logged: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChapterMonthDomain(db.Model):
    """A leadership domain tagged on outcomes of actions starting in the month."""

    __tablename__ = "chapter_month_domains"
    # The dashboard reads a period's months across every chapter.
    __table_args__ = (Index("ix_chapter_month_domains_month", "month"),)

    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(MONTH_LENGTH), primary_key=True)
    domain: Mapped[str] = mapped_column(String(40), primary_key=True)
    outcomes: Mapped[int] = mapped_column(Integer, default=0)


class ChapterMonthLead(db.Model):
    """How many actions (not cancelled) starting in the month a person led."""

    __tablename__ = "chapter_month_leads"
    # The dashboard reads a period's months across every chapter.
    __table_args__ = (Index("ix_chapter_month_leads_month", "month"),)

    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(MONTH_LENGTH), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    leads: Mapped[int] = mapped_column(Integer, default=0)


class ChapterDecision(db.Model):
    """An advisor's approval or return, with its chapter and month: the sign-off metrics
    read a period's decisions here instead of joining every milestone and campaign."""

    __tablename__ = "chapter_decisions"
    __table_args__ = (Index("ix_chapter_decisions_month", "month"),)

    decision_id: Mapped[int] = mapped_column(ForeignKey("milestone_decisions.id"), primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id"), index=True)
    month: Mapped[str] = mapped_column(String(MONTH_LENGTH))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The milestone, when this approval stands (a milestone submission still approved).
    approved_milestone_id: Mapped[int | None] = mapped_column(Integer)
