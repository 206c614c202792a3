"""The password policy, as a pure function (no Flask, no database)."""

from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 128  # at least 64 must be allowed; long passphrases are welcome
_LIST = Path(__file__).with_name("data") / "common_passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problems(password: str, email: str = "") -> list[str]:
    """Return what is wrong with a proposed password, in words for the user; empty if fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.strip().lower()
    if lowered in common_passwords():
        problems.append("This is one of the most common passwords; choose another.")
    email = email.strip().lower()
    if email and (lowered == email or lowered == email.split("@")[0]):
        problems.append("Do not use your email address as your password.")
    return problems
