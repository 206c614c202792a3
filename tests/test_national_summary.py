"""The comparison's per-chapter-per-month summary (national/summary.py): the dashboard reads
it for whole-month periods and must show exactly what the live statements compute; every
change to what it counts rewrites it in the same transaction; a command rebuilds it.

(tests/conftest.py also checks after every test of the suite that the summary equals its
records, whatever the test changed.)
"""

import os
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from campaigns.models import ActionStatus
from core.db import utcnow
from core.extensions import db
from demo_network import demo_password_hash, demo_plans, write_network
from national import summary, summary_queries
from national.comparison import Filters, Sort, compare
from national.period import Period, academic_year, offered_years
from national.summary_models import ChapterMonth, ChapterMonthLead
from tests.factories import make_action, make_campaign, make_chapter, make_member, make_signup
from tests.national_world import build_network

ON_SQLITE = not os.environ.get("TEST_DATABASE_URL")


def _month(moment: datetime) -> str:
    return f"{moment.year:04}-{moment.month:02}"


def _row(chapter_id: int, month: str) -> ChapterMonth | None:
    db.session.expire_all()
    return db.session.get(ChapterMonth, (chapter_id, month))


def _values(period: Period, per_member: bool, sort: Sort) -> list[tuple]:
    comparison = compare(period, Filters(status=""), sort, per_member)
    rows = [(r.chapter.slug, sorted(r.values.items(), key=str)) for r in comparison.rows]
    return [rows, sorted(comparison.totals.items()), sorted(comparison.medians.items())]


# --- the same numbers as the live statements ---------------------------------------------------


def test_whole_months_are_what_the_summary_can_answer():
    assert summary_queries.covers(academic_year(2025, 8))
    assert summary_queries.covers(Period(date(2026, 1, 1), date(2026, 3, 31), "Q1"))
    assert not summary_queries.covers(Period(date(2026, 1, 2), date(2026, 3, 31), "x"))
    assert not summary_queries.covers(Period(date(2026, 1, 1), date(2026, 3, 30), "x"))


@pytest.mark.parametrize("per_member", [False, True])
def test_the_summary_gives_every_metric_the_live_value(app, monkeypatch, per_member):
    """Over the demo's nine chapters (three years of history) and the hand-built network
    (an empty chapter, a single member, one profession): each academic year offered and a
    custom whole-month period, sorted by each kind of column."""
    build_network()
    write_network(demo_plans(), utcnow(), demo_password_hash("relay-demo-2026"))
    today = utcnow().date()
    periods = offered_years(today, 8)[:3] + [
        Period(date(today.year - 1, 3, 1), date(today.year - 1, 6, 30), "spring")
    ]
    sorts = [Sort(), Sort("people_reached", True), Sort("gini_leads"), Sort("last_activity")]
    for period in periods:
        assert summary_queries.covers(period)
        for sort in sorts:
            from_summary = _values(period, per_member, sort)
            with monkeypatch.context() as live:
                live.setattr(summary_queries, "covers", lambda _period: False)
                assert _values(period, per_member, sort) == from_summary, (period, sort)


@pytest.mark.dates
def test_a_period_of_whole_months_reads_the_summary_not_the_records(app):
    """The proof that the dashboard uses the summary: a summary row changed behind the
    hooks' back shows on a period of whole months (as an academic year is), and not on a
    period that is not whole months."""
    network = build_network()
    # Whole months around all the network's activity (50 days ago to 20 days ahead): at the
    # start of an academic year, the current year would hold none of it.
    first = (network.now - timedelta(days=60)).date().replace(day=1)
    after = (network.now.date().replace(day=1) + timedelta(days=32)).replace(day=1)
    months = Period(first, after - timedelta(days=1), "whole months")
    assert summary_queries.covers(months)
    db.session.execute(
        update(ChapterMonth)
        .where(ChapterMonth.chapter_id == network.alpha.id)
        .values(people_reached=ChapterMonth.people_reached + 1000)
    )
    db.session.commit()

    def people(period):
        rows = compare(period, Filters(), Sort()).rows
        return {r.chapter.slug: r.values["people_reached"] for r in rows}["alpha"]

    months_with_rows = db.session.scalar(
        select(db.func.count()).where(ChapterMonth.chapter_id == network.alpha.id)
    )
    in_months = [
        m
        for m in db.session.scalars(
            select(ChapterMonth.month).where(ChapterMonth.chapter_id == network.alpha.id)
        )
        if summary_queries.month_key(months.first_day)
        <= m
        <= summary_queries.month_key(months.last_day)
    ]
    assert months_with_rows and in_months
    assert people(months) == 150 + 1000 * len(in_months)
    odd = Period(months.first_day + timedelta(days=1), months.last_day, "odd")
    assert people(odd) == 150
    summary.rebuild()
    db.session.commit()
    assert people(months) == 150


# --- kept in the transaction of each change ---------------------------------------------------


@pytest.fixture
def chapter_with_people(app):
    chapter = make_chapter(slug="kept")
    leader = make_member(chapter, role="leader", profession="Medicine").user
    nurse = make_member(chapter, role="member", profession="Nursing").user
    campaign = make_campaign(chapter, status="active")
    return chapter, campaign, leader, nurse


def test_marking_an_action_done_counts_it_in_its_month(chapter_with_people):
    chapter, campaign, leader, nurse = chapter_with_people
    starts = datetime(2026, 3, 10, 15, tzinfo=UTC)
    action = make_action(campaign, starts_at=starts, lead=leader, status="planned")
    make_signup(action, nurse)
    assert _row(chapter.id, "2026-03") is None  # planned: nothing done yet, but led
    assert db.session.get(ChapterMonthLead, (chapter.id, "2026-03", leader.id)).leads == 1

    action.status = ActionStatus.DONE
    db.session.commit()
    row = _row(chapter.id, "2026-03")
    assert (row.actions_done, row.staffed_actions, row.professions_sum) == (1, 1, 2)
    assert row.last_activity_at == starts


def test_moving_an_action_moves_its_counts_to_the_new_month(chapter_with_people):
    chapter, campaign, leader, _nurse = chapter_with_people
    action = make_action(
        campaign, starts_at=datetime(2026, 3, 10, 15, tzinfo=UTC), lead=leader, status="done"
    )
    action.starts_at = datetime(2026, 4, 2, 15, tzinfo=UTC)
    action.ends_at = action.starts_at + timedelta(hours=1)
    db.session.commit()
    assert _row(chapter.id, "2026-03") is None
    assert _row(chapter.id, "2026-04").actions_done == 1


def test_a_change_of_profession_changes_past_actions_mix(chapter_with_people):
    chapter, campaign, leader, nurse = chapter_with_people
    action = make_action(
        campaign, starts_at=datetime(2026, 3, 10, 15, tzinfo=UTC), lead=leader, status="done"
    )
    make_signup(action, nurse)
    assert _row(chapter.id, "2026-03").professions_sum == 2
    nurse.profession = "Medicine"
    db.session.commit()
    assert _row(chapter.id, "2026-03").professions_sum == 1


def test_a_rolled_back_change_leaves_the_summary_as_it_was(chapter_with_people):
    chapter, campaign, leader, _nurse = chapter_with_people
    make_action(
        campaign, starts_at=datetime(2026, 3, 10, 15, tzinfo=UTC), lead=leader, status="done"
    )
    make_action(
        campaign,
        starts_at=datetime(2026, 3, 12, 15, tzinfo=UTC),
        lead=leader,
        status="done",
        commit=False,
    )
    db.session.flush()
    db.session.rollback()
    assert _row(chapter.id, "2026-03").actions_done == 1
    # The next transaction does not refresh on the rolled-back one's account.
    assert summary._TOUCHED not in db.session.info


def test_deleting_a_campaign_takes_its_actions_out_of_the_summary(chapter_with_people):
    chapter, campaign, leader, _nurse = chapter_with_people
    make_action(
        campaign, starts_at=datetime(2026, 3, 10, 15, tzinfo=UTC), lead=leader, status="done"
    )
    for action in campaign.actions:
        db.session.delete(action)
    db.session.delete(campaign)
    db.session.commit()
    assert _row(chapter.id, "2026-03") is None


# --- the commands ---------------------------------------------------------------------------


def test_check_summary_finds_drift_and_rebuild_summary_mends_it(app):
    network = build_network()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["national", "check-summary"])
    assert result.exit_code == 0, result.output
    assert "matches the records" in result.output

    db.session.execute(
        update(ChapterMonth)
        .where(ChapterMonth.chapter_id == network.alpha.id)
        .values(actions_done=ChapterMonth.actions_done + 5)
    )
    db.session.commit()
    result = runner.invoke(args=["national", "check-summary"])
    assert result.exit_code == 1
    assert "chapter_months" in result.output
    assert "flask national rebuild-summary" in result.output

    result = runner.invoke(args=["national", "rebuild-summary"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["national", "check-summary"]).exit_code == 0


# --- two writers at once ----------------------------------------------------------------------


@pytest.mark.skipif(ON_SQLITE, reason="SQLite takes one writer at a time; needs PostgreSQL")
def test_two_transactions_changing_one_chapter_at_once_are_both_counted(app):
    """Each transaction computes its chapter's rows from its own snapshot: without the
    per-chapter lock the second to commit would write a count that misses the first."""
    chapter = make_chapter(slug="busy")
    leader = make_member(chapter, role="leader").user
    campaign = make_campaign(chapter, status="active")
    campaign_id, leader_id = campaign.id, leader.id
    starts = datetime(2026, 3, 10, 15, tzinfo=UTC)
    ready = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def add_done_action() -> None:
        try:
            with app.app_context():
                from campaigns.models import Action

                db.session.add(
                    Action(
                        campaign_id=campaign_id,
                        title="At once",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=1),
                        lead_id=leader_id,
                        status=ActionStatus.DONE,
                    )
                )
                db.session.flush()  # both hold their new action, uncommitted
                ready.wait()
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=add_done_action) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    row = _row(chapter.id, "2026-03")
    assert row.actions_done == 2
    assert db.session.get(ChapterMonthLead, (chapter.id, "2026-03", leader_id)).leads == 2
