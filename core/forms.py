"""Form pieces every feature uses."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

# Dates outside this range are typing mistakes, and would overflow time-zone arithmetic.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class EmptyForm(FlaskForm):
    """A button that changes something: a POST with nothing but the CSRF token."""


def plausible_date(_form, field) -> None:
    """A WTForms validator for DateFields: refuse years that cannot be meant."""
    if field.data is not None and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(
            f"Choose a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}."
        )
