"""Check that the lock pins exactly what relay[dev] installs, at the installed versions.

`make check` runs this in .venv. A dependency added to pyproject.toml without `make lock`
is installed unpinned (constraints only pin what they name), so CI would pass on
versions nobody locked; one removed leaves a stale pin. Either way: run `make lock`.
"""

import sys
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

LOCK = Path(__file__).with_name("constraints.txt")
PROJECT = "relay"


def read_lock(path: Path) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in path.read_text().splitlines():
        spec = line.split("#", 1)[0].strip()
        if spec:
            req = Requirement(spec)
            (pin,) = req.specifier
            pins[canonicalize_name(req.name)] = Version(pin.version)
    return pins


def installed_closure(project: str, extras: frozenset[str]) -> dict[str, Version]:
    """Every distribution that `project[extras]` needs here, walked through its metadata."""
    found: dict[str, Version] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(canonicalize_name(project), extras)]
    while todo:
        name, wanted = todo.pop()
        if (name, wanted) in seen:
            continue
        seen.add((name, wanted))
        dist = distribution(name)
        found[name] = Version(dist.version)
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in wanted | {""}):
                todo.append((canonicalize_name(req.name), frozenset(req.extras)))
    return found


def main() -> int:
    pins = read_lock(LOCK)
    needed = installed_closure(PROJECT, frozenset({"dev"}))
    needed.pop(PROJECT)
    problems = [
        f"{name} {v} is installed, not pinned" for name, v in needed.items() if name not in pins
    ]
    problems += [f"{name} is pinned but nothing needs it" for name in pins if name not in needed]
    problems += [
        f"{name} {needed[name]} is installed, the lock says {v}"
        for name, v in pins.items()
        if name in needed and needed[name] != v
    ]
    for problem in sorted(problems):
        print(f"{LOCK.name}: {problem}", file=sys.stderr)
    if problems:
        print("Run `make lock` and commit the lock with pyproject.toml.", file=sys.stderr)
        return 1
    print(f"{LOCK.name}: {len(pins)} pins, matching what relay[dev] installs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
