"""Webinars and workshops: dated events with seats, registrations (confirmed or on the waiting list), the
reminders sent before, and after the event the attendance, the replay and a short satisfaction survey."""

import datetime
import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frenchbot.core.models import TimeStampedModel


class Event(TimeStampedModel):
    class Kind(models.TextChoices):
        WEBINAR = "webinar", _("Webinaire")
        WORKSHOP = "workshop", _("Atelier")

    slug = models.SlugField(_("adresse"), max_length=120, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.WEBINAR)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description_markdown = models.TextField(_("description (Markdown)"), blank=True)
    # Stored in UTC; shown in Europe/Paris.
    starts_at = models.DateTimeField(_("début"), db_index=True)
    duration_minutes = models.PositiveIntegerField(_("durée (minutes)"), default=60)
    seats = models.PositiveIntegerField(_("places"), default=50)
    speaker = models.CharField(_("intervenant"), max_length=160, blank=True)
    # A workshop's place (address); empty for a webinar.
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    # A webinar's room: shown only to confirmed registrants (their e-mails and their registration page).
    join_url = models.URLField(_("lien de connexion"), max_length=500, blank=True)
    replay_url = models.URLField(_("lien du replay"), max_length=500, blank=True)
    training = models.ForeignKey(
        "courses.Training",
        verbose_name=_("formation liée"),
        null=True,
        blank=True,
        related_name="events",
        on_delete=models.SET_NULL,
    )
    is_published = models.BooleanField(_("publié"), default=True)
    # Goes up each time staff move the event or change its place or link: the SEQUENCE of the invitations, so that
    # the registrants' calendars replace the old one with the update.
    schedule_version = models.PositiveIntegerField(_("version du programme"), default=0, editable=False)
    # When the replay and the survey were sent to the attendees (once).
    followup_sent_at = models.DateTimeField(_("suivi envoyé le"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        constraints = [models.CheckConstraint(condition=Q(seats__gt=0), name="events_event_seats_positive")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.slug])

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


class Registration(TimeStampedModel):
    """One person for one event. A confirmed registration holds a seat number in 1..seats; the unique constraint
    on (event, seat) is what makes over-booking impossible whatever the concurrency. A waitlisted one has no
    seat and waits in the order of `created_at`."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Inscrit")
        WAITLISTED = "waitlisted", _("Liste d'attente")
        CANCELLED = "cancelled", _("Annulé")

    public_id = models.UUIDField(_("identifiant public"), default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(
        Event, verbose_name=_("événement"), related_name="registrations", on_delete=models.CASCADE
    )
    name = models.CharField(_("nom"), max_length=120)
    email = models.EmailField(_("e-mail"), max_length=254)
    company = models.CharField(_("entreprise"), max_length=160, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, db_index=True)
    seat = models.PositiveIntegerField(_("place n°"), null=True, blank=True)
    consent_text = models.TextField(_("texte de consentement présenté"), blank=True)
    promoted_at = models.DateTimeField(_("sorti de la liste d'attente le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    reminder_day_sent_at = models.DateTimeField(_("rappel J-1 envoyé le"), null=True, blank=True)
    reminder_hour_sent_at = models.DateTimeField(_("rappel H-1 envoyé le"), null=True, blank=True)
    # Marked by staff after the event: None until marked.
    attended = models.BooleanField(_("présent"), null=True, blank=True)
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("prospect"),
        null=True,
        blank=True,
        related_name="event_registrations",
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(fields=["event", "seat"], name="events_registration_one_per_seat"),
            # One live registration per address and event (a cancelled one may be followed by a new one).
            models.UniqueConstraint(
                "event",
                models.functions.Lower("email"),
                condition=~Q(status="cancelled"),
                name="events_registration_once_per_email",
            ),
            models.CheckConstraint(
                condition=(Q(status="confirmed") & Q(seat__isnull=False) & Q(seat__gt=0))
                | (~Q(status="confirmed") & Q(seat__isnull=True)),
                name="events_registration_seat_iff_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class SurveyResponse(models.Model):
    """The attendee's rating of the event (1 to 5) and an optional comment, once per registration."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("inscription"), related_name="survey", on_delete=models.CASCADE
    )
    rating = models.PositiveSmallIntegerField(_("note"))
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(_("répondu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="events_survey_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 — {self.registration}"
