"""The complaint form of /reclamation/ and the team's forms of the back-office (filter, follow-up)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from frenchbot.core.formguard import SpamGuardForm
from frenchbot.courses.models import Training

from ..models import Complaint
from ..services.complaints import (
    COMPLAINT_COMPANY_MAX_LENGTH,
    COMPLAINT_NAME_MAX_LENGTH,
    COMPLAINT_SUBJECT_MAX_LENGTH,
    complaint_clean_text,
)


class ComplaintForm(SpamGuardForm):
    """What the person typed, with the spam defences of every public form (honeypot and signed time stamp);
    `complaint_create` decides (it checks each field again, and the rate limit per IP)."""

    submit_label = _("Envoyer ma réclamation")
    reread_hint = _("Relisez votre réclamation")
    # Seconds a person takes at least to fill the form; a post sooner than that comes from a robot.
    min_fill_seconds = 3

    name = forms.CharField(
        label=_("Votre nom"),
        max_length=COMPLAINT_NAME_MAX_LENGTH,
        error_messages={
            "required": _("Indiquez votre nom."),
            "max_length": _("Votre nom dépasse %(limit_value)d caractères : abrégez-le."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Votre e-mail"),
        help_text=_("L'accusé de réception et notre réponse y seront envoyés."),
        error_messages={
            "required": _("Indiquez votre e-mail : l'accusé de réception et notre réponse y seront envoyés."),
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr)."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    company = forms.CharField(
        label=_("Votre entreprise ou organisme (facultatif)"),
        max_length=COMPLAINT_COMPANY_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Le nom de l'entreprise dépasse %(limit_value)d caractères : abrégez-le.")
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    role = forms.ChoiceField(
        label=_("Vous êtes"),
        choices=Complaint.Role.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Dites-nous qui vous êtes : choisissez une réponse dans la liste."),
            "invalid_choice": _("Dites-nous qui vous êtes : choisissez une réponse dans la liste."),
        },
    )
    training = forms.ModelChoiceField(
        label=_("Formation concernée (facultatif)"),
        queryset=Training.objects.filter(is_published=True),
        required=False,
        empty_label=_("Aucune en particulier"),
        error_messages={
            "invalid_choice": _("Choisissez la formation dans la liste, ou « Aucune en particulier ».")
        },
    )
    subject = forms.CharField(
        label=_("Objet"),
        max_length=COMPLAINT_SUBJECT_MAX_LENGTH,
        help_text=_("En quelques mots, par exemple : « Convocation reçue trop tard »."),
        error_messages={
            "required": _("Indiquez l'objet de votre réclamation en quelques mots."),
            "max_length": _("L'objet dépasse %(limit_value)d caractères : abrégez-le."),
        },
    )
    # No max_length here: the service checks the limit on the text as the person sees it.
    body = forms.CharField(
        label=_("Votre réclamation"),
        help_text=_("Ce qui s'est passé, quand, et ce que vous attendez de nous. 10 000 caractères au plus."),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Votre réclamation est vide : décrivez ce qui s'est passé avant de l'envoyer.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "email", "subject", "body"):
            self.fields[name].widget.attrs["required"] = True

    def clean_body(self):
        body = complaint_clean_text(self.cleaned_data.get("body", ""))
        if not body:
            raise forms.ValidationError(self.fields["body"].error_messages["required"])
        return body

    def clean(self):
        cleaned = super().clean()
        self.spam_errors_add(min_seconds=self.min_fill_seconds)
        return cleaned

    def create_kwargs(self) -> dict:
        """The cleaned fields as `complaint_create` takes them."""
        return {
            name: self.cleaned_data[name]
            for name in ("name", "email", "company", "role", "training", "subject", "body")
        }


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[("", _("Toutes")), ("open", _("Non closes"))] + list(Complaint.Status.choices),
    )

    def status_value(self) -> str:
        return self.cleaned_data["status"] if self.is_valid() else ""


class ComplaintUpdateForm(forms.Form):
    """The team's follow-up of one complaint; `complaint_update` decides (answer before closing, the answer
    kept as sent)."""

    status = forms.ChoiceField(
        label=_("Statut"),
        choices=Complaint.Status.choices,
        error_messages={"invalid_choice": _("Choisissez un statut dans la liste.")},
    )
    answer = forms.CharField(
        label=_("Réponse apportée à la personne"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Envoyée par e-mail à la personne dès l'enregistrement ; elle ne se modifie plus ensuite."
        ),
    )
    action = forms.CharField(
        label=_("Action d'amélioration"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Ce qui change pour que cela ne se reproduise pas (ou pourquoi rien ne change). Usage interne."
        ),
    )

    def __init__(self, *args, complaint: Complaint, **kwargs):
        kwargs.setdefault(
            "initial", {"status": complaint.status, "answer": complaint.answer, "action": complaint.action}
        )
        super().__init__(*args, **kwargs)
        if complaint.answered_at:
            # Sent: the text stays as the person received it (a disabled field ignores what is posted).
            self.fields["answer"].disabled = True
            self.fields["answer"].help_text = _("Déjà envoyée à la personne : elle ne se modifie plus.")
