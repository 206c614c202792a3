"""The production run's fixtures: the whole stack once per session (tests_deploy/stack.py),
torn down whatever happens, its servers' logs printed when anything failed.

Settings for running it by hand (all optional):
  RELAY_DEPLOY_PORTS          loopback ports to use, e.g. 18280-18289 (default: any free)
  RELAY_DEPLOY_POSTGRES_URL   a PostgreSQL server to make the run's database on
                              (default postgresql://postgres@127.0.0.1:5432/postgres)
  RELAY_DEPLOY_DB_PREFIX      the run's database is this plus a random tag (relay_deploy_)
  RELAY_DEPLOY_REDIS_URL      the Redis database (default redis://127.0.0.1:6379/0)
  RELAY_NGINX                 the nginx binary (default: nginx on the PATH)
"""

import signal
import sys
from pathlib import Path

import pytest

from tests_deploy.stack import Stack, tail

_STACKS: list[Stack] = []


def _interrupt(signum, frame):
    # `timeout` (make deploy-test) and CI stop a run with SIGTERM: turn it into pytest's own
    # interruption, so the fixtures' teardown still stops every server it started.
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGTERM, _interrupt)


@pytest.fixture(scope="session", params=["", "/relay"], ids=["at-root", "below-a-path"])
def stack(request, tmp_path_factory):
    """The site at the root of its host, then below /relay (BASE_URL ends with it)."""
    stack = Stack(tmp_path_factory.mktemp("relay-deploy"), subpath=request.param)
    _STACKS.append(stack)
    try:
        stack.start()
        yield stack
    finally:
        problems = stack.stop()
        if problems:
            print("teardown problems:\n  " + "\n  ".join(problems), file=sys.stderr)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """On any failure, the end of every server's log."""
    if exitstatus == 0:
        return
    for stack in _STACKS:
        terminalreporter.write_line(f"run folder: {stack.tmp}")
        for name, path in stack.logs.items():
            terminalreporter.section(f"{name} ({Path(path).name})", sep="-")
            terminalreporter.write_line(tail(path))
