"""The free AI audit: questionnaires, options, the opportunity catalogue (all data, edited in the admin)
and the audits people completed."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frenchbot.core.models import TimeStampedModel

# The highest score an option can carry; a question's answer counts for score / MAX_OPTION_SCORE of its weight.
MAX_OPTION_SCORE = 4


class Track(models.TextChoices):
    INDIVIDUAL = "individual", _("Particulier")
    BUSINESS = "business", _("Entreprise")


class Dimension(models.TextChoices):
    USAGE = "usage", _("Usage de l'IA aujourd'hui")
    DATA = "data", _("Données")
    PROCESSES = "processes", _("Processus et tâches répétitives")
    SKILLS = "skills", _("Compétences")
    GOVERNANCE = "governance", _("Gouvernance (RGPD, confidentialité)")


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Facile")
    MEDIUM = 2, _("Intermédiaire")
    HARD = 3, _("Avancée")


class Questionnaire(TimeStampedModel):
    track = models.CharField(_("parcours"), max_length=20, choices=Track.choices, unique=True)
    title = models.CharField(_("titre"), max_length=160)
    intro = models.TextField(_("introduction"), blank=True)
    is_active = models.BooleanField(_("proposé aux visiteurs"), default=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["track"]

    def __str__(self) -> str:
        return self.title


class Question(TimeStampedModel):
    questionnaire = models.ForeignKey(
        Questionnaire, related_name="questions", on_delete=models.CASCADE, verbose_name=_("questionnaire")
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    text = models.CharField(_("question"), max_length=300)
    help = models.CharField(_("aide"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    weight = models.PositiveSmallIntegerField(
        _("poids"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    question = models.ForeignKey(
        Question, related_name="options", on_delete=models.CASCADE, verbose_name=_("question")
    )
    text = models.CharField(_("réponse"), max_length=200)
    score = models.PositiveSmallIntegerField(
        _("score (0 à 4)"), validators=[MaxValueValidator(MAX_OPTION_SCORE)]
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("réponse possible")
        verbose_name_plural = _("réponses possibles")
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return f"{self.text} ({self.score})"


class Opportunity(TimeStampedModel):
    """A task AI can take over, proposed when a dimension scores low or when one of `trigger_options` is chosen."""

    task = models.CharField(_("tâche"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tools = models.CharField(
        _("outils adaptés"), max_length=300, help_text=_("Exemple : ChatGPT, Mistral Le Chat, Make")
    )
    hours_saved_per_month = models.PositiveSmallIntegerField(_("heures gagnées par mois (estimation)"))
    difficulty = models.PositiveSmallIntegerField(
        _("difficulté"), choices=Difficulty.choices, default=Difficulty.EASY
    )
    track = models.CharField(
        _("parcours"),
        max_length=20,
        choices=Track.choices,
        blank=True,
        help_text=_("Vide : les deux parcours."),
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    threshold = models.PositiveSmallIntegerField(
        _("seuil de déclenchement"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Proposée quand le score de la dimension (0 à 100) est strictement inférieur à ce seuil."
        ),
    )
    trigger_options = models.ManyToManyField(
        Option,
        blank=True,
        related_name="opportunities",
        verbose_name=_("réponses déclenchantes"),
        help_text=_("Proposée aussi, en priorité, quand l'une de ces réponses est choisie."),
    )
    is_active = models.BooleanField(pgettext_lazy("opportunité du catalogue", "active"), default=True)

    class Meta:
        verbose_name = _("opportunité")
        verbose_name_plural = _("catalogue d'opportunités")
        ordering = ["task"]

    def __str__(self) -> str:
        return self.task


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Débutant")
    EXPLORER = "explorer", _("Explorateur")
    PRACTITIONER = "practitioner", _("Pratiquant")
    ADVANCED = "advanced", _("Avancé")


class Audit(TimeStampedModel):
    # The UUID is the only key to a result page: unguessable, so a report is seen only by who holds its link.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, related_name="audits", on_delete=models.PROTECT, verbose_name=_("questionnaire")
    )
    track = models.CharField(_("parcours"), max_length=20, choices=Track.choices)
    answers = models.JSONField(
        _("réponses"), default=dict, help_text=_("Identifiant de question → identifiant de réponse.")
    )
    scores = models.JSONField(_("scores"), default=dict)
    overall = models.PositiveSmallIntegerField(_("score global"), default=0)
    level = models.CharField(_("niveau"), max_length=20, choices=Level.choices)
    # The report as computed at submission: it stays the same even if the catalogue is edited later.
    report = models.JSONField(_("rapport"), default=dict)
    email = models.EmailField(_("e-mail"), blank=True)
    consent_text = models.TextField(_("texte du consentement"), blank=True)
    consent_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    # The section a language model writes from the answers and the catalogue, when one is configured; kept
    # apart from `report` so the deterministic report stays what the scoring computed.
    ai_text = models.TextField(_("analyse rédigée par l'IA"), blank=True)
    ai_model = models.CharField(_("modèle de l'analyse"), max_length=120, blank=True)
    ai_written_at = models.DateTimeField(_("analyse rédigée le"), null=True, blank=True)
    report_sent_at = models.DateTimeField(_("rapport envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_track_display()} — {self.overall}/100 — {self.created_at:%Y-%m-%d}"
