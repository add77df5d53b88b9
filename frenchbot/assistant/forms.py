from django import forms
from django.utils.translation import gettext_lazy as _

from frenchbot.retrieval.selectors import MAX_QUERY_LENGTH


class QuestionForm(forms.Form):
    content = forms.CharField(
        label=_("Votre question"),
        max_length=MAX_QUERY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Posez une question : le champ est vide."),
            "max_length": _("Votre question est trop longue (%(limit_value)d caractères au plus)."),
        },
    )
    conversation = forms.UUIDField(required=False, widget=forms.HiddenInput)


class ChatBookingForm(forms.Form):
    """A slot booked from the page without JavaScript (the widget posts the same fields as JSON)."""

    conversation = forms.UUIDField(widget=forms.HiddenInput)
    event_type = forms.CharField(max_length=80, widget=forms.HiddenInput)
    timezone = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    start = forms.CharField(max_length=40, required=False)
    name = forms.CharField(max_length=120, required=False)
    email = forms.CharField(max_length=254, required=False)
    consent = forms.BooleanField(required=False)


class ChatHandoffForm(forms.Form):
    """A message for the team from the page without JavaScript."""

    conversation = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(max_length=200, required=False)
    email = forms.CharField(max_length=254, required=False)
    message = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    consent = forms.BooleanField(required=False)
