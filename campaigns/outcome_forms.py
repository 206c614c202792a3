"""The outcome form: counts, custom metrics, leadership domains, links and evidence files."""

from decimal import Decimal
from urllib.parse import urlsplit

from flask import current_app
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    MultipleFileField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from campaigns.evidence_rules import Evidence, EvidenceRefused, inspect_evidence, megabytes
from campaigns.outcome_models import OUTCOME_COUNTS
from core.forms import VersionedForm

# Sane upper bounds: a larger number is a typing mistake (an extra zero), not a result.
COUNT_LIMITS = {
    "attendance": 100_000,
    "people_reached": 10_000_000,
    "commitments": 10_000,
    "media_pieces": 10_000,
    "signatures": 1_000_000,
}
COUNT_HELP = {
    "attendance": "How many people came.",
    "people_reached": "Everyone the action reached: audience, readers, passers-by.",
    "commitments": "Commitments secured from decision-makers.",
    "media_pieces": "Articles, broadcasts, posts that covered it.",
    "signatures": "Petition or letter signatures collected.",
}
METRIC_MAX = Decimal("999999999999.99")
BLANK_ROWS = 3  # blank metric and link rows added each time (no JavaScript)
MAX_METRICS = 30
MAX_LINKS = 20


class CountField(IntegerField):
    """A whole number; anything else gets a message written for people."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number, such as 25.") from None


def _count(name: str) -> CountField:
    limit = COUNT_LIMITS[name]
    return CountField(
        OUTCOME_COUNTS[name],
        validators=[
            Optional(),
            NumberRange(min=0, max=limit, message=f"Enter a number from 0 to {limit:,}."),
        ],
        description=COUNT_HELP[name],
    )


def _metric_value(_form, field) -> None:
    """A finite number from 0 to METRIC_MAX with at most two decimal places. The range is
    checked before the places: rounding 1e30 to cents needs more digits than Decimal's
    context holds (InvalidOperation)."""
    value = field.data
    if value is None:
        return
    if not value.is_finite():
        raise StopValidation("Enter a number, such as 12 or 2.5.")
    if value < 0:
        raise StopValidation("Enter a number of 0 or more.")
    if value > METRIC_MAX:
        raise StopValidation(f"Enter a number up to {METRIC_MAX:,}.")
    if value != value.quantize(Decimal("0.01")):
        raise StopValidation("Use at most two decimal places.")


class MetricRow(Form):
    """One custom metric; a row left blank is ignored."""

    name = StringField("Metric", validators=[Optional(), Length(max=80)])
    value = DecimalField(
        "Value",
        places=None,
        validators=[Optional(), _metric_value],
    )
    unit = StringField("Unit", validators=[Optional(), Length(max=40)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        name = (self.name.data or "").strip()
        if name and self.value.data is None and not self.value.errors:
            self.value.errors.append("Give this metric a value.")
            ok = False
        if not name and self.value.data is not None:
            self.name.errors.append("Name the metric this value counts.")
            ok = False
        return ok

    def is_blank(self) -> bool:
        return not (self.name.data or "").strip() and self.value.data is None


def http_url(_form, field) -> None:
    url = (field.data or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in url:
        raise ValidationError("Enter a full web address starting with https:// or http://.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def evidence_files_field(label: str = "Add evidence files") -> MultipleFileField:
    # `accept` only helps the browser's file picker; the content is what is checked.
    return MultipleFileField(
        label,
        render_kw={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"},
    )


def no_patient_info_field() -> BooleanField:
    return BooleanField("I confirm these files contain no patient-identifying information")


class EvidenceUploads:
    """For a form with `evidence` (evidence_files_field) and `no_patient_info` fields: the
    chosen files are inspected by their content (campaigns.evidence_rules) and need the
    no-patient-information tick. The outcome form and the addendum form share these rules."""

    evidence: MultipleFileField
    no_patient_info: BooleanField
    # The files that passed inspection, for the service: (bytes, detected type).
    inspected: list[tuple[bytes, Evidence]]

    def describe_evidence(self, holder: str) -> None:
        max_bytes = current_app.config["EVIDENCE_MAX_BYTES"]
        self.evidence.description = (
            f"PDF, PNG or JPEG, at most {megabytes(max_bytes)} each and "
            f"{current_app.config['EVIDENCE_MAX_FILES']} per {holder}. They are kept in Relay "
            "and shown only to people of this chapter and national staff."
        )
        self.inspected = []

    def chosen_files(self) -> list:
        return [f for f in (self.evidence.data or []) if getattr(f, "filename", "")]

    def validate_evidence(self, field) -> None:
        max_bytes = current_app.config["EVIDENCE_MAX_BYTES"]
        problems = []
        self.inspected = []
        for storage in self.chosen_files():
            data = storage.stream.read(max_bytes + 1)
            try:
                kind = inspect_evidence(data, max_bytes, storage.filename)
            except EvidenceRefused as exc:
                problems.append(str(exc))
            else:
                self.inspected.append((data, kind))
        if problems:
            self.inspected = []
            raise ValidationError(" ".join([*problems, "No file was stored."]))

    def validate_no_patient_info(self, field) -> None:
        if self.chosen_files() and not field.data:
            raise ValidationError(
                "Tick this to confirm the files hold no patient-identifying information; "
                "without it nothing is stored."
            )


class OutcomeForm(EvidenceUploads, VersionedForm):
    attendance = _count("attendance")
    people_reached = _count("people_reached")
    commitments = _count("commitments")
    media_pieces = _count("media_pieces")
    signatures = _count("signatures")
    metrics = FieldList(FormField(MetricRow), max_entries=MAX_METRICS)
    narrative = TextAreaField(
        "What happened",
        validators=[Optional(), Length(max=4000)],
        description="The story of the action: what you did and what changed.",
    )
    reflection = TextAreaField(
        "Reflection",
        validators=[Optional(), Length(max=4000)],
        description="What you learned about leading; tag it with the domains below.",
    )
    domain_keys = MultiCheckboxField("Relational Leadership domains", validate_choice=True)
    link_urls = FieldList(
        StringField("Link", validators=[Optional(), Length(max=2000), http_url]),
        max_entries=MAX_LINKS,
    )
    evidence = evidence_files_field()
    no_patient_info = no_patient_info_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.domain_keys.choices = list(current_app.config["LEADERSHIP_DOMAINS"].items())
        self.describe_evidence("outcome")

    def fill_from(self, outcome) -> None:
        """On opening the form: the saved links, and values without trailing zeros."""
        for link in outcome.links:
            self.link_urls.append_entry(link.url)
        for row in self.metrics:
            value = row.form.value.data
            if value is not None:
                row.form.value.data = Decimal(format(value.normalize(), "f"))

    def add_blank_rows(self, count: int = BLANK_ROWS) -> None:
        for field, cap in ((self.metrics, MAX_METRICS), (self.link_urls, MAX_LINKS)):
            for _ in range(count):
                if len(field.entries) < cap:
                    field.append_entry()

    def outcome_data(self) -> dict:
        """The validated values, as save_outcome takes them."""
        data: dict = {name: getattr(self, name).data for name in OUTCOME_COUNTS}
        data["narrative"] = (self.narrative.data or "").strip()
        data["reflection"] = (self.reflection.data or "").strip()
        data["domains"] = list(self.domain_keys.data or [])
        data["metrics"] = [
            (row.form.name.data.strip(), row.form.value.data, (row.form.unit.data or "").strip())
            for row in self.metrics
            if not row.form.is_blank()
        ]
        data["links"] = [u.strip() for u in (e.data for e in self.link_urls) if u and u.strip()]
        return data
