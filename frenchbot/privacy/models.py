"""The log of the rights people exercised: who (a keyed digest of the address, never the address once done),
when, which right, and what each app did. It is the proof asked of the company, and it copies no data."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from frenchbot.core.models import TimeStampedModel


class PrivacyRequest(TimeStampedModel):
    class Right(models.TextChoices):
        ACCESS = "access", _("Accès et copie (portabilité)")
        RECTIFICATION = "rectification", _("Rectification")
        ERASURE = "erasure", _("Effacement")
        WITHDRAWAL = "withdrawal", _("Retrait d'un consentement")
        OBJECTION = "objection", _("Opposition")

    class Channel(models.TextChoices):
        LINK = "link", _("Lien envoyé par e-mail")
        ACCOUNT = "account", _("Compte")
        STAFF = "staff", _("Saisie par l'équipe (courrier, e-mail)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Reçue, à traiter")
        IN_PROGRESS = "in_progress", _("En cours")
        INCOMPLETE = "incomplete", _("Inachevée, reprise automatiquement")
        DONE = "done", _("Traitée")
        REFUSED = "refused", _("Refusée")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    right = models.CharField(_("droit"), max_length=20, choices=Right.choices)
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    # The address is needed only while the request is being carried out (an erasure interrupted half-way is
    # resumed from it); it is blanked when the request is done, and the digest stays as the proof.
    email = models.EmailField(_("e-mail"), blank=True)
    email_digest = models.CharField(_("empreinte de l'e-mail"), max_length=64, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    # The browser sessions whose bot conversations the request covers, and the IP fingerprints read from the
    # person's rows before anything was erased (what ties them to a poll vote): both blanked when done.
    session_keys = models.JSONField(default=list, blank=True)
    ip_fingerprints = models.JSONField(default=list, blank=True)
    due_on = models.DateField(_("à traiter avant le"))
    completed_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # What each app did: [{"app", "label", "outcome": "done"|"failed", "counts": {...}, "at"}]; counts, no data.
    steps = models.JSONField(_("étapes"), default=list, blank=True)
    summary = models.TextField(_("ce qui a été fait"), blank=True)
    note = models.TextField(_("note de l'équipe"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("demande sur les données personnelles")
        verbose_name_plural = _("demandes sur les données personnelles")

    def __str__(self) -> str:
        return f"{self.get_right_display()} — {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.IN_PROGRESS, self.Status.INCOMPLETE)
