"""Load test: Relay's main pages under gunicorn and wrk, each next to a bare Flask hello-world.

Usage: .venv/bin/python bench/load.py [--pages overview campaign ...] [--duration 10s]
                                      [--connections 16] [--threads 2] [--rebuild]

1. Creates or reuses a PostgreSQL database (BENCH_DATABASE_URL or --database-url; default
   relay_bench on 127.0.0.1): migrations, the demo data, and a large chapter (200 members,
   a campaign of 300 actions with sign-ups and lead history, 100 other chapters).
2. Starts gunicorn (4 sync workers) twice on free loopback ports: Relay in production
   configuration (wsgi:app) and bench/hello.py under the same settings.
3. Signs in through the login form, once per person (the login throttle stays untouched),
   and keeps the session cookie as a browser would.
4. Runs wrk for each page, alternating with the hello-world (hello, page, hello, page, ...,
   hello); each page's rate is compared with the mean of the two hello runs around it.
5. Prints one table, and stops both servers whatever happens.

Needs wrk (`make bench-deps`, or `apt-get install wrk`). Not part of `make test`.
"""

import argparse
import http.client
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from bench.common import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    DEMO_CAMPAIGN,
    DEMO_LEADER,
    DEMO_SLUG,
    LARGE_CAMPAIGN,
    LARGE_LEADER,
    LARGE_SLUG,
    PASSWORD,
    USER_AGENT,
)
from bench.harness import (  # noqa: E402
    Run,
    Server,
    drain,
    ensure_wrk,
    run_wrk,
    run_wrk_with_cpu,
    seconds,
    start_gunicorn,
    stop,
)

BENCH = Path(__file__).resolve().parent

# name -> (who signs in, chapter slug, what to fetch); paths filled in by discover().
PAGES = [
    "overview",
    "campaign",
    "action",
    "rotation",
    "roster",
    "feed",
    "feed-conditional",
    "demo-overview",
    "demo-campaign",
    "demo-action",
    "demo-rotation",
    "demo-roster",
    "demo-feed",
]


# --- small HTTP client with a cookie kept by hand ---------------------------------------------
# (Secure cookies are not sent back over plain http by cookie jars; a browser behind TLS would.)


@dataclass
class Browser:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: dict | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = {"User-Agent": USER_AGENT, "Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            h["Cookie"] = self.cookie_header()
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        set_cookies = resp.headers.get_all("Set-Cookie") or []
        for raw in set_cookies:
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=thu, 01 jan 1970" in raw.lower() or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        conn.close()
        return resp, text, set_cookies

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def get(self, path: str, headers=None):
        return self.request("GET", path, headers=headers)

    def login(self, email: str, password: str, check_path: str) -> None:
        resp, html, _ = self.get("/login")
        if resp.status != 200:
            raise RuntimeError(f"GET /login answered {resp.status}")
        form = {"csrf_token": common.csrf_token(html), "email": email, "password": password}
        resp, html, _ = self.request("POST", "/login", form)
        if resp.status != 302:
            raise RuntimeError(f"Sign-in as {email} failed ({resp.status}): {html[:300]}")
        # The first page after signing in stores the layout's CSRF token in the session
        # (a new cookie); take it, as a browser would, so wrk's requests change nothing.
        for _ in range(2):
            resp, _html, _ = self.get(check_path)
            if resp.status != 200:
                raise RuntimeError(f"Signed in as {email}, but {check_path} gave {resp.status}")
        _resp, _html, set_cookies = self.get(check_path)
        if set_cookies:
            print(f"  note: {check_path} sets a cookie on every request: {set_cookies[0][:60]}...")


# --- servers ----------------------------------------------------------------------------------


# --- the bench --------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    path: str
    browser: Browser
    headers: dict = field(default_factory=dict)
    ok: tuple = (200,)
    note: str = ""

    def all_headers(self) -> dict:
        if not self.browser.cookies:
            return dict(self.headers)
        return {**self.headers, "Cookie": self.browser.cookie_header()}


def prepare_database(url: str, rebuild: bool) -> dict:
    """Build (or reuse) the bench database; return the ids the pages need."""
    from flask_migrate import upgrade

    from config import TestingConfig
    from core import create_app
    from core.extensions import db

    common.require_bench_database(url)
    common.ensure_database(url)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=tmp)
        with app.app_context():
            if rebuild:
                print("Rebuilding: dropping every table")
                common.wipe(url)
            upgrade()
            if common.large_chapter_built():
                print("Reusing the bench database (demo + large chapter already loaded)")
            else:
                if common.has_users():
                    raise SystemExit(
                        "The database has data but no large chapter: rerun with --rebuild."
                    )
                t = time.perf_counter()
                common.load_demo_data()
                common.build_large_chapter()
                print(f"Built the bench database in {time.perf_counter() - t:.1f} s")
            common.analyze()  # planner statistics, also for a database built earlier
            ids = {
                "campaign": common.campaign_id(LARGE_CAMPAIGN, LARGE_SLUG),
                "action": common.first_unled_action(LARGE_CAMPAIGN, LARGE_SLUG),
                "demo-campaign": common.campaign_id(DEMO_CAMPAIGN, DEMO_SLUG),
                "demo-action": common.first_unled_action(DEMO_CAMPAIGN, DEMO_SLUG),
            }
            db.session.remove()
            db.engine.dispose()
    return ids


def targets(port: int, ids: dict, wanted: list[str]) -> list[Target]:
    out = []
    need_large = any(not n.startswith("demo-") for n in wanted)
    need_demo = any(n.startswith("demo-") for n in wanted)
    sessions = {}
    if need_large:
        sessions[LARGE_SLUG] = Browser(port)
        sessions[LARGE_SLUG].login(LARGE_LEADER, PASSWORD, f"/c/{LARGE_SLUG}")
    if need_demo:
        sessions[DEMO_SLUG] = Browser(port)
        sessions[DEMO_SLUG].login(DEMO_LEADER, PASSWORD, f"/c/{DEMO_SLUG}")
    for name in wanted:
        demo = name.startswith("demo-")
        slug = DEMO_SLUG if demo else LARGE_SLUG
        page = name.removeprefix("demo-")
        browser = sessions[slug]
        prefix = "demo-" if demo else ""
        if page == "overview":
            out.append(Target(name, f"/c/{slug}", browser))
        elif page == "campaign":
            out.append(Target(name, f"/c/{slug}/campaigns/{ids[prefix + 'campaign']}", browser))
        elif page == "action":
            out.append(Target(name, f"/c/{slug}/actions/{ids[prefix + 'action']}", browser))
        elif page == "rotation":
            out.append(Target(name, f"/c/{slug}/rotation", browser))
        elif page == "roster":
            out.append(Target(name, f"/c/{slug}/roster", browser))
        elif page in ("feed", "feed-conditional"):
            resp, html, _ = browser.get(f"/c/{slug}/calendar")
            path = common.feed_path(html) if resp.status == 200 else None
            if path is None:
                raise RuntimeError(f"No chapter feed address on /c/{slug}/calendar")
            # A calendar app polls the feed without the session cookie.
            anonymous = Browser(port)
            if page == "feed":
                out.append(Target(name, path, anonymous))
                continue
            resp, _body, _ = anonymous.get(path)
            headers, note = {}, ""
            if resp.getheader("ETag"):
                headers["If-None-Match"] = resp.getheader("ETag")
            if resp.getheader("Last-Modified"):
                headers["If-Modified-Since"] = resp.getheader("Last-Modified")
            if headers:
                check, _b, _ = anonymous.get(path, headers)
                note = f"conditional ({', '.join(headers)}): first answer {check.status}"
            else:
                note = "no ETag/Last-Modified: plain 200 run"
            out.append(Target(name, path, anonymous, headers, ok=(200, 304), note=note))
    return out


def fmt_table(rows: list[tuple[Run, float]], hellos: list[Run], notes: list[str]) -> str:
    head = (
        f"{'page':<18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} "
        f"{'timeouts/err':>12} {'KiB':>6} {'hello r/s':>9} {'of hello':>8} "
        f"{'app cpu':>8} {'db cpu':>7} {'cpu of hello':>12}"
    )
    hello_cpu = statistics.median(h.app_cpu_ms for h in hellos)
    lines = [head, "-" * len(head)]
    for run, hello_rate in rows:
        share = run.rate / hello_rate * 100 if hello_rate else 0.0
        lines.append(
            f"{run.name:<18} {run.rate:>8.1f} {run.p50_ms:>8.1f} {run.p99_ms:>8.1f} "
            f"{run.non_ok:>8} {f'{run.timeouts}/{run.errors}':>12} {run.kib:>6.1f} "
            f"{hello_rate:>9.1f} {share:>7.1f}% {run.app_cpu_ms:>8.2f} {run.db_cpu_ms:>7.2f} "
            f"{cpu_share(hello_cpu, run):>11.1f}%"
        )
    rates = [h.rate for h in hellos]
    lines.append(
        f"{'hello (all runs)':<18} {statistics.median(rates):>8.1f} "
        f"{statistics.median(h.p50_ms for h in hellos):>8.1f} "
        f"{statistics.median(h.p99_ms for h in hellos):>8.1f} "
        f"{sum(h.non_ok for h in hellos):>8} "
        f"{f'{sum(h.timeouts for h in hellos)}/{sum(h.errors for h in hellos)}':>12} "
        f"{statistics.median(h.kib for h in hellos):>6.1f} "
        f"{f'min {min(rates):.0f}, max {max(rates):.0f}':>18} {'':>8} {hello_cpu:>8.2f}"
    )
    legend = [
        "",
        "app cpu / db cpu: ms of CPU time that gunicorn's processes / the PostgreSQL backends",
        "spent per request; 'cpu of hello' = hello's app cpu / (the page's app + db cpu): the",
        "share it would reach on an otherwise idle machine where CPU is the limit. The rate",
        "share depends on what else the machine runs; the CPU share hardly does.",
    ]
    return "\n".join(lines + notes + legend)


def cpu_share(hello_cpu: float, run: Run) -> float:
    spent = run.app_cpu_ms + run.db_cpu_ms
    return hello_cpu / spent * 100 if spent else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--rebuild", action="store_true", help="drop everything and rebuild")
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=PAGES)
    parser.add_argument("--duration", default="10s", help="per wrk run (wrk syntax: 10s, 1m)")
    parser.add_argument("--warmup", default="2s", help="unreported run per page first; 0 skips")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--timeout",
        default="10s",
        help="wrk's per-request timeout; a slower response counts as a timeout and is left "
        "out of the percentiles, so keep it well above the p99",
    )
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows up when piped to a file
    if args.threads > args.connections:
        parser.error("--threads must not exceed --connections")

    wrk = ensure_wrk()
    ids = prepare_database(args.database_url, args.rebuild)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="relay-bench-") as tmp:
        logdir = Path(tmp)
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "RELAY_"))}
        relay_env = {
            **base_env,
            "RELAY_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": args.database_url,
            "RELAY_INSTANCE_PATH": str(logdir / "instance"),
            "MAIL_DIR": str(logdir / "mail"),
            "BASE_URL": "http://127.0.0.1",
        }
        relay_env.pop("REDIS_URL", None)
        try:
            relay = start_gunicorn("relay", "wsgi:app", relay_env, args.workers, logdir)
            servers.append(relay)
            hello = start_gunicorn("hello", "bench.hello:app", base_env, args.workers, logdir)
            servers.append(hello)
            print(
                f"gunicorn x{args.workers} sync workers: relay on {relay.base}, "
                f"hello on {hello.base}; wrk -t{args.threads} -c{args.connections} "
                f"-d{args.duration} --timeout {args.timeout}"
            )
            pages = targets(relay.port, ids, args.pages)
            if seconds(args.warmup) > 0:
                print(f"Warming up ({args.warmup} per page)...")
                run_wrk(wrk, args, "hello", hello.base + "/", {}, duration=args.warmup)
                drain(hello, args.workers, "/")
                for t in pages:
                    url = relay.base + t.path
                    run_wrk(wrk, args, t.name, url, t.all_headers(), t.ok, args.warmup)
                    drain(relay, args.workers, "/login")

            def hello_run() -> Run:
                return run_wrk_with_cpu(wrk, args, hello, None, "hello", hello.base + "/", {})

            hellos = [hello_run()]
            drain(hello, args.workers, "/")
            runs = []
            for t in pages:
                run = run_wrk_with_cpu(
                    wrk,
                    args,
                    relay,
                    args.database_url,
                    t.name,
                    relay.base + t.path,
                    t.all_headers(),
                    t.ok,
                )
                waited = drain(relay, args.workers, "/login")
                if waited > 1:
                    print(f"  ({t.name}: {waited:.1f} s to serve what wrk left queued)")
                hellos.append(hello_run())
                drain(hello, args.workers, "/")
                adjacent = (hellos[-2].rate + hellos[-1].rate) / 2
                print(
                    f"  {t.name:<18} {run.rate:7.1f} req/s   hello {hellos[-2].rate:7.1f} / "
                    f"{hellos[-1].rate:7.1f}   {run.rate / adjacent * 100:5.1f}%",
                    flush=True,
                )
                runs.append((t, run, adjacent))
        finally:
            for server in reversed(servers):
                stop(server)
            for server in servers:
                text = server.log.read_text() if server.log.exists() else ""
                problems = [x for x in text.splitlines() if "Traceback" in x or "ERROR" in x]
                if problems:
                    print(
                        f"  {server.name} log has {len(problems)} error lines, e.g. {problems[0]}"
                    )

    notes = []
    for t, run, _ in runs:
        odd = {s: n for s, n in run.statuses.items() if s not in t.ok}
        if run.rate == 0:
            notes.append(f"{t.name}: no response completed within the run")
        if t.note:
            notes.append(f"{t.name}: {t.note}; statuses {run.statuses}")
        elif odd:
            notes.append(f"{t.name}: unexpected statuses {odd}")
    print()
    print(
        f"Relay vs hello-world: gunicorn {args.workers} sync workers, wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration} (timeout {args.timeout}), "
        f"{os.cpu_count()} CPUs; 'of hello' = page rate / mean of the hello runs before and after"
    )
    print(fmt_table([(run, adj) for _t, run, adj in runs], hellos, notes))


if __name__ == "__main__":
    main()
