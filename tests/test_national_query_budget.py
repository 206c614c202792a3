"""The national pages send a fixed number of SQL statements whatever the network's size:
every metric is one GROUP BY over all chapters, never a query per chapter."""

from datetime import timedelta

import pytest

from campaigns.models import ActionStatus, CampaignStatus
from campaigns.outcome_models import Outcome
from core.db import utcnow
from core.extensions import db
from tests.factories import (
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_signup,
    make_user,
)

PROFESSIONS = ("Medicine", "Nursing", "Pharmacy")

# page -> statements: the session and its user (1), then the page's own. The dashboard:
# every chapter's values, sorted and paged, with the network's totals and medians (1: the
# twelve metric sources and the trend's baseline joined in one statement), the chapters
# shown (1), their members by profession (1), their actions by month (1), the regions (1),
# and (issue 12) the navigation's unread notification count (1). The downloads have no
# navigation.
BUDGET = {
    "/network/compare": 7,
    "/network/compare?view=per_member&sort=people_reached&dir=desc": 7,
    "/network/compare.csv": 4,
    "/network/compare.json": 4,
}


def build(chapters: int, prefix: str) -> None:
    now = utcnow()
    for c in range(chapters):
        chapter = make_chapter(f"{prefix} {c:03}", slug=f"{prefix}-{c:03}", region=f"R{c % 3}")
        people = [
            make_member(
                chapter, "leader" if i == 0 else "member", profession=PROFESSIONS[i % 3]
            ).user
            for i in range(4)
        ]
        make_member(chapter, "advisor")
        campaign = make_campaign(chapter, status=CampaignStatus.ACTIVE)
        for i in range(3):
            action = make_action(
                campaign,
                starts_at=now - timedelta(days=5 + i),
                lead=people[i],
                status=ActionStatus.DONE,
            )
            make_signup(action, people[(i + 1) % 4])
            db.session.add(
                Outcome(
                    action_id=action.id,
                    chapter_id=chapter.id,
                    people_reached=10 * i,
                    created_by_id=people[i].id,
                )
            )
    db.session.commit()


@pytest.mark.parametrize("path", list(BUDGET))
def test_the_dashboard_keeps_its_statement_budget_at_any_size(path, app, login_as, query_counter):
    staff = make_user(national_staff=True, kind="faculty")
    counts = []
    for size, prefix in ((3, "small"), (30, "large")):
        build(size if prefix == "small" else size - 3, prefix)  # 3, then 30 in all
        client = app.test_client()
        login_as(staff, client_=client)
        assert client.get(path).status_code == 200  # warm
        with query_counter() as statements:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{path}: {counts[0]} statements at 3, {counts[1]} at 30"
    assert counts[0] == BUDGET[path], f"{path}: {counts[0]} statements, budget {BUDGET[path]}"


def test_a_report_keeps_its_statement_budget_at_any_size(app, login_as, query_counter):
    staff = make_user(national_staff=True, kind="faculty")
    counts = []
    for size, prefix in ((3, "small"), (27, "large")):
        build(size, prefix)
        client = app.test_client()
        login_as(staff, client_=client)
        path = f"/c/{prefix}-000/report"
        assert client.get(path).status_code == 200
        with query_counter() as statements:
            assert client.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"report: {counts[0]} statements at 3, {counts[1]} at 30"
