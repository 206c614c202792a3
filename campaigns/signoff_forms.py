"""Forms for milestone sign-off: submitting, deciding, reopening and addenda."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from campaigns.outcome_forms import EvidenceUploads, evidence_files_field, no_patient_info_field


class SubmitMilestoneForm(FlaskForm):
    summary = TextAreaField(
        "Summary",
        validators=[DataRequired("Give a summary of what was achieved."), Length(max=4000)],
        description="What was achieved against the milestone's criteria.",
    )
    outcome_ids = SelectMultipleField(
        "Evidence: outcomes of this campaign's actions",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )


class DecisionForm(FlaskForm):
    """Approve or return a submission (or an addendum); a return needs its comment."""

    comment = TextAreaField(
        "Comment",
        validators=[Optional(), Length(max=4000)],
        description="Required to return it: say what to change.",
    )
    # The submission's version when the page was opened: a decision made meanwhile wins.
    version = HiddenField()
    # "queue" when deciding from the advisor's queue, to go back there.
    back = HiddenField()


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        "Reason for reopening",
        validators=[DataRequired("Give a reason for reopening."), Length(max=4000)],
        description="Reopening unlocks the milestone and its evidence; the reason is kept.",
    )


class AddendumForm(EvidenceUploads, FlaskForm):
    text = TextAreaField(
        "Correction",
        validators=[DataRequired("Give the text of the correction."), Length(max=4000)],
        description="What to add or correct. The signed-off original stays as it was.",
    )
    evidence = evidence_files_field("Attach files (optional)")
    no_patient_info = no_patient_info_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.describe_evidence("addendum")
