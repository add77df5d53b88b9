"""Booking: who takes calls and when, what can be booked, and the bookings themselves.

No double booking is guaranteed by the database, not by a check in Python: every confirmed booking holds
one `OccupiedUnit` row per 15-minute unit of its time (buffers included) and a unique constraint on
(member, unit) lets only one booking hold a unit. Cancelling a booking frees its units. See
docs/decisions.md, "No double booking".
"""

import datetime
import re
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from frenchbot.core.models import TimeStampedModel

# Granularity of occupancy. Changing it would misread the units already stored: it is not a setting.
UNIT_MINUTES = 15
UNIT = datetime.timedelta(minutes=UNIT_MINUTES)


# IANA names are short ASCII words joined by « / » (the longest is 32 characters). Anything else is refused before
# zoneinfo turns it into a file path: a long name raised OSError (a 500), « Europe » IsADirectoryError.
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")
ZONE_NAME_MAX = 64


def zone_load(name: str) -> zoneinfo.ZoneInfo:
    """The zone called `name`; ValueError for any name that is not a known IANA zone, whatever its shape."""
    if not isinstance(name, str) or len(name) > ZONE_NAME_MAX or not _ZONE_NAME.fullmatch(name):
        raise ValueError("malformed zone name")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError("unknown zone") from error


def validate_timezone(value: str) -> None:
    try:
        zone_load(value)
    except ValueError:
        raise ValidationError(
            _("Fuseau horaire inconnu : %(tz)s."), params={"tz": value[:ZONE_NAME_MAX]}
        ) from None


def _check_on_unit(value: datetime.time | None, field: str) -> dict:
    if value is not None and (value.minute % UNIT_MINUTES or value.second or value.microsecond):
        return {field: _("Choisissez une heure ronde au quart d'heure (9 h 00, 9 h 15…).")}
    return {}


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Lundi")
    TUESDAY = 1, _("Mardi")
    WEDNESDAY = 2, _("Mercredi")
    THURSDAY = 3, _("Jeudi")
    FRIDAY = 4, _("Vendredi")
    SATURDAY = 5, _("Samedi")
    SUNDAY = 6, _("Dimanche")


class TeamMember(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        related_name="team_member",
        on_delete=models.CASCADE,
    )
    display_name = models.CharField(_("nom affiché"), max_length=120)
    timezone = models.CharField(
        _("fuseau horaire"), max_length=64, default="Europe/Paris", validators=[validate_timezone]
    )
    is_active = models.BooleanField(_("prend des rendez-vous"), default=True)

    class Meta:
        ordering = ["display_name", "id"]
        verbose_name = _("membre de l'équipe")
        verbose_name_plural = _("membres de l'équipe")

    def __str__(self) -> str:
        return self.display_name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def email(self) -> str:
        return self.user.email


class AvailabilityRule(models.Model):
    """Weekly hours, in the member's own time zone (9 h–12 h stays 9 h–12 h across daylight saving)."""

    member = models.ForeignKey(
        TeamMember, verbose_name=_("membre"), related_name="rules", on_delete=models.CASCADE
    )
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    start_time = models.TimeField(_("de"))
    end_time = models.TimeField(_("à"))

    class Meta:
        ordering = ["member", "weekday", "start_time"]
        verbose_name = _("plage horaire hebdomadaire")
        verbose_name_plural = _("plages horaires hebdomadaires")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")), name="booking_rule_start_before_end"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self):
        errors = {
            **_check_on_unit(self.start_time, "start_time"),
            **_check_on_unit(self.end_time, "end_time"),
        }
        if errors:
            raise ValidationError(errors)


class DateOverride(models.Model):
    """A day that differs from the weekly hours: closed (all day, or some hours) or extra hours."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Fermé")
        EXTRA = "extra", _("Heures en plus")

    member = models.ForeignKey(
        TeamMember, verbose_name=_("membre"), related_name="overrides", on_delete=models.CASCADE
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.CLOSED)
    start_time = models.TimeField(
        _("de"), null=True, blank=True, help_text=_("Vide : toute la journée (fermé).")
    )
    end_time = models.TimeField(_("à"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        ordering = ["member", "date", "start_time"]
        verbose_name = _("exception de calendrier")
        verbose_name_plural = _("exceptions de calendrier")
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(start_time__isnull=True) & Q(end_time__isnull=True) & Q(kind="closed"))
                    | Q(start_time__lt=F("end_time"))
                ),
                name="booking_override_hours_valid",
            )
        ]

    def __str__(self) -> str:
        hours = f" {self.start_time:%H:%M}–{self.end_time:%H:%M}" if self.start_time and self.end_time else ""
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}{hours}"

    def clean(self):
        errors = {
            **_check_on_unit(self.start_time, "start_time"),
            **_check_on_unit(self.end_time, "end_time"),
        }
        if (self.start_time is None) != (self.end_time is None):
            errors["end_time"] = _("Indiquez les deux heures, ou aucune pour toute la journée.")
        elif self.kind == self.Kind.EXTRA and self.start_time is None:
            errors["start_time"] = _("Indiquez les heures ajoutées.")
        elif self.start_time and self.end_time and self.start_time >= self.end_time:
            errors["end_time"] = _("L'heure de fin doit suivre l'heure de début.")
        if errors:
            raise ValidationError(errors)


class EventType(TimeStampedModel):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (min)"), default=30)
    buffer_before_minutes = models.PositiveSmallIntegerField(_("battement avant (min)"), default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(_("battement après (min)"), default=0)
    slot_step_minutes = models.PositiveSmallIntegerField(_("intervalle entre deux débuts (min)"), default=30)
    min_notice_minutes = models.PositiveIntegerField(
        _("délai minimum (min)"), default=240, help_text=_("Pas de réservation moins longtemps à l'avance.")
    )
    max_per_day = models.PositiveSmallIntegerField(
        _("maximum par jour et par membre"), default=0, help_text=_("0 : pas de limite.")
    )
    booking_window_days = models.PositiveSmallIntegerField(_("réservable jusqu'à (jours)"), default=30)
    members = models.ManyToManyField(
        TeamMember, verbose_name=_("membres qui le prennent"), related_name="event_types", blank=True
    )
    is_active = models.BooleanField(_("proposé aux visiteurs"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("type de rendez-vous")
        verbose_name_plural = _("types de rendez-vous")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0) & Q(slot_step_minutes__gt=0),
                name="booking_eventtype_positive_durations",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        for field in (
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "slot_step_minutes",
        ):
            value = getattr(self, field) or 0
            if value % UNIT_MINUTES:
                errors[field] = _("Choisissez un multiple de %(n)d minutes.") % {"n": UNIT_MINUTES}
        if not self.duration_minutes:
            errors["duration_minutes"] = _("La durée doit être d'au moins %(n)d minutes.") % {
                "n": UNIT_MINUTES
            }
        if errors:
            raise ValidationError(errors)

    @property
    def duration(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.buffer_after_minutes)


class Booking(TimeStampedModel):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmé")
        CANCELLED = "cancelled", _("Annulé")

    class Locale(models.TextChoices):
        FR = "fr", _("Français")
        EN = "en", _("Anglais")

    class Outcome(models.TextChoices):
        UNKNOWN = "", _("Non renseigné")
        HELD = "held", _("Tenu")
        NO_SHOW = "no_show", _("Absent")

    # What links and the API expose; the integer key never leaves the site.
    public_id = models.UUIDField(_("identifiant public"), default=uuid.uuid4, unique=True, editable=False)
    # The calendar invitation's UID: kept when the booking is moved, so calendar apps update the same event.
    ics_uid = models.CharField(max_length=64, default="", editable=False)
    ics_sequence = models.PositiveIntegerField(default=0, editable=False)
    event_type = models.ForeignKey(
        EventType, verbose_name=_("type"), related_name="bookings", on_delete=models.PROTECT
    )
    member = models.ForeignKey(
        TeamMember, verbose_name=_("membre"), related_name="bookings", on_delete=models.PROTECT
    )
    start = models.DateTimeField(_("début"), db_index=True)
    end = models.DateTimeField(_("fin"))
    name = models.CharField(_("nom"), max_length=120)
    email = models.EmailField(_("e-mail"))
    company = models.CharField(_("entreprise"), max_length=160, blank=True)
    message = models.TextField(_("message"), blank=True)
    locale = models.CharField(_("langue"), max_length=5, choices=Locale.choices, default=Locale.FR)
    timezone = models.CharField(
        _("fuseau horaire du visiteur"), max_length=64, default="Europe/Paris", validators=[validate_timezone]
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.CONFIRMED, db_index=True
    )
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    audit = models.ForeignKey(
        "audits.Audit",
        verbose_name=_("rapport d'audit"),
        related_name="bookings",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("prospect"),
        related_name="bookings",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    rescheduled_from = models.OneToOneField(
        "self",
        verbose_name=_("déplacé depuis"),
        related_name="rescheduled_to",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    reminder_due_at = models.DateTimeField(_("rappel prévu le"), null=True, blank=True, db_index=True)
    reminder_sent_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    # Noted by the team once the call has started (`booking_outcome_set`): whether the visitor came.
    outcome = models.CharField(_("présence"), max_length=8, choices=Outcome.choices, default="", blank=True)
    outcome_at = models.DateTimeField(_("présence notée le"), null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        indexes = [models.Index(fields=["member", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_booking_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} — {self.name} — {self.start:%Y-%m-%d %H:%M} UTC"

    def save(self, *args, **kwargs):
        if not self.ics_uid:
            self.ics_uid = self.public_id.hex
        super().save(*args, **kwargs)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class OccupiedUnit(models.Model):
    """One 15-minute unit of a member's time held by a confirmed booking (buffers included).

    The unique constraint on (member, start) is what makes a double booking impossible, whatever the
    database and however many requests race: the second insert of the same unit fails.
    """

    member = models.ForeignKey(TeamMember, related_name="occupied_units", on_delete=models.CASCADE)
    start = models.DateTimeField()
    booking = models.ForeignKey(Booking, related_name="units", on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("quart d'heure occupé")
        verbose_name_plural = _("quarts d'heure occupés")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "start"], name="booking_unit_one_booking_per_member_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.start:%Y-%m-%d %H:%M} UTC"
