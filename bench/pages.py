"""Time the busiest pages on a chapter of growing size; prints milliseconds per request.

Usage: .venv/bin/python bench/pages.py [--members 10 100 400] [--repeat 30]
Runs against a throwaway SQLite database (or DATABASE_URL if BENCH_DATABASE_URL is set).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from accounts.services import start_session  # noqa: E402
from campaigns.models import Action, Campaign, RotationPoolMember  # noqa: E402
from chapters.models import Chapter, Membership  # noqa: E402
from config import TestingConfig  # noqa: E402
from core import create_app  # noqa: E402
from core.db import utcnow  # noqa: E402
from core.extensions import db  # noqa: E402
from tests.factories import make_user  # noqa: E402


def build(members: int, actions: int, url: str, tmp: Path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=str(tmp))
    with app.app_context():
        upgrade()
        chapter = Chapter(
            name="Bench",
            slug="bench",
            institution="U",
            region="R",
            timezone="America/Chicago",
            status="active",
        )
        db.session.add(chapter)
        professions = ["Medicine", "Nursing", "Pharmacy", "Social Work", "Public Health"]
        users = [make_user(profession=professions[i % 5], commit=False) for i in range(members)]
        db.session.flush()
        for i, u in enumerate(users):
            db.session.add(
                Membership(chapter=chapter, user=u, role="leader" if i < 3 else "member")
            )
        campaign = Campaign(
            chapter=chapter,
            title="Bench campaign",
            start_date=utcnow().date(),
            end_date=utcnow().date(),
            status="active",
            created_by_id=users[0].id,
        )
        db.session.add(campaign)
        db.session.flush()
        for u in users:
            db.session.add(RotationPoolMember(campaign_id=campaign.id, user_id=u.id))
        for i in range(actions):
            begins = utcnow() + timedelta(days=i % 60 - 20, hours=i % 7)
            db.session.add(
                Action(
                    campaign=campaign,
                    title=f"Action {i}",
                    starts_at=begins,
                    ends_at=begins + timedelta(hours=1),
                    lead_id=users[i % members].id if i % 3 else None,
                )
            )
        db.session.commit()
        with app.test_request_context():
            key = start_session(users[0], remember=False)
            db.session.commit()
        first_unled = db.session.scalar(
            db.select(Action.id).where(Action.lead_id.is_(None), Action.starts_at > utcnow())
        )
        return app, key, campaign.id, first_unled


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, nargs="+", default=[10, 100, 400])
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(f"{'members':>8} {'page':<28} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for members in args.members:
        with tempfile.TemporaryDirectory() as tmp:
            url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
            app, key, campaign_id, action_id = build(members, args.actions, url, Path(tmp))
            client = app.test_client()
            with client.session_transaction() as sess:
                sess["_user_id"] = key
            pages = {
                "chapter home": "/c/bench",
                "roster": "/c/bench/roster",
                "campaign": f"/c/bench/campaigns/{campaign_id}",
                "action (lead suggestion)": f"/c/bench/actions/{action_id}",
                "rotation fairness": "/c/bench/rotation",
                "calendar": "/c/bench/calendar",
            }
            for name, path in pages.items():
                count = []

                def _count(*_args, _count=count):
                    _count.append(1)

                with app.app_context():
                    event.listen(db.engine, "before_cursor_execute", _count)
                    assert client.get(path).status_code == 200, path
                    event.remove(db.engine, "before_cursor_execute", _count)
                timings = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    client.get(path)
                    timings.append((time.perf_counter() - t) * 1000)
                timings.sort()
                p95 = timings[int(len(timings) * 0.95) - 1]
                print(
                    f"{members:>8} {name:<28} {statistics.median(timings):>10.1f} {p95:>8.1f} "
                    f"{len(count):>8}"
                )


if __name__ == "__main__":
    main()
