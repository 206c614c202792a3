"""Forms for campaigns, milestones, actions, leads, swaps and unavailable dates."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from campaigns.models import ACTION_KINDS
from core.forms import SelectField, SingleLineField, VersionedForm, plausible_date


class CampaignForm(VersionedForm):
    title = SingleLineField("Title", validators=[DataRequired(), Length(max=160)])
    issue = TextAreaField(
        "Issue",
        validators=[Optional(), Length(max=2000)],
        description="The problem the campaign addresses.",
    )
    target_community = SingleLineField("Target community", validators=[Optional(), Length(max=200)])
    decision_maker = SingleLineField(
        "Decision-maker or target",
        validators=[Optional(), Length(max=200)],
        description="Who can make the change: a legislator, a dean, a board.",
    )
    objective = TextAreaField(
        "Objective",
        validators=[Optional(), Length(max=2000)],
        description="What will be different when the campaign succeeds.",
    )
    goal_id = SelectField("Vision goal it serves", coerce=int, validate_choice=True)
    start_date = DateField("Start date", validators=[DataRequired(), plausible_date])
    end_date = DateField("End date", validators=[DataRequired(), plausible_date])

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("The campaign cannot end before it starts.")


class NewCampaignForm(CampaignForm):
    playbook = SelectField(
        "Start from a playbook",
        validate_choice=True,
        description="Lays out milestones and actions from the start date; "
        "everything stays editable.",
    )
    pool_start = SelectField(
        "Rotation pool starts with",
        validate_choice=True,
        default="everyone",
        description="The members who take turns leading its actions. Members can still "
        "join or leave the pool themselves, and you can add or remove anyone later.",
    )


class MilestoneForm(VersionedForm):
    title = SingleLineField("Title", validators=[DataRequired(), Length(max=160)])
    criteria = TextAreaField(
        "Criteria",
        validators=[Optional(), Length(max=2000)],
        description="How the advisor will know it is met.",
    )
    due_date = DateField("Due date", validators=[DataRequired(), plausible_date])


class ActionForm(VersionedForm):
    # A {value: label} dict: WTForms 3.3 deprecates (value, label) tuples passed here. The
    # empty first choice is a placeholder: a new action's kind is chosen, never defaulted.
    kind = SelectField(
        "Kind",
        choices={"": "Choose the kind of action…", **ACTION_KINDS},
        validators=[DataRequired(message="Choose what kind of action this is.")],
    )
    title = SingleLineField("Title", validators=[DataRequired(), Length(max=160)])
    day = DateField("Date", validators=[DataRequired(), plausible_date])
    start_time = TimeField("Starts", validators=[DataRequired()])
    end_time = TimeField("Ends", validators=[DataRequired()])
    location = SingleLineField("Location", validators=[Optional(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)])
    capacity = IntegerField(
        "Places (optional)",
        validators=[Optional(), NumberRange(min=1, max=10000)],
        description="Leave empty for no limit.",
    )

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("The action must end after it starts (same day).")


class AssignLeadForm(FlaskForm):
    user_id = SelectField("Lead", coerce=int, validate_choice=True)
    reason = TextAreaField(
        "Reason",
        validators=[Optional(), Length(max=500)],
        description="Required when you pick someone other than the suggestion.",
    )
    version = HiddenField()


# The action page shows the lead, hand-off and swap forms together: their own element ids
# (posted names unchanged) keep every id unique, so each label names its own field.
class HandOffForm(FlaskForm):
    user_id = SelectField("Hand off to", coerce=int, validate_choice=True, id="handoff-user_id")
    note = TextAreaField(
        "Note for the next lead",
        validators=[DataRequired(), Length(max=1000)],
        description="What is done, what is left, who to contact.",
        id="handoff-note",
    )
    version = HiddenField(id="handoff-version")


class SwapForm(FlaskForm):
    note = TextAreaField(
        "Why you need a swap (optional)",
        validators=[Optional(), Length(max=1000)],
        id="swap-note",
    )


class PublishForm(FlaskForm):
    summary = TextAreaField("Summary for other chapters", validators=[Optional(), Length(max=2000)])


class UnavailableForm(FlaskForm):
    start_date = DateField("First day", validators=[DataRequired(), plausible_date])
    end_date = DateField("Last day", validators=[DataRequired(), plausible_date])
    reason = SingleLineField(
        "Reason (optional)",
        validators=[Optional(), Length(max=120)],
        description="E.g. exams, placement. Leaders see it on the rotation.",
    )

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("The last day cannot be before the first.")
