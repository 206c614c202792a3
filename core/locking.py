"""Row locks for read-check-write sequences (two people endorsing, accepting, stepping down)."""

from sqlalchemy import select

from core.extensions import db


def lock_row(obj, *refresh: str) -> None:
    """Lock `obj`'s row until the transaction ends, then reload the named attributes.

    On PostgreSQL this is SELECT ... FOR UPDATE, so a second request doing the same
    waits and then sees the first one's result. SQLite (the embedded, single-server
    default) has no row locks; it serialises writers, which leaves a narrow window.
    """
    model = type(obj)
    db.session.execute(select(model.id).where(model.id == obj.id).with_for_update())
    if refresh:
        db.session.refresh(obj, list(refresh))
