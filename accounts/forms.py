"""Forms for login, password reset, the profile and account administration."""

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from accounts.passwords import MAX_LENGTH, password_problems
from core.forms import SelectField, SingleLineField, email_address

PASSWORD_HELP = "At least 8 characters. Avoid common passwords; a phrase of a few words works well."  # nosec B105 # noqa: S105 - help text, not a password


def profession_choices():
    return [("", "Choose your profession")] + [(p, p) for p in current_app.config["PROFESSIONS"]]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), email_address, Length(max=254)])


def new_password_fields(
    label: str = "New password", repeat: str = "Repeat the new password"
) -> tuple[PasswordField, PasswordField]:
    """The `new_password` and `confirm` fields, for a form that mixes in NewPasswordMixin.

    class SetPasswordForm(NewPasswordMixin, FlaskForm):
        new_password, confirm = new_password_fields()
    """
    return (
        PasswordField(label, validators=[DataRequired()], description=PASSWORD_HELP),
        PasswordField(
            repeat,
            validators=[
                DataRequired(),
                EqualTo("new_password", message="The two passwords differ."),
            ],
        ),
    )


class NewPasswordMixin:
    """Checks `new_password` (see new_password_fields) against the password policy."""

    # The email the policy compares against; set by the view before validate().
    policy_email = ""

    def validate_new_password(self, field):
        problems = password_problems(field.data or "", self.policy_email)
        if problems:
            raise ValidationError(" ".join(problems))


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    new_password, confirm = new_password_fields()


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password, confirm = new_password_fields()


class ProfileForm(FlaskForm):
    display_name = SingleLineField("Name", validators=[DataRequired(), Length(max=120)])
    profession = SelectField("Profession", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.profession.choices = profession_choices()


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = SingleLineField("Search by name or email", validators=[Length(max=100)])
