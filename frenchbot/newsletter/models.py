"""The newsletter: lists a reader can join, subscribers confirmed by double opt-in, issues written by the team,
and one delivery row per recipient and issue, so that a send interrupted anywhere resumes without sending twice."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frenchbot.core.models import TimeStampedModel


class MailingList(TimeStampedModel):
    """A list a reader chooses at sign-up (« Actualités de l'IA », « Formations et événements »…)."""

    slug = models.SlugField(_("adresse"), max_length=80, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Offered in the sign-up forms; a hidden list is kept for staff-only sends.
    is_public = models.BooleanField(_("proposée à l'inscription"), default=True)
    # Ticked in the forms unless the reader unticks it.
    is_default = models.BooleanField(_("cochée par défaut"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("liste")
        verbose_name_plural = _("listes")

    def __str__(self) -> str:
        return self.name


class Subscriber(TimeStampedModel):
    """One address. Only `confirmed` addresses receive anything; `bouncing` ones were refused for good by their
    server and are not mailed again; `unsubscribed` ones keep their row as proof of the withdrawal."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de confirmation")
        CONFIRMED = "confirmed", _("Confirmé")
        UNSUBSCRIBED = "unsubscribed", _("Désinscrit")
        BOUNCING = "bouncing", _("Adresse en échec")

    # In the links of every e-mail (signed): the preferences page and the one-click unsubscribe.
    public_id = models.UUIDField(_("identifiant public"), default=uuid.uuid4, unique=True, editable=False)
    # Stored lower-cased by the services; the constraint below holds whatever writes the row.
    email = models.EmailField(_("e-mail"), max_length=254)
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    lists = models.ManyToManyField(
        MailingList, verbose_name=_("listes"), related_name="subscribers", blank=True
    )
    # Where the form was: "article", "home", "page", "assistant", "profile", "event", "staff".
    origin = models.CharField(_("inscrit depuis"), max_length=20, blank=True)
    consent_text = models.TextField(_("texte de consentement présenté"), blank=True)
    consent_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    # The last confirmation e-mail sent: at most one per address per hour.
    confirmation_sent_at = models.DateTimeField(_("confirmation envoyée le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True, db_index=True)
    unsubscribed_at = models.DateTimeField(_("désinscrit le"), null=True, blank=True, db_index=True)
    bounced_at = models.DateTimeField(_("en échec depuis le"), null=True, blank=True)
    bounce_reason = models.CharField(_("motif de l'échec"), max_length=300, blank=True)
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("prospect"),
        null=True,
        blank=True,
        related_name="newsletter_subscriptions",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("abonné")
        verbose_name_plural = _("abonnés")
        constraints = [models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_unique_email_ci")]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class SubscriptionChange(models.Model):
    """The history of list memberships (joined at confirmation or from the preferences, left), from which the
    back-office draws subscribers per list over time."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("Inscription")
        LEFT = "left", _("Désinscription")
        BOUNCED = "bounced", _("Adresse en échec")

    subscriber = models.ForeignKey(Subscriber, related_name="changes", on_delete=models.CASCADE)
    mailing_list = models.ForeignKey(
        MailingList, verbose_name=_("liste"), related_name="changes", on_delete=models.CASCADE
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("le"), db_index=True)
    # The letter whose link the person followed to leave (per-issue unsubscribes), or whose send bounced.
    issue = models.ForeignKey(
        "Issue",
        verbose_name=_("lettre"),
        null=True,
        blank=True,
        related_name="changes",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("changement d'abonnement")
        verbose_name_plural = _("changements d'abonnement")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.mailing_list_id} — {self.at:%Y-%m-%d}"


class Issue(TimeStampedModel):
    """One letter, written in Markdown in the admin, sent to the confirmed subscribers of its lists."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SCHEDULED = "scheduled", _("Programmée")
        SENDING = "sending", _("Envoi en cours")
        SENT = "sent", _("Envoyée")

    slug = models.SlugField(_("adresse"), max_length=120, unique=True)
    subject = models.CharField(_("objet"), max_length=150)
    # The line most clients show after the subject, hidden in the body.
    preheader = models.CharField(_("texte d'aperçu"), max_length=200, blank=True)
    body_markdown = models.TextField(_("contenu (Markdown)"))
    lists = models.ManyToManyField(MailingList, verbose_name=_("listes destinataires"), related_name="issues")
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    scheduled_at = models.DateTimeField(_("envoi programmé le"), null=True, blank=True)
    sending_started_at = models.DateTimeField(_("envoi commencé le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True, db_index=True)
    # Shown at /lettre/archives/ and in its feed once sent.
    in_archive = models.BooleanField(_("publiée dans les archives"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["-sent_at", "-created_at"]
        verbose_name = _("lettre")
        verbose_name_plural = _("lettres")

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("newsletter:issue", args=[self.slug])


class Delivery(models.Model):
    """One recipient of one issue. Created for every confirmed subscriber of the issue's lists when the send
    starts; a worker claims pending rows, sends, and marks each one, so a restarted send skips what left."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENDING = "sending", _("En cours")
        SENT = "sent", _("Envoyé")
        BOUNCED = "bounced", _("Refusé définitivement")
        FAILED = "failed", _("Échec temporaire")
        SKIPPED = "skipped", _("Annulé (désinscrit)")

    issue = models.ForeignKey(Issue, related_name="deliveries", on_delete=models.CASCADE)
    subscriber = models.ForeignKey(Subscriber, related_name="deliveries", on_delete=models.CASCADE)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    error = models.CharField(_("erreur"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_delivery_once")
        ]
        indexes = [models.Index(fields=["issue", "status"])]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.subscriber_id} ({self.status})"
