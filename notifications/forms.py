"""The notification settings form: per kind, email at once, in the daily digest, or neither."""

from flask_wtf import FlaskForm
from wtforms import RadioField

from notifications.kinds import DELIVERIES, KIND_LABELS


class PreferencesForm(FlaskForm):
    """One radio group per kind, named after the kind; built per request from KIND_LABELS."""

    @classmethod
    def build(cls, current: dict[str, str], formdata=None) -> "PreferencesForm":
        class _Form(cls):  # type: ignore[valid-type]
            pass

        for kind, label in KIND_LABELS.items():
            setattr(
                _Form,
                kind,
                RadioField(label, choices=DELIVERIES, default=current[kind]),
            )
        return _Form(formdata=formdata) if formdata is not None else _Form()

    def kind_fields(self):
        return [self[kind] for kind in KIND_LABELS]

    def chosen(self) -> dict[str, str]:
        return {kind: self[kind].data for kind in KIND_LABELS}
