"""The audit log write helper and its hash chain (append-only; verified by `flask audit verify`)."""

import hashlib
import json
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from core.activity import strip_secrets
from core.db import utcnow
from core.extensions import db
from core.locking import take_write_lock
from core.models import AuditEvent

GENESIS = "0" * 64
# Any constant works; it serialises chain appends on PostgreSQL (SQLite: its write lock).
_CHAIN_LOCK_ID = 0x52454C4159


def _digest(prev_hash: str, event_fields: dict[str, Any]) -> str:
    payload = json.dumps(event_fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _chained_fields(ev: AuditEvent) -> dict[str, Any]:
    return {
        "at": ev.at.isoformat(),
        "actor_id": ev.actor_id,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "chapter_id": ev.chapter_id,
        "before": ev.before,
        "after": ev.after,
        "ip": ev.ip,
    }


def _json_safe(value: dict[str, Any] | None) -> dict[str, Any] | None:
    # Dates and enums become strings now, so the stored JSON re-hashes identically; a
    # password, token, hash or secret never enters the log (core.activity.strip_secrets).
    return None if value is None else strip_secrets(json.loads(json.dumps(value, default=str)))


def record_event(
    action: str,
    *,
    actor=None,
    obj=None,
    object_type: str | None = None,
    object_id: int | None = None,
    chapter_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event to the current transaction and flush it."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    # Two appends must not read the same last hash: serialise them until commit.
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_ID})
    else:
        take_write_lock()
    prev = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    ev = AuditEvent(
        at=utcnow().replace(microsecond=0),
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        chapter_id=chapter_id,
        before=_json_safe(before),
        after=_json_safe(after),
        ip=request.remote_addr if has_request_context() else None,
        prev_hash=prev or GENESIS,
    )
    ev.hash = _digest(ev.prev_hash, _chained_fields(ev))
    db.session.add(ev)
    db.session.flush()
    return ev


def verify_chain() -> tuple[int, AuditEvent | None]:
    """Return (events checked, first event that breaks the chain or None)."""
    prev = GENESIS
    checked = 0
    for ev in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(500):
        if ev.prev_hash != prev or ev.hash != _digest(prev, _chained_fields(ev)):
            return checked, ev
        prev = ev.hash
        checked += 1
    return checked, None


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, _ctx, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise RuntimeError("audit events are append-only")
