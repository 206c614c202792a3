"""Form pieces every feature uses."""

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A button that changes something: a POST with nothing but the CSRF token."""
