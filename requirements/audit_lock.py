"""pip-audit over the lock: fail on a known vulnerability, only warn when no advisories came.

pip-audit reads advisories from the registry's per-release JSON API (or from OSV). Where
that cannot be reached it either stops with a connection error or, when the registry
answers 404 (as it does on machines that reach the registries through a filter), skips
every package and still says "No known vulnerabilities found" with exit 0: an audit of
nothing that looks like a pass. `make check` runs this instead, which tells them apart.
"""

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LOCK = Path(__file__).with_name("constraints.txt")
# A requests exception in pip-audit's traceback, or its own advice after a connect timeout.
NETWORK_ERROR = re.compile(r"requests\.exceptions\.\w+|network may be blocking")
SECONDS = 300


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    message: str
    audited: bool = True


def judge(returncode: int, stdout: str, stderr: str) -> Outcome:
    """What pip-audit's JSON report (or its failure) means for `make check`."""
    try:
        dependencies = json.loads(stdout)["dependencies"]
    except (ValueError, KeyError, TypeError):
        if NETWORK_ERROR.search(stderr):
            last_line = stderr.strip().splitlines()[-1]
            why = f"the advisory service cannot be reached:\n  {last_line}"
            return Outcome(0, _not_audited(why), audited=False)
        return Outcome(1, f"pip-audit failed (exit {returncode}):\n{stderr.strip()}")

    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    if vulnerable:
        found = "\n".join(
            f"  {d['name']} {d['version']}: {v['id']} (fixed in {_fixes(v)})"
            for d in vulnerable
            for v in d["vulns"]
        )
        return Outcome(
            1,
            f"pip-audit: known vulnerabilities in {LOCK.name}:\n{found}\n"
            "Bump within pyproject's range: make lock LOCK_ARGS='--upgrade-package NAME'"
            " (or widen the range).",
        )
    if skipped:
        return Outcome(
            0,
            _not_audited(
                f"no advisory data for {len(skipped)} of {len(dependencies)} pins, e.g.\n"
                f"  {skipped[0]['skip_reason']}"
            ),
            audited=False,
        )
    if returncode != 0:
        return Outcome(1, f"pip-audit failed (exit {returncode}):\n{stderr.strip()}")
    return Outcome(0, f"pip-audit: no known vulnerabilities in the {len(dependencies)} pins")


def _not_audited(why: str) -> str:
    return (
        f"WARNING: pip-audit did NOT audit {LOCK.name}: {why}\n"
        "Passing anyway (no advisories, not a finding). The audit needs the registry's"
        " per-release JSON API (or OSV); run `make check` where it answers."
    )


def _fixes(vuln: dict[str, list[str]]) -> str:
    return ", ".join(vuln.get("fix_versions") or []) or "no release yet"


def main() -> int:
    command = [
        *(sys.executable, "-m", "pip_audit"),
        *("--requirement", str(LOCK), "--no-deps", "--disable-pip"),
        *("--format", "json", "--progress-spinner", "off", "--timeout", "15"),
    ]
    try:
        done = subprocess.run(  # noqa: S603 - our own venv's pip-audit, fixed arguments
            command, capture_output=True, text=True, timeout=SECONDS, check=False
        )
        outcome = judge(done.returncode, done.stdout, done.stderr)
    except subprocess.TimeoutExpired:
        outcome = Outcome(0, _not_audited(f"no answer in {SECONDS} s."), audited=False)
    clean = outcome.exit_code == 0 and outcome.audited
    print(outcome.message, file=sys.stdout if clean else sys.stderr)
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
