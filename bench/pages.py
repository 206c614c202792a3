"""Time the busiest pages in-process, on the demo data and on a chapter of growing size.

Usage: .venv/bin/python bench/pages.py [--members 10 100 400] [--actions 300] [--repeat 30]
                                       [--no-demo]

Each data set is built in a fresh database: a throwaway SQLite file, or the PostgreSQL
database named by BENCH_DATABASE_URL (wiped before each data set, so its name must contain
"bench"; it is created if missing), e.g.
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/relay_bench_pages
A leader signs in through the login form of Flask's test client; each page is fetched
once to count its SQL statements, then --repeat times for the median and p95 in ms.
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
from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import common  # noqa: E402
from campaigns.models import Action, ActionSignup, Campaign, RotationPoolMember  # noqa: E402
from chapters.models import Chapter, Membership  # noqa: E402
from config import TestingConfig  # noqa: E402
from core import create_app  # noqa: E402
from core.db import utcnow  # noqa: E402
from core.extensions import db  # noqa: E402
from tests.factories import PASSWORD, make_user  # noqa: E402

PAGES = ["chapter home", "roster", "campaign", "action (lead suggestion)", "rotation fairness"]
PAGES += ["calendar", "calendar feed"]


def build_sized(members: int, actions: int) -> tuple[str, str, str, int, int]:
    """A chapter of `members` (3 leaders) and one campaign of `actions` actions, two thirds
    of them led, three sign-ups each; returns (slug, email, password, campaign, action)."""
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
        db.session.add(Membership(chapter=chapter, user=u, role="leader" if i < 3 else "member"))
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
        action = Action(
            campaign=campaign,
            title=f"Action {i}",
            starts_at=begins,
            ends_at=begins + timedelta(hours=1),
            lead_id=users[i % members].id if i % 3 else None,
        )
        db.session.add(action)
        for k in range(1, 4):
            db.session.add(ActionSignup(action=action, user=users[(i + k) % members]))
    db.session.commit()
    first_unled = db.session.scalar(
        select(Action.id)
        .where(Action.lead_id.is_(None), Action.starts_at > utcnow())
        .order_by(Action.starts_at)
    )
    return "bench", users[0].email, PASSWORD, campaign.id, first_unled


def build_demo() -> tuple[str, str, str, int, int]:
    common.load_demo_data()
    return (
        common.DEMO_SLUG,
        common.DEMO_LEADER,
        common.PASSWORD,
        common.campaign_id(common.DEMO_CAMPAIGN, common.DEMO_SLUG),
        common.first_unled_action(common.DEMO_CAMPAIGN, common.DEMO_SLUG),
    )


def sign_in(client, email: str, password: str) -> None:
    html = client.get("/login").get_data(as_text=True)
    form = {"csrf_token": common.csrf_token(html), "email": email, "password": password}
    response = client.post("/login", data=form)
    assert response.status_code == 302, f"sign-in as {email} failed"


def measure(label: str, build, url: str | None, repeat: int, tmp: Path) -> dict:
    url = url or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=str(tmp))
    results = {}
    with app.app_context():
        if url.startswith("postgresql"):
            common.wipe(url)
        upgrade()
        slug, email, password, campaign_id, action_id = build()
        common.analyze()
        engine = db.engine
        db.session.remove()
    # Each request below gets its own app context and session, as on a real server.
    client = app.test_client()
    sign_in(client, email, password)
    feed = common.feed_path(client.get(f"/c/{slug}/calendar").get_data(as_text=True))
    paths = {
        "chapter home": f"/c/{slug}",
        "roster": f"/c/{slug}/roster",
        "campaign": f"/c/{slug}/campaigns/{campaign_id}",
        "action (lead suggestion)": f"/c/{slug}/actions/{action_id}",
        "rotation fairness": f"/c/{slug}/rotation",
        "calendar": f"/c/{slug}/calendar",
        "calendar feed": feed,
    }
    for name, path in paths.items():
        count = []

        def _count(*_args, _count=count):
            _count.append(1)

        event.listen(engine, "before_cursor_execute", _count)
        response = client.get(path)
        event.remove(engine, "before_cursor_execute", _count)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.get_data())
        timings = []
        for _ in range(repeat):
            t = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - t) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        median = statistics.median(timings)
        results[name] = (median, len(count))
        print(
            f"{label:>8} {name:<26} {median:>10.1f} {p95:>8.1f} {len(count):>8} "
            f"{size / 1024:>8.1f}",
            flush=True,
        )
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, nargs="+", default=[10, 100, 400])
    parser.add_argument("--actions", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-demo", action="store_true", help="skip the demo data set")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or None
    if url and url.startswith("postgresql"):
        common.require_bench_database(url)
        common.ensure_database(url)
    print(f"database: {make_url(url).render_as_string() if url else 'SQLite (temporary file)'}")
    print(f"{'data':>8} {'page':<26} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KiB':>8}")
    sets = [] if args.no_demo else [("demo", build_demo)]
    sets += [(f"{n} mem", lambda n=n: build_sized(n, args.actions)) for n in args.members]
    table = {}
    for label, build in sets:
        with tempfile.TemporaryDirectory() as tmp:
            table[label] = measure(label, build, url, args.repeat, Path(tmp))

    labels = list(table)
    print(f"\nmedian ms (statements); sized sets have {args.actions} actions")
    print(f"{'page':<26}" + "".join(f"{label:>14}" for label in labels) + f"{'last/first':>12}")
    sized = [label for label in labels if label != "demo"]
    for page in PAGES:
        cells = "".join(f"{table[lb][page][0]:>8.1f} ({table[lb][page][1]:>2})" for lb in labels)
        ratio = ""
        if len(sized) > 1:
            ratio = f"{table[sized[-1]][page][0] / table[sized[0]][page][0]:>11.1f}x"
        print(f"{page:<26}{cells}{ratio}")


if __name__ == "__main__":
    main()
