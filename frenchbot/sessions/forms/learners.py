"""The learner's forms: registering with the positioning questionnaire, the questionnaire alone, the surveys,
and signing a half-day. The services decide; these only parse and keep what was typed."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from frenchbot.core.formguard import SpamGuardForm

from ..models import Attendance
from ..services.registrations import POSITIONING_MAX_CHARS, POSITIONING_QUESTIONS, positioning_clean

CONSENT_TEXT = _(
    "J'accepte que The French Bot utilise ces informations pour organiser ma formation (convocation, rappels, "
    "émargement, attestations, questionnaires de satisfaction) et les conserve comme preuves de la formation "
    "le temps exigé par la certification Qualiopi."
)


def _positioning_fields() -> dict[str, forms.Field]:
    fields = {}
    for question in POSITIONING_QUESTIONS:
        if question["choices"]:
            field = forms.ChoiceField(
                label=question["label"],
                choices=question["choices"],
                widget=forms.RadioSelect,
                required=False,
            )
        else:
            field = forms.CharField(
                label=question["label"],
                required=False,
                max_length=POSITIONING_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        field.is_required_question = question["required"]
        fields[question["key"]] = field
    return fields


class PositioningMixin:
    def positioning_add(self) -> None:
        # Required-ness is checked by the service (one message per question, the rest kept).
        self.fields.update(_positioning_fields())
        for key in self.positioning_keys():
            self.fields[key].widget.attrs.pop("maxlength", None)

    @staticmethod
    def positioning_keys() -> list[str]:
        return [question["key"] for question in POSITIONING_QUESTIONS]

    def positioning_answers(self) -> dict:
        return {key: self.cleaned_data.get(key, "") for key in self.positioning_keys()}

    def positioning_errors_add(self) -> None:
        """Each unanswered or invalid question's message next to it, with the form's other errors (the service
        checks again)."""
        _kept, errors = positioning_clean(self.positioning_answers())
        for key, message in errors.items():
            if key not in self.errors:
                self.add_error(key, message)

    def positioning_bound(self) -> list:
        return [self[key] for key in self.positioning_keys()]


class RegistrationForm(PositioningMixin, SpamGuardForm):
    submit_label = _("Je m'inscris")
    reread_hint = _("Relisez vos réponses")

    name = forms.CharField(
        label=_("Votre nom"),
        max_length=160,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Votre e-mail"),
        help_text=_(
            "La convocation, l'invitation pour votre agenda et le lien de votre espace y seront envoyés."
        ),
        error_messages={
            "required": _("Indiquez votre e-mail : la convocation y sera envoyée."),
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr)."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    company = forms.CharField(
        label=_("Votre entreprise (facultatif)"),
        max_length=160,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={
            "required": _(
                "Cochez la case de consentement : sans elle, nous ne pouvons pas enregistrer votre inscription."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.positioning_add()
        for name in ("name", "email"):
            self.fields[name].widget.attrs["required"] = True
            self.fields[name].widget.attrs.pop("maxlength", None)

    def clean(self):
        cleaned = super().clean()
        self.positioning_errors_add()
        self.spam_errors_add(min_seconds=settings.COMMENT_MIN_FILL_SECONDS)
        return cleaned


class PositioningForm(PositioningMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.positioning_add()

    def clean(self):
        cleaned = super().clean()
        self.positioning_errors_add()
        return cleaned


RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
_RATING_ERRORS = {
    "required": _("Choisissez une note de 1 à 5."),
    "invalid_choice": _("Choisissez une note de 1 à 5."),
}


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_(
            "Dans l'ensemble, êtes-vous satisfait(e) de la formation ? (1 : pas du tout, 5 : tout à fait)"
        ),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_RATING_ERRORS,
    )
    objectives_met = forms.TypedChoiceField(
        label=_("Les objectifs annoncés ont-ils été atteints ? (1 : pas du tout, 5 : tout à fait)"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_RATING_ERRORS,
    )
    applied = forms.TypedChoiceField(
        label=_("Mettez-vous en pratique ce que vous avez appris ? (1 : jamais, 5 : chaque semaine)"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
        error_messages=_RATING_ERRORS,
    )
    would_recommend = forms.TypedChoiceField(
        label=_("Recommanderiez-vous cette formation à un collègue ?"),
        choices=[("1", _("Oui")), ("0", _("Non"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Répondez par oui ou par non.")},
    )
    comment = forms.CharField(
        label=_("Un commentaire (facultatif)"),
        help_text=_("Ce qui vous a servi, ce qui a manqué. Lu par l'équipe, jamais publié avec votre nom."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, cold: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if cold:
            self.fields["applied"].required = True
        else:
            del self.fields["applied"]


class SignatureForm(forms.Form):
    """A signature: drawn (the pad's strokes) or typed (the name). The trainer's countersignature uses it as is."""

    method = forms.ChoiceField(
        label=_("Comment signez-vous ?"),
        choices=[
            (Attendance.Method.DRAWN, _("Je dessine ma signature")),
            (Attendance.Method.TYPED, _("Je tape mon nom")),
        ],
        initial=Attendance.Method.DRAWN,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez comment signer."),
            "invalid_choice": _("Choisissez comment signer."),
        },
    )
    signed_name = forms.CharField(label=_("Votre nom, comme signature"), max_length=200, required=False)
    strokes = forms.CharField(required=False, widget=forms.HiddenInput)


class SignForm(SignatureForm):
    """The learner's signature. `registration` names who the page was opened for; the service compares it with
    the registration this browser holds, so nobody signs for another learner."""

    registration = forms.IntegerField(widget=forms.HiddenInput)
