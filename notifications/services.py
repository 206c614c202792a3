"""Notify people in the same transaction as the change; read, mark and configure the inbox."""

from collections.abc import Iterable

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, exists, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from accounts.models import User
from chapters.models import Membership, MembershipStatus
from core.audit import record_event
from core.db import utcnow
from core.extensions import db
from notifications.kinds import DEFAULT_DELIVERY, DIGEST_TOKEN_KIND, KIND_LABELS, Delivery
from notifications.models import EmailState, Notification, NotificationPreference

INBOX_PER_PAGE = 25


def may_see_chapter(user_id, chapter_id) -> ColumnElement[bool]:
    """An active membership of the chapter: who may still read what a notification is about
    (national staff read every chapter and are let through separately)."""
    return exists().where(
        Membership.chapter_id == chapter_id,
        Membership.user_id == user_id,
        Membership.status == MembershipStatus.ACTIVE,
    )


def delivery_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each person's chosen delivery for this kind (the kind's default where they chose none)."""
    ids = list(user_ids)
    chosen = (
        dict(
            db.session.execute(
                select(NotificationPreference.user_id, NotificationPreference.delivery).where(
                    NotificationPreference.user_id.in_(ids), NotificationPreference.kind == kind
                )
            ).all()
        )
        if ids
        else {}
    )
    return {uid: chosen.get(uid, DEFAULT_DELIVERY[kind]) for uid in ids}


def _insert_once(values: dict) -> int | None:
    """Insert a notification unless this recipient already has its dedupe key; its id or None.

    The unique key decides (not a check before the insert), so two runs at once still make
    one notification.
    """
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["recipient_id", "dedupe_key"])
        .returning(Notification.id)
    )
    return db.session.execute(stmt).scalar()


def notify(
    kind: str,
    recipient_ids: Iterable[int | None],
    *,
    chapter_id: int | None,
    link: str,
    text: str,
    actor: User | None = None,
    obj=None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Tell these people, in the caller's transaction: an inbox entry each, and an email now
    or in the digest as each chose. Never the actor; never someone who cannot read the
    chapter (a member of another chapter, someone who left); never a disabled account."""
    from notifications.email import mail_notification

    ids = {i for i in recipient_ids if i is not None}
    if actor is not None:
        ids.discard(actor.id)
    if not ids:
        return []
    readers = select(User).where(User.id.in_(ids), User.active.is_(True))
    if chapter_id is not None:
        readers = readers.where(
            or_(User.is_national_staff, User.is_admin, may_see_chapter(User.id, chapter_id))
        )
    users = list(db.session.scalars(readers.order_by(User.id)))
    deliveries = delivery_for((u.id for u in users), kind)
    made = []
    now = utcnow()
    for user in users:
        delivery = deliveries[user.id]
        values = {
            "recipient_id": user.id,
            "kind": kind,
            "chapter_id": chapter_id,
            "object_type": getattr(obj, "__tablename__", None),
            "object_id": getattr(obj, "id", None),
            "link": link[:300],
            "text": text[:1000],
            "created_at": now,
            "email_state": EmailState.DIGEST if delivery == Delivery.DIGEST else EmailState.NONE,
        }
        if dedupe_key is not None:
            new_id = _insert_once({**values, "dedupe_key": dedupe_key})
            if new_id is None:
                continue  # this reminder was made already
            n = db.session.get_one(Notification, new_id)
        else:
            n = Notification(**values)
            db.session.add(n)  # flushed together below: one batched INSERT for many people
        if delivery == Delivery.IMMEDIATE:
            mail_notification(user, n)
            n.email_state, n.emailed_at = EmailState.SENT, now
        made.append(n)
    db.session.flush()
    return made


# --- the inbox ------------------------------------------------------------------------------


def _visible_to(user: User) -> ColumnElement[bool]:
    if user.is_staff:
        return true()
    return or_(Notification.chapter_id.is_(None), may_see_chapter(user.id, Notification.chapter_id))


def unread_count(user: User) -> int:
    """One statement on the (recipient, read_at) index."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.recipient_id == user.id,
                Notification.read_at.is_(None),
                _visible_to(user),
            )
        )
        or 0
    )


def inbox_page(user: User, page: int) -> Pagination:
    """The person's notifications they may still read, newest first, with their chapters."""
    query = (
        select(Notification)
        .where(Notification.recipient_id == user.id, _visible_to(user))
        .options(joinedload(Notification.chapter))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return db.paginate(query, page=page, per_page=INBOX_PER_PAGE, error_out=False)


def own_notification(notification_id: int, user: User) -> Notification | None:
    """A notification only for its recipient (anyone else: None, shown as a 404)."""
    return db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id,
            Notification.recipient_id == user.id,
            _visible_to(user),
        )
    )


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# --- preferences ----------------------------------------------------------------------------


def preferences_of(user: User) -> dict[str, str]:
    """Every kind with this person's delivery, in the settings page's order."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in KIND_LABELS}


def set_preferences(user: User, wanted: dict[str, str], actor: User | None = None) -> None:
    """Store the deliveries that changed (unknown kinds and deliveries are ignored)."""
    before = preferences_of(user)
    rows = {
        p.kind: p
        for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    changed = {}
    for kind, delivery in wanted.items():
        if kind not in KIND_LABELS or delivery not in {d.value for d in Delivery}:
            continue
        if before[kind] == delivery:
            continue
        changed[kind] = delivery
        if kind in rows:
            rows[kind].delivery = delivery
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery))
    if changed:
        db.session.flush()
        record_event(
            "notifications.preferences_changed",
            actor=actor or user,
            obj=user,
            before={k: before[k] for k in changed},
            after=changed,
        )


def turn_off(user: User, token_kind: str) -> None:
    """The one-click link: no more email for this kind (a digest's link: for every kind
    that was going to the digest). The inbox keeps showing them."""
    current = preferences_of(user)
    if token_kind == DIGEST_TOKEN_KIND:
        kinds = [k for k, d in current.items() if d == Delivery.DIGEST]
    else:
        kinds = [token_kind]
    set_preferences(user, dict.fromkeys(kinds, Delivery.IN_APP), actor=user)


def unsubscribe_known(kind: str) -> bool:
    return kind in KIND_LABELS or kind == DIGEST_TOKEN_KIND
