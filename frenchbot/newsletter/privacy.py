"""The newsletter's personal data: a subscriber's address, lists and consent, the letters sent to them and the
history of their lists; the subscription is a consent the person withdraws from « Mes données »."""

from functools import partial

from django.conf import settings
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from frenchbot.privacy.registry import (
    Consent,
    ConsentSource,
    Erasure,
    LegalBasis,
    PersonalData,
    Treatment,
    by_emails,
    empty,
    not_personal,
    register,
    register_consents,
)

from .models import Delivery, Subscriber, SubscriptionChange
from .services.subscriptions import subscriber_unsubscribe


def _retention() -> str:
    # Read when shown: it follows RETENTION_NEWSLETTER_PENDING_DAYS (0: pending sign-ups are kept).
    days = settings.RETENTION_NEWSLETTER_PENDING_DAYS
    kept = gettext(
        "jusqu'à votre désinscription ; ensuite, votre adresse et la date du retrait sont gardées pour prouver "
        "que nous ne devons plus vous écrire"
    )
    if days <= 0:
        return kept
    pending = ngettext(
        "une inscription jamais confirmée est effacée au bout de %(days)d jour",
        "une inscription jamais confirmée est effacée au bout de %(days)d jours",
        days,
    ) % {"days": days}
    return f"{kept} ; {pending}"


NEWSLETTER = Treatment(
    key="newsletter.subscribers",
    name=_("Lettre d'information"),
    purpose=_("Vous envoyer la lettre d'information des listes que vous avez choisies."),
    legal_basis=LegalBasis.CONSENT,
    description=_(
        "Pour recevoir nos lettres, vous indiquez votre e-mail et les listes qui vous intéressent. Nous "
        "enregistrons ces choix, la page où vous vous êtes inscrit et la preuve de votre consentement (le "
        "texte accepté, sa date et une empreinte chiffrée de votre adresse IP). Rien n'est envoyé avant que "
        "vous ayez confirmé votre adresse par le lien reçu ; une inscription jamais confirmée est effacée "
        "au bout de 30 jours. Pour chaque lettre, nous gardons la date d'envoi et, si votre serveur de "
        "messagerie la refuse définitivement, le motif, pour cesser de vous écrire. Nous ne mesurons ni "
        "l'ouverture des lettres ni les clics : aucune image espion, aucun lien déguisé. Chaque lettre "
        "contient un lien de désinscription immédiate, sans compte, et un lien vers vos préférences. Une "
        "fois confirmée, votre adresse devient une fiche de prospect. Base légale : votre consentement, que "
        "vous retirez en un clic."
    ),
    categories=(
        _("e-mail"),
        _("listes choisies et page d'inscription"),
        _("preuve du consentement (texte accepté, date)"),
        _("date d'envoi de chaque lettre et, le cas échéant, motif du refus par votre serveur de messagerie"),
    ),
    people=_("les abonnés à la lettre d'information"),
    retention=_retention,
    order=60,
)


def _subscribers(subject):
    return by_emails(Subscriber, "email", subject)


class SubscriberData(PersonalData):
    model = Subscriber
    treatment = NEWSLETTER
    fields = (
        "email",
        "status",
        "origin",
        "consent_text",
        "consent_at",
        "confirmed_at",
        "unsubscribed_at",
        "bounced_at",
        "bounce_reason",
        "created_at",
    )
    label = _("Votre inscription à la lettre d'information")
    # Deleting the row takes its deliveries and list history with it (CASCADE).
    erasure = Erasure.DELETE
    erasure_text = _(
        "Votre inscription à la lettre est supprimée, avec la liste des lettres qui vous ont été envoyées : vous "
        "ne recevrez plus rien."
    )
    # No `email_fields`: the address is the subscription itself, and a new one is confirmed by its own link
    # (double opt-in) before anything is sent to it.
    erase_order = 50

    def rows(self, subject):
        return _subscribers(subject).prefetch_related("lists")

    def export_row(self, row):
        data = super().export_row(row)
        data[str(Subscriber._meta.get_field("status").verbose_name)] = row.get_status_display()
        data[str(Subscriber._meta.get_field("lists").verbose_name)] = [m.name for m in row.lists.all()]
        return data


class DeliveryData(PersonalData):
    # Nothing that looks personal on its own, but the letters sent to the person: exported, and deleted with
    # the subscriber in any case.
    model = Delivery
    treatment = NEWSLETTER
    fields = ("issue", "status", "sent_at", "error")
    label = _("Les lettres qui vous ont été envoyées")
    erasure = Erasure.DELETE
    erasure_text = _("La liste des lettres qui vous ont été envoyées est supprimée.")
    erase_order = 10

    def rows(self, subject):
        if not subject.emails:
            return empty(Delivery)
        return Delivery.objects.filter(subscriber__in=_subscribers(subject)).select_related("issue")

    def export_row(self, row):
        return {
            gettext("lettre"): str(row.issue),
            str(Delivery._meta.get_field("status").verbose_name): row.get_status_display(),
            str(Delivery._meta.get_field("sent_at").verbose_name): row.sent_at.isoformat()
            if row.sent_at
            else None,
            str(Delivery._meta.get_field("error").verbose_name): row.error,
        }


class SubscriptionChangeData(PersonalData):
    model = SubscriptionChange
    treatment = NEWSLETTER
    fields = ("mailing_list", "kind", "at", "issue")
    label = _("L'historique de vos abonnements aux listes")
    erasure = Erasure.DELETE
    erasure_text = _("L'historique de vos abonnements aux listes est supprimé.")
    erase_order = 10

    def rows(self, subject):
        if not subject.emails:
            return empty(SubscriptionChange)
        return SubscriptionChange.objects.filter(subscriber__in=_subscribers(subject)).select_related(
            "mailing_list", "issue"
        )

    def export_row(self, row):
        data = super().export_row(row)
        data[str(SubscriptionChange._meta.get_field("kind").verbose_name)] = row.get_kind_display()
        return data


def _withdraw(*, subscriber_id: int) -> None:
    # The newsletter's own unsubscribe: the lists are left, the sending stops at once, the lead's timeline
    # records it, as with the link of a letter.
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is not None:
        subscriber_unsubscribe(subscriber=subscriber)


class NewsletterConsents(ConsentSource):
    """One consent per subscription still running (pending or confirmed): withdrawing it unsubscribes."""

    treatment = NEWSLETTER

    def consents(self, subject):
        subscribers = (
            _subscribers(subject)
            .filter(status__in=(Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED))
            .prefetch_related("lists")
        )
        consents = []
        for subscriber in subscribers:
            names = ", ".join(mailing_list.name for mailing_list in subscriber.lists.all())
            label = (
                gettext("Lettre d'information : %(lists)s") % {"lists": names}
                if names
                else gettext("Lettre d'information")
            )
            consents.append(
                Consent(
                    key=f"newsletter:{subscriber.public_id}",
                    label=label,
                    given_at=subscriber.consent_at,
                    withdraw=partial(_withdraw, subscriber_id=subscriber.pk),
                )
            )
        return consents


register(SubscriberData())
register(DeliveryData())
register(SubscriptionChangeData())
register_consents(NewsletterConsents())
not_personal("newsletter.MailingList.name", "a list's name (« Actualités de l'IA »), written by staff")
not_personal(
    "newsletter.Issue.author",
    "the staff member who wrote the letter; Django sets it to nothing (SET_NULL) when their account is deleted",
)
