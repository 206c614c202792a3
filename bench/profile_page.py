"""Profile one page in-process, signed in as the bench database's large-chapter leader.

Usage: .venv/bin/python bench/profile_page.py [--page overview] [--requests 200] [--sort tottime]
                                          [--top 40] [--out FILE.pstats]

Needs the bench database that bench/load.py builds (BENCH_DATABASE_URL or the default
relay_bench on 127.0.0.1), which it migrates to the latest schema first. The app runs
in the production configuration, as under gunicorn; each request gets its own app
context and session, through Flask's test client. Prints the time per request, the SQL
statements per request, and cProfile's top functions; --out keeps the raw profile for
snakeviz or pstats.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from bench import common  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/relay_bench"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", default="overview")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out")
    parser.add_argument("--demo", action="store_true", help="the demo chapter, not the large")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    common.require_bench_database(url)
    tmp = tempfile.mkdtemp()
    from config import ProductionConfig
    from core import create_app
    from core.extensions import db

    app = create_app(
        ProductionConfig,
        SECRET_KEY=secrets.token_hex(32),
        SQLALCHEMY_DATABASE_URI=url,
        INSTANCE_PATH=tmp,
        MAIL_DIR=tmp,
        BASE_URL="http://127.0.0.1",
        TRUSTED_HOSTS=["localhost"],  # the test client's host
    )
    # Two pages that show the fixed cost of a signed-in request: nothing, and the layout.
    from flask import render_template
    from flask_login import login_required

    app.add_url_rule("/_bench/empty", "bench_empty", login_required(lambda: "ok"))
    app.add_url_rule(
        "/_bench/layout", "bench_layout", login_required(lambda: render_template("base.html"))
    )
    slug = common.DEMO_SLUG if args.demo else common.LARGE_SLUG
    leader = common.DEMO_LEADER if args.demo else common.LARGE_LEADER
    title = common.DEMO_CAMPAIGN if args.demo else common.LARGE_CAMPAIGN
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()  # a bench database built by an older release gets the new tables
        paths = {
            "overview": f"/c/{slug}",
            "campaign": f"/c/{slug}/campaigns/{common.campaign_id(title, slug)}",
            "action": f"/c/{slug}/actions/{common.first_unled_action(title, slug)}",
            "rotation": f"/c/{slug}/rotation",
            "roster": f"/c/{slug}/roster",
            "home": "/",
            "calendar": f"/c/{slug}/calendar",
            "empty": "/_bench/empty",
            "layout": "/_bench/layout",
        }
        engine = db.engine
    client = app.test_client()
    # As behind a TLS proxy: secure cookies, and the Referer that CSRF checks on https.
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/"})
    html = client.get("/login").get_data(as_text=True)
    form = {"csrf_token": common.csrf_token(html), "email": leader, "password": common.PASSWORD}
    assert client.post("/login", data=form).status_code == 302, "sign-in failed"
    path = paths.get(args.page, args.page)
    headers = {}
    if args.page in ("feed", "feed-304"):
        # A calendar app polls the feed without the session cookie.
        path = common.feed_path(client.get(paths["calendar"]).get_data(as_text=True))
        client = app.test_client()
        client.environ_base.update({"wsgi.url_scheme": "https"})
        if args.page == "feed-304":
            headers = {"If-None-Match": client.get(path, headers=headers).headers["ETag"]}
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *_a: statements.append(1))
    response = client.get(path, headers=headers)
    assert response.status_code in (200, 304), (path, response.status_code)
    per_request = len(statements)
    for _ in range(20):
        client.get(path, headers=headers)
    profiler = cProfile.Profile()
    t = time.perf_counter()
    profiler.enable()
    for _ in range(args.requests):
        client.get(path, headers=headers)
    profiler.disable()
    elapsed = (time.perf_counter() - t) * 1000 / args.requests
    print(f"{path}: {elapsed:.2f} ms per request under cProfile, {per_request} statements")
    t, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.requests):
        client.get(path, headers=headers)
    wall = (time.perf_counter() - t) * 1000 / args.requests
    cpu = (time.process_time() - cpu) * 1000 / args.requests
    print(f"without the profiler: {wall:.2f} ms wall, {cpu:.2f} ms of this process's CPU")
    calls = pstats.Stats(profiler).total_calls / args.requests  # type: ignore[attr-defined]
    print(f"{calls:,.0f} Python function calls per request (steady whatever the machine does)")
    if args.out:
        profiler.dump_stats(args.out)
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
