"""Audience measurement without cookies nor personal data (the CNIL's exemption for audience measurement), and
the goals of the visitor's journey.

Raw rows (`Hit`, `Goal`) hold no address, no user agent and no account: a visitor is a number made from a salt
of the day (`Salt`, deleted the next day), the address and the user agent, so that the same browser is one
visitor within a day and cannot be followed from one day to the next. Raw rows are kept
ANALYTICS_RAW_RETENTION_DAYS at most; the dashboard reads the daily rollups (`Daily*`), which are kept."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Salt(models.Model):
    """The secret of one day (Europe/Paris) mixed into every visitor number of that day; deleted once the day is
    over, after which nobody (not even us) can tell which address and browser made a number."""

    day = models.DateField(unique=True)
    value = models.BinaryField(max_length=32)

    def __str__(self):
        return f"{self.day}"


class Device(models.TextChoices):
    DESKTOP = "desktop", _("Ordinateur")
    TABLET = "tablet", _("Tablette")
    MOBILE = "mobile", _("Mobile")


class Hit(models.Model):
    """One page view, or the engagement measured when the visitor leaves that page (time and scroll)."""

    class Kind(models.IntegerChoices):
        PAGEVIEW = 1, _("Page vue")
        ENGAGEMENT = 2, _("Engagement")

    at = models.DateTimeField()
    # The day in TIME_ZONE, the day of the salt: the unit of "unique visitors".
    day = models.DateField()
    visitor = models.BigIntegerField()
    kind = models.PositiveSmallIntegerField(choices=Kind.choices, default=Kind.PAGEVIEW)
    path = models.CharField(max_length=255)
    # The domain of an external referrer only (never its path nor query); blank for direct or internal.
    referrer = models.CharField(max_length=120, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    device = models.CharField(max_length=8, choices=Device.choices, default=Device.DESKTOP)
    # ISO 3166-1 alpha-2, from an offline database; blank when unknown.
    country = models.CharField(max_length=2, blank=True)
    # Engagement only: seconds the page was visible, and the deepest scroll in percent.
    duration = models.PositiveIntegerField(null=True, blank=True)
    scroll = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["day", "visitor", "at"], name="analytics_hit_day_visitor"),
            models.Index(fields=["at"], name="analytics_hit_at"),
        ]

    def __str__(self):
        return f"{self.day} {self.path}"


class GoalName(models.TextChoices):
    """The steps of the journey, in the funnel's order where they follow each other."""

    BOT_CONVERSATION = "bot_conversation", _("Conversation avec le bot")
    BOT_RATED = "bot_rated", _("Réponse du bot notée")
    AUDIT_STARTED = "audit_started", _("Audit commencé")
    AUDIT_COMPLETED = "audit_completed", _("Audit terminé")
    REPORT_SENT = "report_sent", _("Rapport d'audit envoyé")
    CALL_BOOKED = "call_booked", _("Rendez-vous pris")
    CALL_HELD = "call_held", _("Rendez-vous tenu")
    NEWSLETTER_CONFIRMED = "newsletter_confirmed", _("Inscription à la lettre confirmée")
    EVENT_REGISTERED = "event_registered", _("Inscription à un événement")
    ENROLLED = "enrolled", _("Inscription à une formation")
    CERTIFICATE_ISSUED = "certificate_issued", _("Certificat délivré")


class Goal(models.Model):
    """A goal reached, recorded where it happens (`frenchbot.analytics.goals.goal_record`).

    `subject` and `follows` are keyed hashes of the object the goal is about ("audits.Audit:42"), never its id:
    a goal reached later without the visitor (the report e-mailed by the worker, the call held marked by staff)
    takes the attribution of the first goal about the same subject, or about the one it `follows`."""

    at = models.DateTimeField()
    day = models.DateField()
    name = models.CharField(max_length=32, choices=GoalName.choices)
    # The visitor number of the day when the visitor reached the goal in a request; null otherwise.
    visitor = models.BigIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=32, blank=True)
    follows = models.CharField(max_length=32, blank=True)
    # Filled by the rollup job from the visit the goal happened in (or inherited through subject/follows).
    attributed = models.BooleanField(default=False)
    entry_path = models.CharField(max_length=255, blank=True)
    referrer = models.CharField(max_length=120, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["attributed", "at"], name="analytics_goal_pending"),
            models.Index(fields=["subject", "at"], name="analytics_goal_subject"),
            models.Index(fields=["day", "name"], name="analytics_goal_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.name}"


# --- Daily rollups: what the dashboard reads, kept after the raw rows are deleted -------------------------


class DailyTotals(models.Model):
    day = models.DateField(unique=True)
    pageviews = models.PositiveIntegerField(default=0)
    # Distinct visitor numbers of the day: a period's visitors are the sum of its days (numbers change daily).
    visitors = models.PositiveIntegerField(default=0)
    # A visit: the page views of one visitor with less than ANALYTICS_VISIT_GAP_MINUTES between two of them.
    visits = models.PositiveIntegerField(default=0)
    # Visits of a single page view.
    bounces = models.PositiveIntegerField(default=0)
    # Sum of the visits' durations (first page view to the last moment measured), in seconds.
    visit_seconds = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.day}"


class DailyPage(models.Model):
    day = models.DateField()
    path = models.CharField(max_length=255)
    pageviews = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)
    exits = models.PositiveIntegerField(default=0)
    # Engagement: sums and counts, so that averages over a period stay exact.
    seconds_total = models.PositiveBigIntegerField(default=0)
    seconds_count = models.PositiveIntegerField(default=0)
    scroll_total = models.PositiveBigIntegerField(default=0)
    scroll_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "path"], name="analytics_dailypage_unique")]
        indexes = [models.Index(fields=["path", "day"], name="analytics_dailypage_path")]

    def __str__(self):
        return f"{self.day} {self.path}"


class Dimension(models.TextChoices):
    REFERRER = "referrer", _("Site d'origine")
    UTM_SOURCE = "utm_source", _("Source de campagne")
    UTM_MEDIUM = "utm_medium", _("Support de campagne")
    UTM_CAMPAIGN = "utm_campaign", _("Campagne")
    DEVICE = "device", _("Appareil")
    COUNTRY = "country", _("Pays")


class DailyDimension(models.Model):
    """Visits by the value of one property of their first page view (where they came from, the device, the
    country); blank values (direct visits, unknown country) are counted under ""."""

    day = models.DateField()
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    value = models.CharField(max_length=120, blank=True)
    visits = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "dimension", "value"], name="analytics_dailydim_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.dimension}={self.value}"


class DailyGoal(models.Model):
    """Goals of a day by name and by the attribution of the visit that brought them."""

    day = models.DateField()
    name = models.CharField(max_length=32, choices=GoalName.choices)
    entry_path = models.CharField(max_length=255, blank=True)
    referrer = models.CharField(max_length=120, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "name", "entry_path", "referrer", "utm_campaign"],
                name="analytics_dailygoal_unique",
            )
        ]
        indexes = [models.Index(fields=["day", "name"], name="analytics_dailygoal_day")]

    def __str__(self):
        return f"{self.day} {self.name} {self.entry_path}"


class ReportRecipient(models.Model):
    """A staff member who asked for the weekly e-mail report (and can stop it from the dashboard)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_on = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"{self.user_id}"
