"""Time each demo chapter's report page and its PDF in-process on PostgreSQL.

Usage: .venv/bin/python bench/report.py [--repeat 5] [--chapters riverside great-lakes ...]
                                        [--jit off|on|server]
(or `make bench-report`, with BENCH_ARGS for these options).

The demo (`flask demo load`: two chapters built through the services, seven more with three
years of history) is loaded into the PostgreSQL database named by BENCH_DATABASE_URL
(default relay_bench_report on 127.0.0.1, created if missing and wiped first, so its name
must contain "bench"). National staff sign in through the login form of Flask's test
client; each chapter's page and PDF are fetched once (to count the page's SQL statements
and warm the caches), then --repeat times, the two taking turns; the table gives the
minimum, median and maximum server time in ms, and the median CPU time per request of the
app (its process and the PDF's renderer process) and of its PostgreSQL backend: on a busy
shared machine the times move with the neighbours' load, the CPU times much less.

--jit sets POSTGRES_JIT for the app's connections: `off` is the default, `on` (or `server`,
with PostgreSQL's own default of on) gives the figures from before JIT was turned off. The
PDF's per-person limit and time limit are raised out of the way, so a slow PDF is measured
rather than refused.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, select, text  # noqa: E402

from bench import common  # noqa: E402
from bench.harness import backend_pids, cpu_ms  # noqa: E402
from chapters.models import Chapter, Membership  # noqa: E402
from config import TestingConfig  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/relay_bench_report"
STAFF = "staff@relay.test"


def build(app, url: str) -> list[tuple[str, int]]:
    """Load the demo into an empty database; the chapters' slugs and active members."""
    with app.app_context():
        common.wipe(url)
        upgrade()
        common.load_demo_data()
        common.analyze()
        jit = db.session.scalar(text("SHOW jit"))
        chapters = db.session.execute(
            select(Chapter.slug, func.count(Membership.id))
            .outerjoin(
                Membership, (Membership.chapter_id == Chapter.id) & (Membership.status == "active")
            )
            .group_by(Chapter.id)
            .order_by(func.count(Membership.id).desc(), Chapter.slug)
        ).all()
        db.session.remove()
    print(f"jit on the app's connections: {jit}")
    return [(slug, members) for slug, members in chapters]


def sign_in(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    form = {"csrf_token": common.csrf_token(html), "email": STAFF, "password": common.PASSWORD}
    assert client.post("/login", data=form).status_code == 302, "sign-in failed"


def statements(client, engine, path: str) -> int:
    counted: list[int] = []

    def _count(*_args):
        counted.append(1)

    event.listen(engine, "before_cursor_execute", _count)
    response = client.get(path)
    event.remove(engine, "before_cursor_execute", _count)
    assert response.status_code == 200, (path, response.status_code)
    return len(counted)


def app_cpu_ms() -> float:
    """This process's CPU time so far, with that of its finished children (the PDF's
    renderer), in ms."""
    t = os.times()
    return (t.user + t.system + t.children_user + t.children_system) * 1000


def timed(client, paths: dict[str, str], repeat: int, backends: list[int]) -> dict[str, dict]:
    """Each path's server times and CPU times in ms; the paths take turns, request by
    request."""
    times: dict[str, dict] = {label: {"ms": [], "app": [], "db": []} for label in paths}
    for _ in range(repeat):
        for label, path in paths.items():
            app0, db0 = app_cpu_ms(), cpu_ms(backends)
            started = time.perf_counter()
            response = client.get(path)
            times[label]["ms"].append((time.perf_counter() - started) * 1000)
            times[label]["app"].append(app_cpu_ms() - app0)
            times[label]["db"].append(cpu_ms(backends) - db0)
            assert response.status_code == 200, (path, response.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--chapters", nargs="+", help="slugs (default: every demo chapter)")
    parser.add_argument("--jit", choices=["off", "on", "server"], default="off")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    common.require_bench_database(url)
    common.ensure_database(url)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=url,
            INSTANCE_PATH=tmp,
            POSTGRES_JIT=args.jit,
            REPORT_PDF_MAX_PER_PERSON=1_000_000,
            REPORT_PDF_SECONDS=600,
        )
        chapters = build(app, url)
        if args.chapters:
            chapters = [(slug, n) for slug, n in chapters if slug in args.chapters]
        with app.app_context():
            engine = db.engine
        client = app.test_client()
        sign_in(client)
        print(f"POSTGRES_JIT={args.jit}, {args.repeat} runs per page; times in ms")
        print(
            f"{'chapter':<14} {'members':>7} {'page':<7} {'min':>8} {'median':>8} {'max':>8}"
            f" {'app cpu':>8} {'db cpu':>8} {'statements':>10}"
        )
        for slug, members in chapters:
            paths = {"report": f"/c/{slug}/report", "pdf": f"/c/{slug}/report.pdf"}
            count = statements(client, engine, paths["report"])
            client.get(paths["pdf"])
            backends = backend_pids(url)  # the app's pooled connection, opened by now
            for label, t in timed(client, paths, args.repeat, backends).items():
                shown = str(count) if label == "report" else ""
                print(
                    f"{slug:<14} {members:>7} {label:<7} {min(t['ms']):>8.1f}"
                    f" {statistics.median(t['ms']):>8.1f} {max(t['ms']):>8.1f}"
                    f" {statistics.median(t['app']):>8.1f} {statistics.median(t['db']):>8.1f}"
                    f" {shown:>10}",
                    flush=True,
                )
        engine.dispose()


if __name__ == "__main__":
    main()
