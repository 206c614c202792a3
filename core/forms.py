"""Form pieces every feature uses."""

import re
from datetime import date

import email_validator
from flask import current_app, flash
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import HiddenField, StringField
from wtforms import SelectField as _WTFormsSelectField
from wtforms.validators import ValidationError
from wtforms.widgets import Select

# Dates outside this range are typing mistakes, and would overflow time-zone arithmetic.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


# CR, LF and the other characters that end a line.
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def one_line(value):
    """A WTForms filter: each run of line breaks ("\r\n", "\n\n") becomes one space."""
    return _LINE_BREAKS.sub(" ", value) if isinstance(value, str) else value


class SingleLineField(StringField):
    """A text input whose value is one line (titles, names, locations): a pasted or forged
    line break is stored as a space, so the value prints on one line everywhere."""

    def __init__(self, label=None, validators=None, filters=(), **kwargs):
        super().__init__(label, validators, filters=(one_line, *filters), **kwargs)


class QuickSelect(Select):
    """WTForms' select widget, with a plain option written directly.

    WTForms builds each option through its general attribute formatter, about 60 µs an
    option: a 200-member lead picker took 12 ms of a page's time. Options with extra
    attributes still go through WTForms; the markup is the same.
    """

    @classmethod
    def render_option(cls, choice, **kwargs):  # type: ignore[override]  # stubs predate 3.3
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return f'<option {selected}value="{escape(choice.value)}">{label}</option>'


class SelectField(_WTFormsSelectField):
    """Every select in Relay: WTForms' field with the quicker widget."""

    widget = QuickSelect()


def email_address(_form, field) -> None:
    """A WTForms validator for an email someone will be written to.

    Outside production, reserved test domains (`relay.test`, `*.test`) are accepted, so
    the demo's accounts can be invited and reset their passwords; production refuses them.
    """
    try:
        email_validator.validate_email(
            field.data or "",
            check_deliverability=False,
            test_environment=current_app.config["ENV_NAME"] != "production",
        )
    except email_validator.EmailNotValidError as exc:
        raise ValidationError("Enter a valid email address.") from exc


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
