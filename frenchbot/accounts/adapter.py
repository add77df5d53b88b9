"""How allauth behaves on this site: French messages, links built on SITE_URL, e-mails through the task queue."""

from functools import partial
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    # allauth's own French catalogue misses some of these and uses plain spaces before « : ? ! ».
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _(
            "Ce compte est désactivé. Écrivez-nous si vous pensez qu'il s'agit d'une erreur."
        ),
        "duplicate_email": _("Cette adresse e-mail est déjà celle de votre compte."),
        "email_password_mismatch": _(
            "L'adresse e-mail ou le mot de passe est incorrect. Vérifiez-les, ou choisissez "
            "« Mot de passe oublié ? » pour en définir un nouveau."
        ),
        "email_taken": _("Un compte existe déjà avec cette adresse e-mail : connectez-vous plutôt."),
        "enter_current_password": _("Saisissez votre mot de passe actuel."),
        "incorrect_password": _("Ce mot de passe est incorrect."),
        "invalid_password_reset": _(
            "Ce lien de réinitialisation n'est plus valable : demandez-en un nouveau."
        ),
        "too_many_login_attempts": _(
            "Trop de tentatives de connexion échouées. Patientez quelques minutes puis réessayez."
        ),
        "unknown_email": _("Aucun compte n'utilise cette adresse e-mail."),
        "unverified_primary_email": _("Votre adresse e-mail principale doit d'abord être confirmée."),
        "same_as_current": _("La nouvelle valeur doit être différente de l'actuelle."),
        "rate_limited": _("Vous envoyez beaucoup de demandes en peu de temps : patientez quelques minutes."),
    }

    def get_login_redirect_url(self, request) -> str:
        """Where a sign-in without `next` leads: an invitation waiting for one of the person's addresses (a
        colleague invited them before they had an account), else the learner's dashboard."""
        from frenchbot.courses.selectors.companies import seat_pending_for_user

        seat = seat_pending_for_user(user=request.user)
        if seat is not None:
            return reverse("courses:seat_accept", args=[seat.token])
        return super().get_login_redirect_url(request)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        """The site's public address, not the Host header of whoever asked: links in e-mails cannot be
        pointed elsewhere by a forged request."""
        return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", quote(key))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now (the request's language and context), send from the task queue once the data is saved."""
        from .tasks import send_account_email

        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        html = next(
            (content for content, mime in getattr(message, "alternatives", []) if mime == "text/html"), None
        )
        transaction.on_commit(
            partial(
                send_account_email.enqueue,
                subject=message.subject,
                body=message.body,
                to=list(message.to),
                from_email=message.from_email,
                html=html,
            )
        )
