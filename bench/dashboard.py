"""Time the national comparison dashboard in-process at 10, 100 and 1,000 chapters, on
SQLite and on PostgreSQL.

Usage: .venv/bin/python bench/dashboard.py [--chapters 10 100 1000] [--repeat 15]
                                           [--backends sqlite postgresql]
(or `make bench-dashboard`, with BENCH_ARGS for these options).

The network is the one `flask demo generate` writes (demo_network.py), grown in place:
10 chapters, then 90 more, then 900 more, so each size is measured on the same history.
SQLite uses a throwaway file; PostgreSQL the database named by BENCH_DATABASE_URL (default
relay_bench_dashboard on 127.0.0.1, wiped first, so its name must contain "bench"; it is
created if missing). National staff sign in through the login form of Flask's test client;
each page is fetched once to count its SQL statements and warm the caches, then --repeat
times for the median server time, the pages taking turns. Besides the dashboard (this
academic year, read from the per-chapter-per-month summary) it times the same year less its
first day: not whole months, so computed from the records, as every period was before.
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

from bench import common  # noqa: E402
from config import TestingConfig  # noqa: E402
from core import create_app  # noqa: E402
from core.db import utcnow  # noqa: E402
from core.extensions import db  # noqa: E402
from demo_network import demo_password_hash, random_plans, write_network  # noqa: E402
from national.period import offered_years  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/relay_bench_dashboard"
STAFF = "staff@relay.test"
PAGES = {
    "dashboard": "/network/compare",
    "per member, by people reached": "/network/compare?view=per_member"
    "&sort=people_reached&dir=desc",
}
# The same academic year less its first day: not whole months, so every metric is computed
# from the records (the path the per-month summary replaces), for comparison in one run.
LIVE = "live: year less its first day"


def live_path(app) -> str:
    with app.app_context():
        year = offered_years(utcnow().date(), app.config["ACADEMIC_YEAR_START_MONTH"])[0]
    first = year.first_day + timedelta(days=1)
    return f"/network/compare?start={first.isoformat()}&end={year.last_day.isoformat()}"


def grow(app, target: int, have: int) -> None:
    """Add chapters until the network has `target` generated ones."""
    with app.app_context():
        plans = random_plans(
            target - have, app.config["PROFESSIONS"], seed=have + 1, first=have + 1
        )
        started = time.perf_counter()
        write_network(plans, utcnow(), demo_password_hash(common.PASSWORD), seed=have + 1)
        common.analyze()
        print(
            f"  ({target - have} chapters written in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        db.session.remove()


def timed(client, engine, paths: dict[str, str], repeat: int) -> dict[str, tuple[float, int]]:
    """Each page's median server time and statements. The pages take turns, request by
    request, so a change in the machine's load falls on all of them alike."""
    counts: dict[str, int] = {}
    for label, path in paths.items():
        statements: list[int] = []

        def _count(*_args, into=statements):
            into.append(1)

        event.listen(engine, "before_cursor_execute", _count)
        response = client.get(path)
        event.remove(engine, "before_cursor_execute", _count)
        assert response.status_code == 200, (path, response.status_code)
        counts[label] = len(statements)
    timings: dict[str, list[float]] = {label: [] for label in paths}
    for _ in range(repeat):
        for label, path in paths.items():
            started = time.perf_counter()
            client.get(path)
            timings[label].append((time.perf_counter() - started) * 1000)
    return {label: (statistics.median(timings[label]), counts[label]) for label in paths}


def run_backend(name: str, url: str, sizes: list[int], repeat: int, tmp: Path) -> dict:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=str(tmp))
    with app.app_context():
        if url.startswith("postgresql"):
            common.wipe(url)
        upgrade()
        from accounts.services import create_user

        create_user(
            STAFF, "Bench Staff", common.PASSWORD, "Public Health", "faculty", national_staff=True
        )
        db.session.commit()
        engine = db.engine
        db.session.remove()
    client = app.test_client()
    results = {}
    have = 0
    for size in sizes:
        grow(app, size, have)
        have = size
        client = app.test_client()
        sign_in(client)
        measured = timed(client, engine, {**PAGES, LIVE: live_path(app)}, repeat)
        for label, (median, count) in measured.items():
            results[(size, label)] = (median, count)
            print(f"{name:>10} {size:>6} {label:<32} {median:>10.1f} {count:>8}", flush=True)
    engine.dispose()
    return results


def sign_in(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    form = {"csrf_token": common.csrf_token(html), "email": STAFF, "password": common.PASSWORD}
    assert client.post("/login", data=form).status_code == 302, "sign-in failed"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chapters", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    sizes = sorted(args.chapters)
    pg_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    print(f"{'backend':>10} {'chaps':>6} {'page':<32} {'median ms':>10} {'queries':>8}")
    table = {}
    for backend in args.backends:
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "postgresql":
                common.require_bench_database(pg_url)
                common.ensure_database(pg_url)
                url = pg_url
            else:
                url = f"sqlite:///{tmp}/bench.sqlite3"
            table[backend] = run_backend(backend, url, sizes, args.repeat, Path(tmp))

    print(f"\nServer time of the dashboard, median of {args.repeat} requests (ms, statements)")
    header = f"{'backend':<12}{'page':<32}" + "".join(f"{n:>16}" for n in sizes)
    print(header + f"{'ms per chapter, last':>22}")
    for backend, results in table.items():
        for label in (*PAGES, LIVE):
            cells = "".join(
                f"{results[(n, label)][0]:>10.1f} ({results[(n, label)][1]:>2})" for n in sizes
            )
            per_chapter = results[(sizes[-1], label)][0] / sizes[-1]
            print(f"{backend:<12}{label:<32}{cells}{per_chapter:>22.2f}")
    if "postgresql" in table and 1000 in sizes:
        full = table["postgresql"][(1000, "dashboard")][0]
        verdict = "meets" if full < 300 else "misses"
        print(f"\nPostgreSQL, 1,000 chapters: {full:.0f} ms ({verdict} the 300 ms target)")


if __name__ == "__main__":
    main()
