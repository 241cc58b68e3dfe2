from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ErrorSummaryMixin
from core.validators import DeliverableEmailField
from notifications.models import Frequency
from notifications.services.subscribers import Choices
from topics.models import Topic

EMAIL_ERRORS = {
    "required": _("Enter your email address"),
    "invalid": _("Enter an email address in the correct format, like name@example.com"),
}


class ChoicesForm(ErrorSummaryMixin, forms.Form):
    """What to receive and how often: the same fields on the public, preferences and account pages."""

    # "Choose at least one" is about the choices: its summary line leads to the first of them.
    form_errors_field = "all_analyses"

    all_analyses = forms.BooleanField(label=_("Every new analysis"), required=False)
    topics = forms.ModelMultipleChoiceField(
        label=_("Or only analyses about these topics"),
        queryset=Topic.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": _("Select topics from the list"),
            "invalid_pk_value": _("Select topics from the list"),
            "invalid_list": _("Select topics from the list"),
        },
    )
    webinars = forms.BooleanField(label=_("New webinars"), required=False)
    consultations = forms.BooleanField(label=_("Consultations opening and their outcomes"), required=False)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Frequency.choices,
        initial=Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how often you want to hear from us"),
            "invalid_choice": _("Select how often you want to hear from us"),
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        wanted = data.get("all_analyses") or data.get("topics") or data.get("webinars") or data.get("consultations")
        if not wanted:
            raise forms.ValidationError(_("Choose at least one thing to receive"), code="nothing_chosen")
        return data

    @classmethod
    def initial_from(cls, choices: Choices) -> dict:
        return {
            "all_analyses": choices.all_analyses,
            "topics": list(choices.topics),
            "webinars": choices.webinars,
            "consultations": choices.consultations,
            "frequency": choices.frequency,
        }

    def choices(self) -> Choices:
        data = self.cleaned_data
        return Choices(
            all_analyses=data["all_analyses"],
            topics=tuple(data["topics"]),
            webinars=data["webinars"],
            consultations=data["consultations"],
            frequency=data["frequency"],
        )


class SubscribeForm(ChoicesForm):
    email = DeliverableEmailField(
        label=_("Your email address"),
        help_text=_("We'll send a link to confirm it. Nothing else is sent until you do."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )
    field_order = ["email"]


class EmailForm(ErrorSummaryMixin, forms.Form):
    email = DeliverableEmailField(
        label=_("Your email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )
