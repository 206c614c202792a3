"""Account operations: they change rows, write audit events and mail, and flush; views commit."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import contains_eager

from accounts.models import (
    SIGNED_IN_GROUP,
    PasswordResetToken,
    User,
    UserKind,
    UserSession,
    dummy_password_check,
    normalize_email,
)
from accounts.passwords import password_problems
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.extensions import db
from core.http import external_url
from core.mail import queue_email
from core.ratelimit import limiter
from core.tokens import hash_token, new_token

# Don't write last_seen_at on every request; idle timeouts are minutes long.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass
class LoginResult:
    user: User | None = None
    retry_after: int = 0  # > 0 when throttled

    @property
    def throttled(self) -> bool:
        return self.retry_after > 0


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def _login_keys(email: str, ip: str | None) -> tuple[str, str]:
    # Hashed: an email can be longer than the key column, and keys need not reveal it.
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:40]
    return f"login:acct:{digest}", f"login:addr:{(ip or 'unknown')[:64]}"


def authenticate(email: str, password: str, ip: str | None) -> LoginResult:
    """Check a login attempt against the throttles and the password.

    The attempt is counted (and committed, so every app process sees it) before the
    slow password check: parallel attempts cannot all slip under the limit. Attempts
    that are refused, or that succeed, are taken back off the count afterwards.
    """
    cfg = current_app.config
    window = cfg["LOGIN_WINDOW_SECONDS"]
    acct_key, addr_key = _login_keys(email, ip)
    rl = limiter()
    rl.hit(acct_key, window)
    rl.hit(addr_key, window)
    db.session.commit()
    acct, addr = rl.status(acct_key, window), rl.status(addr_key, window)
    blocked = [
        s.retry_after
        for s, cap in ((acct, cfg["LOGIN_MAX_PER_ACCOUNT"]), (addr, cfg["LOGIN_MAX_PER_ADDRESS"]))
        if s.count > cap
    ]
    if blocked:
        rl.undo(acct_key)
        rl.undo(addr_key)
        record_event("login.throttled", after={"email": normalize_email(email)})
        return LoginResult(retry_after=max(blocked))

    user = get_user_by_email(email)
    # Hash the password whatever the account's state, so timing reveals nothing.
    password_ok = user.check_password(password) if user else dummy_password_check(password)
    if user is not None and user.active and password_ok:
        rl.reset(acct_key)
        rl.undo(addr_key)
        return LoginResult(user=user)

    record_event("login.failed", obj=user, after={"email": normalize_email(email)})
    return LoginResult()


def start_session(user: User, remember: bool) -> str:
    """Create a server-side session row for a fresh login; return its raw key for the cookie."""
    cfg = current_app.config
    raw, digest = new_token()
    now = utcnow()
    lifetime = (
        timedelta(days=cfg["REMEMBER_DAYS"])
        if remember
        else timedelta(hours=cfg["SESSION_ABSOLUTE_HOURS"])
    )
    db.session.add(
        UserSession(
            user=user,
            token_hash=digest,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            remember=remember,
            ip=request.remote_addr,
            user_agent=(request.user_agent.string or "")[:200],
        )
    )
    user.last_login_at = now
    user.session_key = raw
    db.session.flush()
    return raw


# Every signed-in request runs this: one statement for the session and its user, built once,
# with what the navigation needs to know about the user (SIGNED_IN_GROUP).
_SESSION_WITH_USER = (
    select(UserSession)
    .join(UserSession.user)
    .options(contains_eager(UserSession.user).undefer_group(SIGNED_IN_GROUP))
    .where(UserSession.token_hash == bindparam("token_hash"), UserSession.revoked_at.is_(None))
)


def load_session_user(raw_key: str) -> User | None:
    """The user behind a session key, or None if the session ended, idled out or expired."""
    row = db.session.scalar(_SESSION_WITH_USER, {"token_hash": hash_token(raw_key)})
    if row is None:
        return None
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if now >= row.expires_at or (not row.remember and now - row.last_seen_at > idle):
        row.revoked_at = now
        db.session.commit()
        return None
    user = row.user
    if not user.active:
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    user.session_key = raw_key
    return user


def end_all_sessions(user: User) -> int:
    """Revoke every session of this user on the server; returns how many were open."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount


def log_out(user: User) -> None:
    end_all_sessions(user)
    record_event("logout", actor=user, obj=user)


def check_new_password(password: str, email: str) -> None:
    problems = password_problems(password, email)
    if problems:
        raise PolicyError(" ".join(problems))


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise PolicyError("Your current password is not correct.")
    check_new_password(new, user.email)
    user.set_password(new)
    end_all_sessions(user)
    _expire_reset_tokens(user)
    record_event("password.changed", actor=user, obj=user)


def _expire_reset_tokens(user: User) -> None:
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def _reset_allowed(email: str, ip: str | None) -> bool:
    """Reset mails are limited per address asked for and per client, so nobody can flood
    someone's inbox. Over the limit nothing is sent, but the answer stays the same."""
    cfg, rl, window = current_app.config, limiter(), 3600
    acct_key, addr_key = (k.replace("login:", "reset:") for k in _login_keys(email, ip))
    if (
        rl.status(acct_key, window).count >= cfg["RESET_MAX_PER_ACCOUNT"]
        or rl.status(addr_key, window).count >= cfg["RESET_MAX_PER_ADDRESS"]
    ):
        return False
    rl.hit(acct_key, window)
    rl.hit(addr_key, window)
    return True


def request_password_reset(email: str, ip: str | None = None) -> int | None:
    """Count and record a reset request; the id of the account to mail, if there is one.

    This part does the same work whatever the email: callers answer the same either way
    and leave the mailing to `send_password_reset` after the response, so neither the
    answer nor its timing tells whether the email has an account.
    """
    user = get_user_by_email(email)
    allowed = _reset_allowed(email, ip)
    record_event(
        "password.reset_requested" if allowed else "password.reset_throttled",
        actor=user,
        obj=user,
        after={"email": normalize_email(email)},
    )
    return user.id if user is not None and user.active and allowed else None


def send_password_reset(user_id: int | None) -> None:
    """Mail a reset link to the account `request_password_reset` named (None: nobody)."""
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.active:
        return
    raw, digest = new_token()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(
        PasswordResetToken(
            user=user, token_hash=digest, expires_at=utcnow() + timedelta(hours=hours)
        )
    )
    link = external_url("accounts.reset_password", token=raw)
    queue_email(
        user.email,
        "Reset your Relay password",
        f"Hello {user.display_name},\n\n"
        f"Someone asked to reset the password of your Relay account. To choose a new one, "
        f"open this link within {hours} hours:\n\n{link}\n\n"
        "The link works once. If you did not ask for this, ignore this message; your "
        "password stays as it is.\n",
    )


def find_reset_token(raw: str) -> PasswordResetToken | None:
    """The token if it is unused and unexpired."""
    tok = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(raw))
    )
    if tok is None or tok.used_at is not None or tok.expires_at <= utcnow():
        return None
    if not tok.user.active:
        return None
    return tok


def reset_password(tok: PasswordResetToken, new: str) -> User:
    user = tok.user
    check_new_password(new, user.email)
    user.set_password(new)
    tok.used_at = utcnow()
    _expire_reset_tokens(user)
    end_all_sessions(user)
    record_event("password.reset", actor=user, obj=user)
    return user


def update_profile(user: User, display_name: str, profession: str) -> None:
    before = {"display_name": user.display_name, "profession": user.profession}
    user.display_name = display_name
    user.profession = profession
    after = {"display_name": user.display_name, "profession": user.profession}
    if before != after:
        record_event("profile.updated", obj=user, before=before, after=after)


def find_users(q: str, page: int, per_page: int) -> Pagination:
    """One page of accounts by name, matching `q` in the email or the name (empty: all)."""
    query = select(User).order_by(User.display_name, User.id)
    if q:
        like = f"%{q}%"
        query = query.where(or_(User.email.ilike(like), User.display_name.ilike(like)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def set_account_active(user: User, active: bool, actor: User | None, via: str = "web") -> None:
    """Enable or disable an account; disabling ends all its sessions. `actor` None: the CLI."""
    if actor is not None and user.id == actor.id and not active:
        raise PolicyError("You cannot disable your own account.")
    if user.active == active:
        return
    user.active = active
    if not active:
        end_all_sessions(user)
    record_event(
        "account.enabled" if active else "account.disabled",
        actor=actor,
        obj=user,
        before={"active": not active},
        after={"active": active, "via": via},
    )


def create_user(
    email: str,
    display_name: str,
    password: str,
    profession: str,
    kind: str = UserKind.STUDENT,
    *,
    national_staff: bool = False,
    admin: bool = False,
    actor: User | None = None,
) -> User:
    email = normalize_email(email)
    if get_user_by_email(email) is not None:
        raise PolicyError(f"An account for {email} already exists.")
    check_new_password(password, email)
    user = User(
        email=email,
        display_name=display_name,
        password=password,
        profession=profession,
        kind=kind,
        is_national_staff=national_staff or admin,
        is_admin=admin,
    )
    db.session.add(user)
    db.session.flush()
    record_event(
        "account.created",
        actor=actor,
        obj=user,
        after={"email": email, "national_staff": user.is_national_staff, "admin": admin},
    )
    return user
