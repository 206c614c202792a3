"""Forms for chapters, invitations, roster changes and the vision."""

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    FieldList,
    RadioField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from accounts.forms import NewPasswordMixin, new_password_fields, profession_choices
from accounts.models import KINDS, UserKind
from chapters.models import CHAPTER_STATUSES, ROLES, ChapterStatus, Role, Stance
from core.forms import (
    SelectField,
    SingleLineField,
    VersionedForm,
    email_address,
    plausible_date,
)

_TIMEZONES = sorted(tz for tz in available_timezones() if "/" in tz or tz == "UTC")
# Choices are {value: label} dicts: WTForms 3.3 deprecates (value, label) tuples.


class ChapterForm(VersionedForm):
    name = SingleLineField("Chapter name", validators=[DataRequired(), Length(max=120)])
    slug = SingleLineField(
        "Short name for links",
        validators=[
            DataRequired(),
            Length(min=2, max=60),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message="Use lowercase letters, digits and single hyphens.",
            ),
        ],
        description="Appears in the chapter's web address, e.g. riverside-health.",
    )
    institution = SingleLineField("Institution", validators=[DataRequired(), Length(max=160)])
    region = SingleLineField("Region", validators=[DataRequired(), Length(max=80)])
    timezone = SelectField(
        "Time zone",
        choices={tz: tz.replace("_", " ") for tz in _TIMEZONES},
        default="America/New_York",
        description="Action times are entered and shown in this zone.",
    )
    status = SelectField("Status", choices=CHAPTER_STATUSES, default=ChapterStatus.DEVELOPING)


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), email_address, Length(max=254)])
    role = SelectField("Role", choices=ROLES, default=Role.MEMBER)

    def limit_roles(self, allowed: tuple[str, ...]) -> None:
        """Offer only the roles this inviter may hand out; anything else posted is ignored."""
        self.role.choices = {r: ROLES[r] for r in allowed}
        if self.role.data not in allowed:
            self.role.data = Role.MEMBER


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLES)


class AcceptNewAccountForm(NewPasswordMixin, FlaskForm):
    display_name = SingleLineField("Your name", validators=[DataRequired(), Length(max=120)])
    profession = SelectField("Profession", validators=[DataRequired()])
    kind = RadioField(
        "You are", choices=KINDS, default=UserKind.STUDENT, validators=[DataRequired()]
    )
    new_password, confirm = new_password_fields("Choose a password", "Repeat the password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.profession.choices = profession_choices()


class VisionForm(FlaskForm):
    statement = TextAreaField(
        "Vision statement",
        validators=[DataRequired(), Length(max=1000)],
        description="Up to 1,000 characters: where the chapter wants to be and why.",
    )
    goals = FieldList(
        SingleLineField("Goal", validators=[Optional(), Length(max=300)]),
        min_entries=5,
        max_entries=5,
    )

    def validate_goals(self, field):
        filled = [g for g in field.data if g and g.strip()]
        if not filled:
            raise ValidationError("Give at least one goal (up to five).")


class VisionResponseForm(FlaskForm):
    stance = RadioField(
        "Your response",
        choices={
            Stance.ENDORSE: "I endorse this vision",
            Stance.OBJECT: "I object",
            Stance.COMMENT: "Comment only",
        },
        # Nothing is chosen for the member: a response says what they chose.
        validators=[InputRequired("Choose whether you endorse the vision, object, or comment.")],
    )
    comment = TextAreaField(
        "Comment",
        validators=[Optional(), Length(max=1000)],
        description="Required when you object or comment: say what you would change.",
    )


class ActivityFilterForm(FlaskForm):
    """The activity log's filters, read from the query string (a GET changes nothing)."""

    class Meta:
        csrf = False

    person = SingleLineField(
        "Person", validators=[Length(max=100)], description="Part of a name or email address."
    )
    kind = SelectField("Kind of object", default="")
    action = SelectField("What happened", default="")
    since = DateField("From", validators=[Optional(), plausible_date])
    until = DateField("To", validators=[Optional(), plausible_date])

    def __init__(self, *args, kinds: dict[str, str], actions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = {"": "Any", **kinds}
        self.action.choices = {"": "Anything", **dict(actions)}

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date must be on or after the start date.")
