"""Relay started as deploy/ and the README's deploy section start it, on loopback.

The committed files are used as an operator uses them, with this run's ports and paths put
in place of the example ones (each replacement must find its text, so a changed file fails
here rather than being silently tested in an old shape):

- deploy/relay.env.example, filled in, is the environment file. The services read it the
  way systemd's EnvironmentFile= does; the commands run by hand go through deploy/relay-flask,
  which sources it with sh.
- deploy/systemd/*.service: the ExecStart, WorkingDirectory and Environment= lines start
  the two gunicorn instances (relay-web@PORT) and the mail worker (relay-mail).
- deploy/nginx/relay.conf is the nginx site, TLS included (a certificate made for this run),
  inside a small nginx.conf of the harness's own (Debian's would add sites-enabled/).

Outside: PostgreSQL (a database made for the run and dropped after it), Redis (its keys
from this run deleted after it) and an SMTP server (aiosmtpd, in this process).
"""

import os
import random
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import redis
from sqlalchemy.engine import make_url

from tests_deploy.mailbox import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
START_TIMEOUT = 60.0  # seconds for one server to answer after starting
STOP_TIMEOUT = 20.0

# The example paths and names in deploy/ that an operator changes, as this run changes them.
EXAMPLE_CHECKOUT = "/srv/relay"
EXAMPLE_HOST = "relay.example.org"
EXAMPLE_WEB_PORTS = ("8001", "8002")

PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


def find_nginx() -> str | None:
    return os.environ.get("RELAY_NGINX") or shutil.which("nginx", path=PATH)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def choose_ports(count: int) -> list[int]:
    """Free loopback ports: from RELAY_DEPLOY_PORTS (e.g. 18280-18289) when set, else any."""
    spec = os.environ.get("RELAY_DEPLOY_PORTS")
    if spec:
        low, high = (int(p) for p in spec.split("-"))
        free = [p for p in range(low, high + 1) if _port_is_free(p)]
        assert len(free) >= count, f"RELAY_DEPLOY_PORTS={spec}: fewer than {count} free ports"
        return free[:count]
    sockets = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def render(text: str, replacements: dict[str, str], source: str) -> str:
    for old, new in replacements.items():
        assert old in text, f"{source} no longer contains {old!r}: update tests_deploy/stack.py"
        text = text.replace(old, new)
    return text


def read_unit(path: Path) -> dict[str, list[str]]:
    """The [Service] section of a systemd unit: each key's values, in order."""
    values: dict[str, list[str]] = {}
    section = ""
    logical = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not logical and (not line or line.startswith(("#", ";"))):
            continue
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        line, logical = logical + line, ""
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service":
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (quotes removed)."""
    env = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def render_env_file(settings: dict[str, str | None]) -> str:
    """deploy/relay.env.example with these settings filled in (None: commented out)."""
    lines = (DEPLOY / "relay.env.example").read_text().splitlines()
    for key, value in settings.items():
        found = [i for i, line in enumerate(lines) if re.match(rf"#?{key}=", line)]
        assert found, f"{key} is not in deploy/relay.env.example"
        for i in found:
            if value is None:
                lines[i] = "#" + lines[i].lstrip("#")
            else:
                lines[i] = f'{key}="{value}"' if " " in value else f"{key}={value}"
    return "\n".join(lines) + "\n"


class Process:
    """A server started in its own process group, its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, log: Path):
        self.name, self.argv, self.env, self.cwd, self.log = name, argv, env, cwd, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            out.write(f"$ {' '.join(self.argv)}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self) -> None:
        assert self.alive(), f"{self.name} exited:\n{tail(self.log)}"

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, as systemctl stop sends; SIGKILL to the group if it outlasts `timeout`."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=timeout)
        with suppress(ProcessLookupError, PermissionError):  # what is left of its group
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.wait(timeout=5)
        return proc.returncode


def tail(path: Path, chars: int = 6000) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return text[-chars:]


def wait_for(check, timeout: float, what: str, interval: float = 0.2):
    """Call `check` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (httpx.HTTPError, OSError, AssertionError) as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout:.0f} s (last: {last!r})")


@dataclass
class Stack:
    tmp: Path
    # "" for a site at the root of its host, or a path such as "/relay" (BASE_URL ends with
    # it; nginx/relay.conf is changed as its comment says).
    subpath: str = ""
    tag: str = field(default_factory=lambda: secrets.token_hex(4))
    processes: dict[str, Process] = field(default_factory=dict)
    cleanups: list = field(default_factory=list)

    def __post_init__(self) -> None:
        https, http, web_a, web_b, smtp = choose_ports(5)
        self.https_port, self.http_port, self.smtp_port = https, http, smtp
        self.web_ports = [web_a, web_b]
        self.host = f"127.0.0.1:{https}"
        self.base_url = f"https://{self.host}{self.subpath}"
        # This run's client address: a loopback address of its own, so that throttles
        # counted per address (in a Redis shared with earlier runs) are this run's alone.
        self.client_address = (
            f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"  # noqa: E501
        )
        admin = make_url(
            _setting("RELAY_DEPLOY_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        )
        self.db_name = f"{_setting('RELAY_DEPLOY_DB_PREFIX', 'relay_deploy_')}{self.tag}"
        self.admin_dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
        self.database_url = admin.set(
            drivername="postgresql+psycopg", database=self.db_name
        ).render_as_string(hide_password=False)  # noqa: E501
        self.redis_url = _setting("RELAY_DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/0")
        self.secret_key = secrets.token_hex(32)
        self.logs: dict[str, Path] = {}
        self.env_file = self.tmp / "relay.env"
        self.cert = self.tmp / "tls" / "cert.pem"
        self.smtp: SmtpServer | None = None
        self.emails_used: set[str] = set()

    # --- the pieces ----------------------------------------------------------------------

    def settings(self) -> dict[str, str | None]:
        """What this run writes into relay.env (the README's list, with its own values)."""
        return {
            "RELAY_ENV": "production",
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "BASE_URL": self.base_url,
            "TRUSTED_HOSTS": "127.0.0.1",
            "PROXY_COUNT": "1",
            "WEB_CONCURRENCY": "2",
            "REDIS_URL": self.redis_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.smtp_port),
            "MAIL_USE_TLS": None,
            "MAIL_USERNAME": None,
            "MAIL_PASSWORD": None,
            "MAIL_FROM": "Relay <relay@example.org>",
            # Retries come quickly, so that mail refused while an instance is stopped arrives
            # within the run.
            "MAIL_RETRY_SECONDS": "2",
            "RELAY_INSTANCE_PATH": str(self.tmp / "instance"),
        }

    def base_env(self) -> dict[str, str]:
        """What systemd gives a service before its own settings: no caller's environment."""
        home = self.tmp / "home"
        home.mkdir(exist_ok=True)
        return {"PATH": PATH, "LANG": "C.UTF-8", "HOME": str(home)}

    def unit_command(self, unit: str, instance: str = "") -> tuple[list[str], dict[str, str], Path]:
        """argv, environment and working directory of a committed unit, for this run."""
        spec = read_unit(DEPLOY / "systemd" / unit)
        swap = {EXAMPLE_CHECKOUT: str(ROOT), "%i": instance}

        def local(value: str) -> str:
            for old, new in swap.items():
                value = value.replace(old, new)
            return value

        (exec_start,) = spec["ExecStart"]
        (workdir,) = spec["WorkingDirectory"]
        env = self.base_env()
        assert spec.get("EnvironmentFile") == ["/etc/relay/relay.env"], unit
        env.update(read_env_file(self.env_file))
        for line in spec.get("Environment", []):
            key, _, value = line.partition("=")
            env[key] = local(value)
        for directory in spec.get("CacheDirectory", []):  # systemd makes /var/cache/<name>
            cache = self.tmp / "cache" / directory
            cache.mkdir(parents=True, exist_ok=True)
            env = {k: v.replace(f"/var/cache/{directory}", str(cache)) for k, v in env.items()}
        for directory in spec.get("RuntimeDirectory", []):  # and /run/<name>
            run = self.tmp / "run" / local(directory)
            run.mkdir(parents=True, exist_ok=True)
            env["RUNTIME_DIRECTORY"] = str(run)
        return local(exec_start).split(), env, Path(local(workdir))

    def cli(self, *args: str, input: str | None = None, timeout: float = 120) -> str:
        """deploy/relay-flask ARGS, as the README has an operator run commands."""
        env = self.base_env() | {"RELAY_ENV_FILE": str(self.env_file)}
        log = self.log("cli")
        result = subprocess.run(
            [str(DEPLOY / "relay-flask"), *args],
            env=env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,  # no terminal: getpass reads the password from stdin
        )
        with open(log, "a") as out:
            out.write(f"$ relay-flask {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        assert result.returncode == 0, (
            f"relay-flask {' '.join(args)} exited {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    @contextmanager
    def step(self, what: str):
        """Note how long a step of starting or stopping took (logs/timeline.log)."""
        started = time.monotonic()
        try:
            yield
        finally:
            with open(self.log("timeline"), "a") as out:
                out.write(f"{time.monotonic() - started:6.2f} s  {what}\n")

    def log(self, name: str) -> Path:
        path = self.tmp / "logs" / f"{name}.log"
        path.parent.mkdir(exist_ok=True)
        self.logs[name] = path
        return path

    def make_certificate(self) -> None:
        self.cert.parent.mkdir()
        key = self.cert.parent / "key.pem"
        command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        subject = ["-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        subprocess.run(
            [*command.split(), *subject, "-keyout", str(key), "-out", str(self.cert)],
            check=True,
            capture_output=True,
            timeout=30,
            env=self.base_env(),
        )

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def create_database(self) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.cleanups.append(self.drop_database)

    def drop_database(self) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def sql(self, statement: str, *params) -> list[tuple]:
        """Read the run's database directly (what is left in the outbox, say)."""
        dsn = make_url(self.database_url).set(drivername="postgresql")
        with psycopg.connect(dsn.render_as_string(hide_password=False)) as conn:
            return conn.execute(statement, params).fetchall()  # type: ignore[arg-type]

    def forget_redis_keys(self) -> None:
        """Delete the throttle counts this run left in Redis: those of its email addresses and
        client address, and the invitation counts of its accounts (ids restart with each
        database, so they would count against the next run)."""
        import hashlib

        markers = {hashlib.sha256(e.encode()).hexdigest()[:40] for e in self.emails_used}
        markers.add(self.client_address)
        client = redis.Redis.from_url(self.redis_url)
        try:
            for key in client.scan_iter(match="relay:rl:*", count=500):
                name = key.decode()
                if name.startswith("relay:rl:invite:") or any(m in name for m in markers):
                    client.delete(key)
        finally:
            client.close()

    def start_smtp(self) -> None:
        self.smtp = SmtpServer(self.smtp_port)
        self.smtp.start()
        self.cleanups.append(self.smtp.stop)

    def start_process(self, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> Process:
        process = Process(name, argv, env, cwd, self.log(name))
        self.processes[name] = process
        process.start()
        self.cleanups.append(process.stop)
        return process

    def start_web(self, port: int) -> Process:
        argv, env, cwd = self.unit_command("relay-web@.service", str(port))
        return self.start_process(f"web-{port}", argv, env, cwd)

    def direct(self, port: int) -> httpx.Client:
        """A client to one gunicorn instance itself, sending what nginx would add."""
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": self.host,
            "X-Forwarded-For": self.client_address,
        }
        if self.subpath:
            headers["SCRIPT_NAME"] = self.subpath
        # From 127.0.0.1, as nginx connects: gunicorn believes SCRIPT_NAME from there only.
        return httpx.Client(
            base_url=f"http://127.0.0.1:{port}{self.subpath}",
            transport=httpx.HTTPTransport(local_address="127.0.0.1"),
            headers=headers,
            timeout=httpx.Timeout(30.0, connect=5.0),
        )

    def wait_for_web(self, port: int) -> None:
        process = self.processes[f"web-{port}"]

        def answers() -> bool:
            process.check_alive()
            with self.direct(port) as client:
                return client.get("/login").status_code == 200

        wait_for(answers, START_TIMEOUT, f"gunicorn on port {port}")

    def render_nginx(self) -> Path:
        certificates = f"/etc/letsencrypt/live/{EXAMPLE_HOST}"
        replacements = {
            f"{certificates}/fullchain.pem": str(self.cert),
            f"{certificates}/privkey.pem": str(self.cert.parent / "key.pem"),
            f"server_name {EXAMPLE_HOST};": "server_name 127.0.0.1;",
            "listen 443 ssl": f"listen 127.0.0.1:{self.https_port} ssl",
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            f"alias {EXAMPLE_CHECKOUT}/static/;": f"alias {ROOT}/static/;",
        }
        for example, port in zip(EXAMPLE_WEB_PORTS, self.web_ports, strict=True):
            replacements[f"server 127.0.0.1:{example} "] = f"server 127.0.0.1:{port} "
        if self.subpath:  # the changes the file's comment asks for
            replacements |= {
                "location /static/ {": f"location {self.subpath}/static/ {{",
                "location / {": f"location {self.subpath}/ {{",
                "#proxy_set_header SCRIPT_NAME /relay;": (
                    f"proxy_set_header SCRIPT_NAME {self.subpath};"
                ),
            }
        site = render(
            (DEPLOY / "nginx" / "relay.conf").read_text(), replacements, "deploy/nginx/relay.conf"
        )
        prefix = self.tmp / "nginx"
        prefix.mkdir()
        (prefix / "relay-site.conf").write_text(site)
        # Debian's nginx.conf includes sites-enabled/ in its http block; this one includes the
        # rendered site, logs which instance answered each request, and keeps every file in
        # the run's folder. As root, workers run as root: the checkout may be in a folder
        # that nginx's usual user cannot read, which on a real server it can.
        user = "user root root;" if os.geteuid() == 0 else ""
        conf = prefix / "nginx.conf"
        conf.write_text(
            f"""{user}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {self.log("nginx-error")} info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format relay '$remote_addr "$request" $status up=$upstream_addr mark=$http_x_test_request';
    access_log {self.log("nginx-access")} relay;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/relay-site.conf;
}}
"""
        )
        return conf

    def start_nginx(self) -> None:
        nginx = find_nginx()
        assert nginx, "nginx is not installed: `make deploy-test` installs it (as root)"
        conf = self.render_nginx()
        prefix = str(conf.parent)
        errors = str(self.logs["nginx-error"])
        argv = [nginx, "-p", prefix, "-c", str(conf), "-e", errors]
        check = subprocess.run([*argv, "-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, f"nginx -t refuses the rendered site:\n{check.stderr}"
        self.start_process("nginx", argv, self.base_env(), conf.parent)

        def answers() -> bool:
            self.processes["nginx"].check_alive()
            with httpx.Client(verify=self.tls(), timeout=5) as client:
                return client.get(f"{self.base_url}/login").status_code == 200

        wait_for(answers, START_TIMEOUT, "nginx")

    def upstream_of(self, mark: str) -> str:
        """Which gunicorn instance(s) nginx passed the request with this mark to."""
        pattern = re.compile(rf" up=(\S+(?:, \S+)*) mark={re.escape(mark)}$")

        def logged() -> str | None:
            for line in self.logs["nginx-access"].read_text().splitlines():
                match = pattern.search(line)
                if match:
                    return match.group(1)
            return None

        return wait_for(logged, 5, f"request {mark} in nginx's access log")

    # --- all of it -----------------------------------------------------------------------

    def start(self) -> None:
        with self.step("certificate, relay.env, database, SMTP server"):
            self.make_certificate()
            self.env_file.write_text(render_env_file(self.settings()))
            self.env_file.chmod(0o640)
            self.create_database()
            self.cleanups.append(self.forget_redis_keys)
            self.start_smtp()
        # The README's order: migrate, then start the servers.
        with self.step("relay-flask db upgrade"):
            self.cli("db", "upgrade")
        with self.step("gunicorn instances and the mail worker"):
            for port in self.web_ports:
                self.start_web(port)
            argv, env, cwd = self.unit_command("relay-mail.service")
            env["FLASK_OUTBOX_DELIVER_INTERVAL"] = "1"  # poll every second (--interval)
            self.start_process("mail-worker", argv, env, cwd)
            for port in self.web_ports:
                self.wait_for_web(port)
        with self.step("nginx"):
            self.start_nginx()
        self.processes["mail-worker"].check_alive()

    def stop(self) -> list[str]:
        """Everything started, in reverse order, whatever failed; the problems met."""
        problems = []
        while self.cleanups:
            cleanup = self.cleanups.pop()
            name = getattr(cleanup, "__qualname__", repr(cleanup))
            owner = getattr(getattr(cleanup, "__self__", None), "name", "")
            try:
                with self.step(f"stop: {name} {owner}"):
                    cleanup()
            except Exception as exc:  # keep tearing down the rest
                problems.append(f"{name} {owner}: {exc!r}")
        return problems
