"""Form pieces shared by every app: phone-friendly widgets, unit choices, service errors on a form."""

from django import forms
from django.core.exceptions import ValidationError

PHONE_WIDGET = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})
ID_NUMBER_WIDGET = forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


def to_decide(choices) -> list:
    """Choices where the user must decide: nothing preselected, an empty first option that reads "请选择"
    (templates/django/forms/widgets/select_option.html)."""
    return [("", "---------"), *choices]


class UnitChoiceField(forms.ModelChoiceField):
    """A unit shown by its name (the queryset is always limited to the user's scope by the form)."""

    def label_from_instance(self, obj):
        return obj.name


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on ``form``: on its field when the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
