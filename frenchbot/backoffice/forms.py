from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frenchbot.leads.models import Lead, Source


class LeadFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous"))] + list(Lead.Status.choices)
    )
    source = forms.ChoiceField(
        label=_("Origine"), required=False, choices=[("", _("Toutes"))] + list(Source.choices)
    )
    q = forms.CharField(label=_("E-mail, nom ou entreprise"), required=False, max_length=200)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"status": "", "source": "", "search": ""}
        data = self.cleaned_data
        return {"status": data["status"], "source": data["source"], "search": data["q"]}


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=Lead.Status.choices)


class LeadNoteForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("suivi d'un prospect", "Note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("La note est vide : écrivez quelques mots.")},
    )


class LeadNextActionForm(forms.Form):
    on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Date non valide (exemple : 27/11/2026).")},
    )
    text = forms.CharField(label=_("Action"), max_length=200, required=False)


def message_ids_parse(value: str) -> list[int]:
    """The bot's message ids of a group, as the list page hands them over (« 12,15,31 »); anything else is
    dropped rather than refused: the ids only say which questions leave the list."""
    ids = []
    for part in (value or "").split(",")[:500]:
        part = part.strip()
        if part.isdigit() and len(part) < 12:
            ids.append(int(part))
    return ids


class FaqEntryForm(forms.Form):
    question = forms.CharField(
        label=_("Question"),
        max_length=300,
        error_messages={"required": _("Écrivez la question, telle qu'un visiteur la poserait.")},
    )
    answer = forms.CharField(
        label=_("Réponse"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("En Markdown. C'est elle que le bot donnera : une réponse qui se suffit à elle-même."),
        error_messages={"required": _("Écrivez la réponse : c'est elle que le bot donnera.")},
    )
    category = forms.CharField(
        label=_("Catégorie (facultatif)"),
        max_length=100,
        required=False,
        help_text=_("Les questions de la page FAQ sont regroupées par catégorie."),
    )
    # The bot's answers whose questions the entry answers (see message_ids_parse).
    group = forms.CharField(required=False, widget=forms.HiddenInput)

    def group_message_ids(self) -> list[int]:
        return message_ids_parse(
            self.data.get("group", "") if self.is_bound else self.initial.get("group", "")
        )
