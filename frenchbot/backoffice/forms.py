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
