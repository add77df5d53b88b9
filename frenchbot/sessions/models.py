"""Dated sessions of a training, and the evidence a certified training body keeps about them.

A `TrainingSession` schedules a training (`courses.Training`) on dated half-days (`HalfDay`), in person or
remote, for several companies (inter) or one (intra). People are `Registration`s: a learner who registered
alone, or one of a company's seats under its `Convention`. Before the session each answers the positioning
questionnaire; during it each signs every half-day (`Attendance`), and the trainer countersigns the half-day;
after it, they answer the hot and, three months later, the cold satisfaction survey (`SurveyResponse`).
`Complaint`s come from anyone through `/reclamation/` and are followed to an answer and an improvement action.
`IndicatorSnapshot` keeps each training's public result indicators as computed on a date.
"""

import datetime
import secrets
import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frenchbot.core.models import TimeStampedModel


def token_generate() -> str:
    return secrets.token_urlsafe(24)


class TrainingSession(TimeStampedModel):
    class Kind(models.TextChoices):
        INTER = "inter", _("Inter-entreprises")
        INTRA = "intra", _("Intra-entreprise")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("Présentiel")
        REMOTE = "remote", _("À distance")

    training = models.ForeignKey(
        "courses.Training", related_name="sessions", on_delete=models.PROTECT, verbose_name=_("formation")
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.INTER)
    company_name = models.CharField(
        _("entreprise (intra)"), max_length=160, blank=True, help_text=_("Pour une session intra-entreprise.")
    )
    format = models.CharField(_("modalité"), max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    place = models.CharField(
        _("lieu"), max_length=300, blank=True, help_text=_("Adresse complète, étage, accès (présentiel).")
    )
    remote_link = models.URLField(_("lien de la visioconférence"), blank=True)
    practical_info = models.TextField(
        _("informations pratiques"),
        blank=True,
        help_text=_("Reprises dans la convocation (matériel, accès…)."),
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="sessions_trained",
        on_delete=models.PROTECT,
        verbose_name=_("formateur"),
        limit_choices_to={"is_staff": True},
    )
    seats = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    price_text = models.CharField(
        _("tarif de la session"), max_length=200, blank=True, help_text=_("Vide : le tarif de la formation.")
    )
    is_published = models.BooleanField(
        _("ouverte aux inscriptions"),
        default=True,
        help_text=_("Affichée sur la page de la formation (inter)."),
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("session de formation")
        verbose_name_plural = _("sessions de formation")
        ordering = ["-created_at"]
        permissions = [("run_session", _("Animer une session (émargement, contre-signature)"))]

    def __str__(self) -> str:
        first = self.half_days.first()
        return f"{self.training} — {first.date:%d/%m/%Y}" if first else str(self.training)

    def get_absolute_url(self) -> str:
        return reverse("sessions:staff_session", args=[self.pk])

    @property
    def price(self) -> str:
        return self.price_text or self.training.price_text

    def half_days_in_order(self) -> list["HalfDay"]:
        """Its half-days by date and start: the prefetched ones when `half_days` was prefetched (lists of
        sessions), else one query."""
        return sorted(self.half_days.all(), key=lambda half_day: (half_day.date, half_day.starts_at))

    @property
    def first_half_day(self) -> "HalfDay | None":
        half_days = self.half_days_in_order()
        return half_days[0] if half_days else None

    @property
    def last_half_day(self) -> "HalfDay | None":
        half_days = self.half_days_in_order()
        return half_days[-1] if half_days else None


class HalfDay(models.Model):
    """A morning or an afternoon of a session: the unit of attendance, signed by each learner and the trainer."""

    class Period(models.TextChoices):
        MORNING = "am", _("Matin")
        AFTERNOON = "pm", _("Après-midi")

    session = models.ForeignKey(TrainingSession, related_name="half_days", on_delete=models.CASCADE)
    date = models.DateField(_("date"))
    period = models.CharField(_("demi-journée"), max_length=2, choices=Period.choices)
    starts_at = models.TimeField(_("début"))
    ends_at = models.TimeField(_("fin"))
    # In the link and QR code the trainer shows: opens the signing page of this half-day.
    token = models.CharField(max_length=64, unique=True, default=token_generate, editable=False)
    countersigned_at = models.DateTimeField(_("contre-signée le"), null=True, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    countersign_name = models.CharField(_("nom du formateur (signature)"), max_length=200, blank=True)
    countersign_strokes = models.JSONField(_("signature dessinée du formateur"), default=list, blank=True)

    class Meta:
        verbose_name = _("demi-journée")
        verbose_name_plural = _("demi-journées")
        ordering = ["session", "date", "period"]
        constraints = [
            models.UniqueConstraint(fields=["session", "date", "period"], name="half_day_once"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="half_day_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_period_display()}"

    def _at(self, time: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(self.date, time, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))

    @property
    def start(self) -> datetime.datetime:
        return self._at(self.starts_at)

    @property
    def end(self) -> datetime.datetime:
        return self._at(self.ends_at)

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """When learners may sign: from SESSIONS_SIGNING_OPENS_MINUTES before the start to
        SESSIONS_SIGNING_CLOSES_MINUTES after the end."""
        return (
            self.start - datetime.timedelta(minutes=settings.SESSIONS_SIGNING_OPENS_MINUTES),
            self.end + datetime.timedelta(minutes=settings.SESSIONS_SIGNING_CLOSES_MINUTES),
        )

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        opens, closes = self.window
        return opens <= (now or timezone.now()) <= closes


class Convention(TimeStampedModel):
    """The « convention de formation » between the training body and a company, for its seats in a session.

    Versioned: the text of a signed version never changes; a change after signature makes a new version (the
    previous one is kept, marked replaced) that the company signs again."""

    session = models.ForeignKey(TrainingSession, related_name="conventions", on_delete=models.PROTECT)
    number = models.CharField(_("numéro"), max_length=40, editable=False)
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    company_name = models.CharField(_("entreprise"), max_length=160)
    company_address = models.TextField(_("adresse de l'entreprise"))
    company_siret = models.CharField(_("SIRET"), max_length=20, blank=True)
    contact_name = models.CharField(_("interlocuteur"), max_length=160)
    contact_email = models.EmailField(_("e-mail de l'interlocuteur"))
    seats = models.PositiveSmallIntegerField(_("nombre de stagiaires"), validators=[MinValueValidator(1)])
    price_text = models.CharField(_("prix convenu"), max_length=200)
    # What was agreed, as it read when this version was written: programme, dates, hours, legal mentions.
    snapshot = models.JSONField(_("contenu figé"), default=dict, editable=False)
    token = models.CharField(max_length=64, unique=True, default=token_generate, editable=False)
    signed_at = models.DateTimeField(_("signée le"), null=True, blank=True)
    signer_name = models.CharField(_("signataire"), max_length=160, blank=True)
    signer_role = models.CharField(_("qualité du signataire"), max_length=160, blank=True)
    replaced_at = models.DateTimeField(_("remplacée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("convention de formation")
        verbose_name_plural = _("conventions de formation")
        ordering = ["session", "number", "-version"]
        constraints = [models.UniqueConstraint(fields=["number", "version"], name="convention_version_once")]

    def __str__(self) -> str:
        return f"{self.number} v{self.version} — {self.company_name}"


class Registration(TimeStampedModel):
    """One learner in a session: registered alone, or one of a company's seats under its convention."""

    class Status(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("session", "Inscrit")
        CANCELLED = "cancelled", pgettext_lazy("session", "Annulée")

    session = models.ForeignKey(TrainingSession, related_name="registrations", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="session_registrations",
        on_delete=models.SET_NULL,
    )
    name = models.CharField(_("nom"), max_length=160)
    email = models.EmailField(_("e-mail"))
    company = models.CharField(_("entreprise"), max_length=160, blank=True)
    convention = models.ForeignKey(
        Convention, null=True, blank=True, related_name="registrations", on_delete=models.SET_NULL
    )
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    # The personal link of the convocation: the learner's page of this session, no account needed.
    token = models.CharField(max_length=64, unique=True, default=token_generate, editable=False)
    positioning = models.JSONField(_("questionnaire de positionnement"), default=dict, blank=True)
    positioning_at = models.DateTimeField(_("positionnement rempli le"), null=True, blank=True)
    consent_text = models.TextField(_("texte accepté"), blank=True)
    convocation_sent_at = models.DateTimeField(_("convocation envoyée le"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    cold_survey_sent_at = models.DateTimeField(_("questionnaire à froid envoyé le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscription à une session")
        verbose_name_plural = _("inscriptions aux sessions")
        ordering = ["session", "name"]
        constraints = [models.UniqueConstraint(fields=["session", "email"], name="session_registration_once")]

    def __str__(self) -> str:
        return f"{self.name} — {self.session}"

    def get_absolute_url(self) -> str:
        return reverse("sessions:learner", args=[self.token])


class Attendance(models.Model):
    """A learner's presence on one half-day: their signature (typed or drawn), or late/absent as the trainer
    recorded it. One per learner and half-day."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Présent")
        LATE = "late", _("En retard")
        ABSENT = "absent", pgettext_lazy("émargement", "Absent")

    class Method(models.TextChoices):
        TYPED = "typed", _("Nom tapé")
        DRAWN = "drawn", _("Signature dessinée")

    registration = models.ForeignKey(Registration, related_name="attendances", on_delete=models.CASCADE)
    half_day = models.ForeignKey(HalfDay, related_name="attendances", on_delete=models.CASCADE)
    status = models.CharField(_("présence"), max_length=10, choices=Status.choices)
    signed_at = models.DateTimeField(_("signé à"), null=True, blank=True)
    method = models.CharField(_("signature"), max_length=10, choices=Method.choices, blank=True)
    signed_name = models.CharField(_("nom signé"), max_length=200, blank=True)
    # A drawn signature as strokes of points in a 300×100 box, drawn back as SVG paths: no markup is stored.
    strokes = models.JSONField(_("tracé"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    note = models.CharField(_("remarque"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("émargement")
        verbose_name_plural = _("émargements")
        ordering = ["half_day", "registration__name"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "half_day"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.registration.name} — {self.half_day} — {self.get_status_display()}"


class SurveyResponse(models.Model):
    """A satisfaction questionnaire: hot (at the end) or cold (three months later). The indicators read only
    averages; the link to the registration stops a second answer and goes with an erasure."""

    class Kind(models.TextChoices):
        HOT = "hot", _("À chaud")
        COLD = "cold", _("À froid")

    session = models.ForeignKey(TrainingSession, related_name="survey_responses", on_delete=models.CASCADE)
    registration = models.ForeignKey(
        Registration, null=True, blank=True, related_name="survey_responses", on_delete=models.SET_NULL
    )
    kind = models.CharField(_("questionnaire"), max_length=4, choices=Kind.choices)
    rating = models.PositiveSmallIntegerField(
        _("satisfaction globale (1 à 5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    objectives_met = models.PositiveSmallIntegerField(
        _("objectifs atteints (1 à 5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    would_recommend = models.BooleanField(_("recommanderait la formation"))
    applied = models.PositiveSmallIntegerField(
        _("mise en pratique (1 à 5, à froid)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(_("répondu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("réponse au questionnaire de satisfaction")
        verbose_name_plural = _("réponses aux questionnaires de satisfaction")
        ordering = ["session", "kind", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind"], name="survey_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.get_kind_display()} — {self.rating}/5"


class Complaint(TimeStampedModel):
    """A « réclamation » from a learner, a company or anyone, followed by the team to an answer and an
    improvement action (Qualiopi, indicator 31)."""

    class Role(models.TextChoices):
        LEARNER = "learner", _("Stagiaire")
        COMPANY = "company", _("Entreprise cliente")
        FUNDER = "funder", _("Financeur")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Reçue")
        IN_PROGRESS = "in_progress", _("En cours de traitement")
        ANSWERED = "answered", _("Répondue")
        CLOSED = "closed", _("Close (action menée)")

    reference = models.CharField(_("référence"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("nom"), max_length=160)
    email = models.EmailField(_("e-mail"))
    company = models.CharField(_("entreprise"), max_length=160, blank=True)
    role = models.CharField(_("vous êtes"), max_length=10, choices=Role.choices)
    training = models.ForeignKey(
        "courses.Training",
        null=True,
        blank=True,
        related_name="complaints",
        on_delete=models.SET_NULL,
        verbose_name=_("formation concernée"),
    )
    session = models.ForeignKey(
        TrainingSession, null=True, blank=True, related_name="complaints", on_delete=models.SET_NULL
    )
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("votre réclamation"))
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    answer = models.TextField(_("réponse apportée"), blank=True)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    action = models.TextField(_("action d'amélioration"), blank=True)
    action_at = models.DateTimeField(_("action décidée le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)

    class Meta:
        verbose_name = _("réclamation")
        verbose_name_plural = _("réclamations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} — {self.subject}"


class IndicatorSnapshot(models.Model):
    """A training's result indicators as computed on `computed_on` (what its public page shows, dated)."""

    training = models.ForeignKey(
        "courses.Training", related_name="indicator_snapshots", on_delete=models.CASCADE
    )
    computed_on = models.DateField(_("calculés le"))
    learners = models.PositiveIntegerField(_("stagiaires"))
    completion_rate = models.PositiveSmallIntegerField(_("taux d'achèvement (%)"), null=True)
    success_rate = models.PositiveSmallIntegerField(_("taux de réussite au quiz final (%)"), null=True)
    satisfaction = models.DecimalField(
        _("satisfaction moyenne (sur 5)"), max_digits=3, decimal_places=1, null=True
    )
    satisfaction_answers = models.PositiveIntegerField(_("réponses de satisfaction"), default=0)

    class Meta:
        verbose_name = _("indicateurs de résultat")
        verbose_name_plural = _("indicateurs de résultat")
        ordering = ["training", "-computed_on"]
        constraints = [
            models.UniqueConstraint(fields=["training", "computed_on"], name="indicators_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.training} — {self.computed_on}"
