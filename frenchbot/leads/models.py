"""The CRM pipeline: one lead per e-mail address, what they agreed to, and everything they did."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frenchbot.core.models import TimeStampedModel


class Source(models.TextChoices):
    """Where a lead first came from (and, on consents and events, where each later step came from)."""

    CONTACT = "contact", _("Contact")
    BOOKING = "booking", pgettext_lazy("origine d'un prospect", "Rendez-vous")
    AUDIT = "audit", _("Audit IA")
    NEWSLETTER = "newsletter", _("Lettre d'information")
    ASSISTANT = "assistant", _("Le bot")
    EVENT = "event", _("Événement")
    RESOURCES = "resources", _("Ressources")
    SESSION = "session", _("Session de formation")
    COMPLAINT = "complaint", _("Réclamation")
    STAFF = "staff", _("Saisie par l'équipe")
    OTHER = "other", _("Autre")


class Lead(TimeStampedModel):
    class Status(models.TextChoices):
        # The order of the pipeline; `PIPELINE` below relies on it.
        NEW = "new", _("Nouveau")
        AUDIT_BOOKED = "audit_booked", _("Audit réservé")
        AUDIT_DONE = "audit_done", _("Audit réalisé")
        PROPOSAL = "proposal", _("Proposition")
        CLIENT = "client", _("Client")
        LOST = "lost", _("Perdu")

    # Stored lower-cased by the services; the constraint below holds whatever writes the row.
    email = models.EmailField(_("e-mail"), max_length=254)
    name = models.CharField(_("nom"), max_length=120, blank=True)
    company = models.CharField(_("entreprise"), max_length=160, blank=True)
    source = models.CharField(_("origine"), max_length=20, choices=Source.choices, default=Source.OTHER)
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    next_action_on = models.DateField(_("prochaine action le"), null=True, blank=True)
    next_action = models.CharField(_("prochaine action"), max_length=200, blank=True)
    last_activity_at = models.DateTimeField(_("dernière activité"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        constraints = [models.UniqueConstraint(Lower("email"), name="leads_lead_unique_email_ci")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    def save(self, *args, **kwargs):
        # One spelling per address, whoever writes the row (services, admin, imports).
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


# Pipeline order for "move forward only" decisions; client and lost are both ends.
PIPELINE = [
    Lead.Status.NEW,
    Lead.Status.AUDIT_BOOKED,
    Lead.Status.AUDIT_DONE,
    Lead.Status.PROPOSAL,
    Lead.Status.CLIENT,
]
CLOSED_STATUSES = {Lead.Status.CLIENT, Lead.Status.LOST}


class ConsentRecord(models.Model):
    """Proof of consent (GDPR art. 7): what for, when, the exact words shown, and a keyed hash of the IP."""

    lead = models.ForeignKey(Lead, related_name="consents", on_delete=models.CASCADE)
    purpose = models.CharField(_("objet"), max_length=20, choices=Source.choices)
    text = models.TextField(_("texte présenté"))
    given_at = models.DateTimeField(_("donné le"), auto_now_add=True)
    ip_fingerprint = models.CharField(_("empreinte de l'adresse IP"), max_length=32, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consentement")
        verbose_name_plural = _("consentements")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} — {self.given_at:%Y-%m-%d %H:%M}"


class LeadEvent(models.Model):
    """One line of a lead's timeline. `kind` is open to other apps (audits add `audit_completed`)."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Message de contact")
        BOOKING_CREATED = "booking_created", _("Rendez-vous réservé")
        BOOKING_CANCELLED = "booking_cancelled", _("Rendez-vous annulé")
        BOOKING_RESCHEDULED = "booking_rescheduled", _("Rendez-vous déplacé")
        BOOKING_HELD = "booking_held", _("Rendez-vous tenu")
        BOOKING_NO_SHOW = "booking_no_show", _("Absent au rendez-vous")
        AUDIT_COMPLETED = "audit_completed", _("Audit IA complété")
        NEWSLETTER = "newsletter", _("Inscription à la lettre")
        NEWSLETTER_LEFT = "newsletter_left", _("Désinscription de la lettre")
        EVENT_REGISTERED = "event_registered", _("Inscription à un événement")
        EVENT_CANCELLED = "event_cancelled", _("Inscription à un événement annulée")
        EVENT_ATTENDED = "event_attended", _("Présent à un événement")
        GUIDE_REQUESTED = "guide_requested", _("Guide demandé")
        SESSION_REGISTERED = "session_registered", _("Inscription à une session de formation")
        SESSION_CANCELLED = "session_cancelled", _("Inscription à une session annulée")
        COMPLAINT = "complaint", _("Réclamation")
        STATUS_CHANGED = "status_changed", _("Statut modifié")
        NOTE = "note", pgettext_lazy("suivi d'un prospect", "Note")
        NEXT_ACTION = "next_action", _("Prochaine action")
        CONSENT = "consent", _("Consentement")

    lead = models.ForeignKey(Lead, related_name="events", on_delete=models.CASCADE)
    kind = models.CharField(_("type"), max_length=40, choices=Kind.choices)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    text = models.TextField(_("texte"), blank=True)
    payload = models.JSONField(_("données"), default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        indexes = [models.Index(fields=["lead", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.lead}"
