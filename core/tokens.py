"""Tokens: random single-use ones (only their hash is stored) and signed numbers (none stored)."""

import hashlib
import hmac
import secrets

from flask import current_app


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


# A signed-number token carries ids and counters in the clear, with an HMAC made with the
# app's secret for one purpose; bumping a counter it carries makes the old token useless.
_MAX_NUMBER = 2**31 - 1  # what a database integer holds


def sign_numbers(purpose: str, numbers: tuple[int, ...]) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    body = "-".join(str(n) for n in numbers)
    mac = hmac.new(key, f"{purpose}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"{body}-{mac[:32]}"


def read_signed_numbers(purpose: str, token: str, count: int) -> tuple[int, ...] | None:
    """The `count` numbers of a well-formed, untampered token for `purpose`; None otherwise."""
    parts = token.split("-")
    if len(parts) != count + 1 or not all(p.isdigit() and len(p) <= 10 for p in parts[:-1]):
        return None
    numbers = tuple(int(p) for p in parts[:-1])
    if any(n > _MAX_NUMBER for n in numbers):
        return None
    return numbers if hmac.compare_digest(sign_numbers(purpose, numbers), token) else None
