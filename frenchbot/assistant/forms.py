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
