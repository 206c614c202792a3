"""One way for a view to try a change: commit and say so, or roll back and say why.

A view reads: load and authorize, call the service inside `attempt`, say what happened.

    with attempt("Campaign saved.") as done:
        update_campaign(campaign, data, current_actor())
    if done:
        return redirect(...)

A refused operation (`PolicyError`) or a concurrent edit (`StaleDataError`, raised
by a versioned row at flush or commit) rolls the whole session back, so an error
always means nothing changed; the user is told why in a flashed message, or next
to the form field that caused it:

    with attempt("Chapter details saved.", field=form.slug) as done:
        update_chapter(chapter, data, current_actor())
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Field

from core.errors import PolicyError
from core.extensions import db

STALE_MESSAGE = (
    "Someone changed this at the same time; nothing of yours was saved. Check and try again."
)


@dataclass
class Attempt:
    """What happened. Truthy when the change was committed.

    Set `success` inside the block when the message depends on the result.
    """

    success: str | None = None
    error: str | None = None
    ok: bool = False

    def __bool__(self) -> bool:
        return self.ok


@contextmanager
def attempt(
    success: str | None = None,
    *,
    stale: Callable[[], str] | None = None,
    field: Field | None = None,
) -> Iterator[Attempt]:
    """Run the block; commit and flash `success`, or roll back and flash the error.

    `stale` builds the message for a concurrent edit, after the rollback (so it can
    read the current state of the row). With `field`, a refusal is shown as that form
    field's error (for a view that renders the form again) instead of a flashed message.
    """
    result = Attempt(success=success)
    try:
        yield result
        db.session.commit()
    except PolicyError as exc:
        db.session.rollback()
        result.error = str(exc)
        if field is not None:
            # After validation WTForms keeps a field's errors in a list.
            field.errors = [*field.errors, result.error]
            return
    except StaleDataError:
        db.session.rollback()
        result.error = stale() if stale is not None else STALE_MESSAGE
    else:
        result.ok = True
        if result.success:
            flash(result.success, "success")
        return
    flash(result.error, "error")
