from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from frenchbot.core.formguard import SpamGuardForm, form_timestamp

_TOKEN_SALT = "frenchbot.blog.comment-form"  # noqa: S105 - a signing namespace, not a secret


# Stands for the time stamp in the shared copy of an article page (see frenchbot.core.pagecache).
TS_PLACEHOLDER = "fbtsplaceholder"


def comment_form_token() -> str:
    """A signed time stamp of when the form was shown, to catch robots that post instantly."""
    return form_timestamp(salt=_TOKEN_SALT)


class CommentForm(SpamGuardForm):
    ts_salt = _TOKEN_SALT
    submit_label = _("Publier")
    spam_error_field = "body"
    reread_hint = _("Relisez votre commentaire")

    name = forms.CharField(
        label=_("Votre nom"),
        max_length=80,
        error_messages={"required": _("Indiquez votre nom (ou un pseudonyme).")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Votre e-mail"),
        help_text=_("Il ne sera jamais affiché."),
        error_messages={
            "required": _("Indiquez votre e-mail : il ne sera jamais affiché."),
            "invalid": _("Cette adresse e-mail ne semble pas valide (exemple : prenom@domaine.fr)."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    body = forms.CharField(
        label=_("Votre commentaire"),
        max_length=settings.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Votre commentaire est vide : écrivez quelques mots avant de l'envoyer."),
            "max_length": _(
                "Votre commentaire dépasse %(limit_value)d caractères (il en compte %(show_value)d) : "
                "raccourcissez-le un peu."
            ),
        },
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The maxlength attribute would silently truncate a paste in the browser; the server says it instead.
        self.fields["body"].widget.attrs.pop("maxlength", None)
        for name in ("name", "email", "body"):
            self.fields[name].widget.attrs["required"] = True

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(
                _("Votre commentaire est vide : écrivez quelques mots avant de l'envoyer.")
            )
        return body

    def clean(self):
        cleaned = super().clean()
        self.spam_errors_add(min_seconds=settings.COMMENT_MIN_FILL_SECONDS)
        return cleaned
