"""Servers and load for bench/load.py: gunicorn on free loopback ports, and wrk runs read
back through bench/wrk_report.lua."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT, USER_AGENT

LUA = Path(__file__).resolve().parent / "wrk_report.lua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_gunicorn(name: str, target: str, env: dict, workers: int, logdir: Path) -> Server:
    port = free_port()
    log = logdir / f"{name}.log"
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
        target,
    ]
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
    server = Server(name, port, proc, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn for {name} exited; see {log}:\n{log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login" if name == "relay" else "/")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn for {name} did not answer within 30 s; see {log}")


def drain(server: Server, workers: int, path: str) -> float:
    """Wait until the requests wrk left queued are served: sync workers still answer
    every connection in their backlog after wrk hangs up, which would slow the next run.
    One cheap request per worker, all at once, come back only when the queue ahead of
    them is through. Returns the seconds waited."""
    t = time.perf_counter()

    def one(_n):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        conn.request("GET", path, headers={"User-Agent": USER_AGENT})
        conn.getresponse().read()
        conn.close()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(workers)))
    return time.perf_counter() - t


def stop(server: Server) -> None:
    if server.proc.poll() is not None:
        return
    try:
        os.killpg(server.proc.pid, signal.SIGTERM)
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=5)
    except ProcessLookupError:
        pass


# --- wrk --------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0:
        print("wrk is missing: running `make bench-deps` (apt-get install wrk)")
        subprocess.run(["make", "bench-deps"], cwd=ROOT, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("wrk is needed: run `make bench-deps` as root, or `sudo apt-get install wrk`.")


def seconds(duration: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    if duration[-1] in units:
        return float(duration[:-1]) * units[duration[-1]]
    return float(duration)


@dataclass
class Run:
    name: str
    rate: float
    p50_ms: float
    p99_ms: float
    non_ok: int
    timeouts: int
    errors: int
    kib: float
    statuses: dict
    requests: int = 0
    app_cpu_ms: float = 0.0  # CPU time of the server's processes per request
    db_cpu_ms: float = 0.0  # CPU time of its PostgreSQL backends per request


def run_wrk(wrk: str, args, name: str, url: str, headers: dict, ok=(200,), duration=None) -> Run:
    duration = duration or args.duration
    cmd = [
        wrk,
        "--threads",
        str(args.threads),
        "--connections",
        str(args.connections),
        "--duration",
        duration,
        "--timeout",
        args.timeout,
        "--script",
        str(LUA),
        "--header",
        f"User-Agent: {USER_AGENT}",
    ]
    for key, value in headers.items():
        cmd += ["--header", f"{key}: {value}"]
    cmd.append(url)
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=seconds(duration) + 60, check=False
    )
    line = next(
        (x for x in done.stdout.splitlines() if x.startswith("RELAY_BENCH ")),
        None,
    )
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed for {name}: {done.stdout[-1500:]}{done.stderr[-1500:]}")
    r = json.loads(line.removeprefix("RELAY_BENCH "))
    statuses = {int(k): v for k, v in r["statuses"].items()}
    non_ok = sum(n for status, n in statuses.items() if status not in ok)
    return Run(
        name=name,
        rate=r["requests"] / (r["duration_us"] / 1e6),
        p50_ms=r["p50_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        non_ok=non_ok,
        timeouts=r["timeouts"],
        errors=r["connect_errors"] + r["read_errors"] + r["write_errors"],
        kib=r["bytes"] / max(1, r["requests"]) / 1024,
        statuses=statuses,
        requests=r["requests"],
    )


# --- CPU time per request ------------------------------------------------------------------
# A rate measured on a busy machine says as much about the neighbours as about the page; the
# CPU time the server and its database spend per request hardly depends on them.

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ms(pids: list[int]) -> float:
    """User + system CPU time of these processes so far, in ms (vanished ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total * 1000 / _TICKS


def worker_pids(server: Server) -> list[int]:
    """The gunicorn master and its workers."""
    pids = [server.proc.pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == server.proc.pid:
                pids.append(int(entry.name))
    return pids


def backend_pids(database_url: str) -> list[int]:
    """The PostgreSQL server processes serving connections to this database."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return []
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (url.database,),
        ).fetchall()
    return [pid for (pid,) in rows]


def run_wrk_with_cpu(
    wrk: str, args, server: Server, database_url: str | None, name, url, headers, ok=(200,)
) -> Run:
    """run_wrk, plus the CPU the server (and its database backends) spent per request."""
    apps = worker_pids(server)
    backends = backend_pids(database_url) if database_url else []
    app0, db0 = cpu_ms(apps), cpu_ms(backends)
    run = run_wrk(wrk, args, name, url, headers, ok)
    # Backends opened during the run are missed; the warm-up opens every worker's first.
    n = max(1, run.requests)
    run.app_cpu_ms = (cpu_ms(apps) - app0) / n
    run.db_cpu_ms = (cpu_ms(backends) - db0) / n
    return run
