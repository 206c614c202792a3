"""Form pieces every feature uses."""

from datetime import date

from flask import flash
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import ValidationError

# Dates outside this range are typing mistakes, and would overflow time-zone arithmetic.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class EmptyForm(FlaskForm):
    """A button that changes something: a POST with nothing but the CSRF token."""


def plausible_date(_form, field) -> None:
    """A WTForms validator for DateFields: refuse years that cannot be meant."""
    if field.data is not None and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(f"Choose a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}.")


class VersionedForm(FlaskForm):
    """An edit form that remembers which version of the object it was opened on."""

    version = HiddenField()

    def changed_since_opened(self, obj) -> bool:
        """True if someone saved `obj` after this form was opened.

        The user's input stays in the form and the version moves on, so that saving
        again (after reviewing) deliberately keeps their text: nothing is lost silently.
        """
        posted = (self.version.raw_data or [""])[0]
        if posted and posted != str(obj.version):
            self.version.data = str(obj.version)
            flash(
                "Someone else saved this while you were editing. Your changes are below, "
                "not saved yet: compare them with the current page and save again to keep them.",
                "error",
            )
            return True
        return False
