"""How allauth behaves on this site: French messages, links built on SITE_URL, e-mails through the task queue.

No credential goes into the task queue: its rows are kept (and backed up) long after the e-mail left. The e-mails
whose link opens an account (password reset, address confirmation) are queued with who and what only, and the
task makes the link when it sends; any other credential (a one-time code, kept in the visitor's session, that a
task could not make again) is sent at the end of the request instead.
"""

import logging
from functools import partial
from urllib.parse import quote, urlsplit

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from frenchbot.core.context_processors import site as site_context
from frenchbot.core.mail import mail_send

logger = logging.getLogger(__name__)

RESET_KEY_TEMPLATE = "account/email/password_reset_key"
CONFIRMATION_MAILS = {"account/email/email_confirmation", "account/email/email_confirmation_signup"}


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
        """Send from the task queue once the data is saved; see the module's docstring for credentials."""
        from .tasks import send_account_email, send_account_link_email

        user = context.get("user")
        if user is not None and "code" not in context and _task_can_make_link(template_prefix):
            transaction.on_commit(
                partial(
                    send_account_link_email.enqueue,
                    template_prefix=template_prefix,
                    email=email,
                    user_id=user.pk,
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                )
            )
            return
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        html = next(
            (content for content, mime in getattr(message, "alternatives", []) if mime == "text/html"), None
        )
        fields = {
            "subject": message.subject,
            "body": message.body,
            "to": list(message.to),
            "from_email": message.from_email,
            "html": html,
        }
        # allauth's reset page address in « account already exists » is public; the same name with a key is not.
        has_credential = "code" in context or "key" in context
        if has_credential:
            transaction.on_commit(partial(_send_now, template_prefix=template_prefix, **fields))
        else:
            transaction.on_commit(partial(send_account_email.enqueue, **fields))


def _task_can_make_link(template_prefix: str) -> bool:
    if template_prefix == RESET_KEY_TEMPLATE:
        return True
    # A signed (HMAC) confirmation key can be made again from the address; a stored one could not.
    return template_prefix in CONFIRMATION_MAILS and allauth_settings.EMAIL_CONFIRMATION_HMAC


def _send_now(*, template_prefix: str, **fields) -> None:
    """A message holding a credential the task could not make again: sent at the end of the request. A failure
    is logged, not shown: the visitor asks for a new code, as after any lost e-mail."""
    try:
        mail_send(**fields)
    except Exception:
        logger.exception("The account e-mail %s could not be sent", template_prefix)


def account_link_email_context(*, template_prefix: str, user, email: str) -> dict | None:
    """What the password-reset or confirmation e-mail of `user` at `email` says, with a link made now (in the
    task). None when there is nothing to send any more (the address is gone or already confirmed)."""
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str

    adapter = AccountAdapter()
    # No request in a worker: the site as allauth's templates name it, from the settings.
    current_site = {"name": settings.SITE_NAME, "domain": urlsplit(settings.SITE_URL).netloc}
    context = {"user": user, "email": email, "current_site": current_site, **site_context(None)}
    if template_prefix == RESET_KEY_TEMPLATE:
        temp_key = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
        uid = user_pk_to_url_str(user)
        context.update(
            {
                "uid": uid,
                "key": temp_key,
                "password_reset_url": adapter.get_reset_password_from_key_url(f"{uid}-{temp_key}"),
            }
        )
        return context
    address = EmailAddress.objects.filter(user=user, email__iexact=email, verified=False).first()
    if address is None:
        return None
    confirmation = EmailConfirmationHMAC(address)
    context.update(
        {"key": confirmation.key, "activate_url": adapter.get_email_confirmation_url(None, confirmation)}
    )
    return context
