"""Trainings and what a learner does in them.

A training has modules; a module holds, in one ordering, lessons, quizzes and prompt exercises (each has its
own `order` within the module). Staff write everything in the admin; `is_published` keeps drafts out of the
learners' sight. A learner follows a training through an `Enrolment` (by access code or by a company seat);
progress is what they completed; completing every required step issues one `Certificate`.
"""

import secrets
import uuid

import regex
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frenchbot.core import storage as core_storage
from frenchbot.core.models import TimeStampedModel

# Codes people type or read aloud: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def private_storage():
    """Where a training's images and resources live: outside MEDIA_ROOT, served only by views that check access."""
    return core_storage.private_storage


def code_generate(length: int = 10) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


class Audience(models.TextChoices):
    INDIVIDUAL = "individual", _("Particulier")
    BUSINESS = "business", _("Entreprise")


class TrainingLevel(models.TextChoices):
    BEGINNER = "beginner", _("Débutant")
    INTERMEDIATE = "intermediate", _("Intermédiaire")
    ADVANCED = "advanced", _("Avancé")


class Training(TimeStampedModel):
    slug = models.SlugField(_("adresse"), max_length=120, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    summary = models.CharField(_("résumé"), max_length=300)
    description = models.TextField(_("présentation (Markdown)"), blank=True)
    audience = models.CharField(_("public"), max_length=20, choices=Audience.choices)
    level = models.CharField(_("niveau"), max_length=20, choices=TrainingLevel.choices)
    duration_hours = models.DecimalField(
        _("durée (heures)"), max_digits=5, decimal_places=1, help_text=_("Inscrite sur le certificat.")
    )
    outcomes = models.TextField(
        _("objectifs"), blank=True, help_text=_("Un objectif par ligne : « À la fin, vous saurez… »")
    )
    price_text = models.CharField(
        _("tarif (texte affiché)"), max_length=200, blank=True, help_text=_("Exemple : 290 € HT par personne")
    )
    # What a certified training body tells the public about each training (Qualiopi, criterion 1).
    prerequisites = models.TextField(_("prérequis"), blank=True, help_text=_("Vide : aucun prérequis."))
    audience_details = models.TextField(
        _("public visé"), blank=True, help_text=_("Qui suit cette formation : métiers, situations.")
    )
    format_details = models.TextField(
        _("modalités"),
        blank=True,
        help_text=_("En ligne à votre rythme, en session présentielle ou à distance, en intra-entreprise…"),
    )
    access_delay = models.CharField(
        _("délai d'accès"),
        max_length=200,
        blank=True,
        help_text=_("Exemple : accès immédiat après l'inscription"),
    )
    accessibility = models.TextField(
        _("accessibilité aux personnes en situation de handicap"),
        blank=True,
        help_text=_("Les adaptations possibles ; le référent est indiqué à côté."),
    )
    accessibility_contact = models.EmailField(
        _("référent handicap (e-mail)"),
        blank=True,
        help_text=_("Vide : le réglage du site (SESSIONS_DISABILITY_CONTACT)."),
    )
    assessment_methods = models.TextField(
        _("modalités d'évaluation"), blank=True, help_text=_("Quiz, exercices, mise en situation…")
    )
    order = models.PositiveSmallIntegerField(_("ordre dans le catalogue"), default=0)
    is_published = models.BooleanField(_("publiée"), default=False)

    class Meta:
        verbose_name = _("formation")
        verbose_name_plural = _("formations")
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:training", args=[self.slug])

    @property
    def outcome_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.outcomes.splitlines() if line.strip(" -•\t")]


class Module(TimeStampedModel):
    training = models.ForeignKey(
        Training, related_name="modules", on_delete=models.CASCADE, verbose_name=_("formation")
    )
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("résumé"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_published = models.BooleanField(_("publié"), default=True)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["training", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Step(TimeStampedModel):
    """What lessons, quizzes and exercises share: a place in a module, a draft flag, required or not."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, verbose_name=_("module"))
    title = models.CharField(_("titre"), max_length=200)
    order = models.PositiveSmallIntegerField(_("ordre dans le module"), default=0)
    is_published = models.BooleanField(_("publié"), default=True)
    is_required = models.BooleanField(_("obligatoire pour le certificat"), default=True)

    class Meta:
        abstract = True
        ordering = ["module", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Lesson(Step):
    module = models.ForeignKey(
        Module, related_name="lessons", on_delete=models.CASCADE, verbose_name=_("module")
    )
    slug = models.SlugField(_("adresse"), max_length=120)
    body = models.TextField(_("contenu (Markdown)"))
    video_url = models.URLField(
        _("vidéo (lien)"), blank=True, help_text=_("Lien YouTube, Vimeo ou PeerTube, affiché avec le texte.")
    )
    minutes = models.PositiveSmallIntegerField(_("durée de lecture (minutes)"), default=10)
    is_preview = models.BooleanField(
        _("accessible sans inscription"),
        default=False,
        help_text=_("Leçon d'aperçu : lisible par tous et citée par le bot à tous les visiteurs."),
    )

    class Meta(Step.Meta):
        verbose_name = _("leçon")
        verbose_name_plural = _("leçons")
        constraints = [models.UniqueConstraint(fields=["module", "slug"], name="lesson_slug_per_module")]

    def get_absolute_url(self) -> str:
        return reverse("courses:lesson", args=[self.module.training.slug, self.pk, self.slug])


class LessonImage(models.Model):
    """An image a lesson shows with `![texte](image:<name>)` in its Markdown."""

    lesson = models.ForeignKey(Lesson, related_name="images", on_delete=models.CASCADE)
    name = models.SlugField(_("nom dans le texte"), max_length=60)
    image = models.ImageField(_("image"), upload_to="courses/images/%Y/", storage=private_storage)
    alt = models.CharField(_("texte alternatif"), max_length=200)

    class Meta:
        verbose_name = _("image de leçon")
        verbose_name_plural = _("images de leçon")
        constraints = [models.UniqueConstraint(fields=["lesson", "name"], name="lesson_image_name")]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    """A file learners download from a lesson (a template, a prompt sheet…)."""

    lesson = models.ForeignKey(Lesson, related_name="resources", on_delete=models.CASCADE)
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="courses/resources/%Y/", storage=private_storage)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("ressource à télécharger")
        verbose_name_plural = _("ressources à télécharger")
        ordering = ["lesson", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Quiz(Step):
    module = models.ForeignKey(
        Module, related_name="quizzes", on_delete=models.CASCADE, verbose_name=_("module")
    )
    intro = models.TextField(_("introduction"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("note pour réussir (%)"), default=70, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("tentatives permises"),
        null=True,
        blank=True,
        help_text=_("Vide : le réglage du site (COURSES_QUIZ_MAX_ATTEMPTS)."),
    )

    class Meta(Step.Meta):
        verbose_name = _("quiz")
        verbose_name_plural = _("quiz")

    def get_absolute_url(self) -> str:
        return reverse("courses:quiz", args=[self.module.training.slug, self.pk])


class QuizQuestion(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Choix unique")
        MULTIPLE = "multiple", _("Choix multiple")

    quiz = models.ForeignKey(Quiz, related_name="questions", on_delete=models.CASCADE)
    text = models.CharField(_("question"), max_length=400)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    explanation = models.TextField(_("explication (montrée après la réponse)"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("question de quiz")
        verbose_name_plural = _("questions de quiz")
        ordering = ["quiz", "order", "id"]

    def __str__(self) -> str:
        return self.text


class QuizChoice(models.Model):
    question = models.ForeignKey(QuizQuestion, related_name="choices", on_delete=models.CASCADE)
    text = models.CharField(_("réponse"), max_length=300)
    is_correct = models.BooleanField(_("bonne réponse"), default=False)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("réponse proposée")
        verbose_name_plural = _("réponses proposées")
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text


class PromptExercise(Step):
    module = models.ForeignKey(
        Module, related_name="exercises", on_delete=models.CASCADE, verbose_name=_("module")
    )
    task = models.TextField(_("consigne (Markdown)"), help_text=_("La tâche pour laquelle écrire un prompt."))
    pass_criteria = models.PositiveSmallIntegerField(
        _("critères à remplir pour réussir"),
        default=0,
        help_text=_("0 : tous les critères de la grille."),
    )

    class Meta(Step.Meta):
        verbose_name = _("exercice de prompt")
        verbose_name_plural = _("exercices de prompt")

    def get_absolute_url(self) -> str:
        return reverse("courses:exercise", args=[self.module.training.slug, self.pk])


class RubricCriterion(models.Model):
    """One line of an exercise's rubric, checked deterministically on the learner's prompt
    (`frenchbot.courses.assessments.exercise_check`).

    `rule` names the check; `values` holds its words or number, one per line. Accents and case are ignored and
    words match whole (« tu es » matches « Tu es un expert », not « statues »); a value ending in `*` matches
    the start of a word (« résum* »).
    - contains_any: the prompt contains at least one of the words or phrases;
    - contains_all: it contains every one of them;
    - min_words: it has at least that many words (first line, an integer; « l'IA » counts as one);
    - has_example: it gives an example (« par exemple », « exemple : », « voici un exemple », « comme ceci »,
      a quoted sample of three words or more, a line starting with « Exemple »), or one of `values`;
    - has_format: it asks for a format (liste, tableau, puces, paragraphes, N mots, N lignes, Markdown, JSON,
      étapes, titre, a tone as in « un ton formel » — not the possessive « ton client »), or one of `values`;
    - regex: the first line is a regular expression the prompt must match (case-insensitive).
    """

    class Check(models.TextChoices):
        CONTAINS_ANY = "contains_any", _("Contient l'un des mots")
        CONTAINS_ALL = "contains_all", _("Contient tous les mots")
        MIN_WORDS = "min_words", _("Nombre de mots minimum")
        HAS_EXAMPLE = "has_example", _("Donne un exemple")
        HAS_FORMAT = "has_format", _("Précise le format attendu")
        REGEX = "regex", _("Expression régulière")

    exercise = models.ForeignKey(PromptExercise, related_name="criteria", on_delete=models.CASCADE)
    label = models.CharField(_("critère"), max_length=200, help_text=_("Exemple : Donne un rôle à l'IA"))
    rule = models.CharField(_("vérification"), max_length=20, choices=Check.choices)
    values = models.TextField(_("mots ou valeur"), blank=True, help_text=_("Un par ligne."))
    feedback_ok = models.CharField(_("retour si rempli"), max_length=300)
    feedback_missing = models.CharField(_("retour si manquant"), max_length=300)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("critère de la grille")
        verbose_name_plural = _("grille d'évaluation")
        ordering = ["exercise", "order", "id"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        super().clean()
        if self.rule == self.Check.REGEX and self.values.strip():
            _regex_validate(self.values.splitlines()[0])


# Answers on which nested quantifiers backtrack exponentially; a pattern still running on one of them after
# _REGEX_PROBE_TIMEOUT is refused in the admin (the assessment stops it anyway, but staff should know).
_REGEX_PROBES = ("a" * 40 + "!", "a " * 20 + "!", "1" * 40 + "!", "a\n" * 20 + "!")
_REGEX_PROBE_TIMEOUT = 0.05


def _regex_validate(pattern: str) -> None:
    try:
        compiled = regex.compile(pattern, regex.IGNORECASE)
    except (regex.error, RecursionError, OverflowError) as error:
        raise ValidationError(
            {"values": _("Expression régulière invalide : %(error)s.") % {"error": error}}
        ) from None
    for probe in _REGEX_PROBES:
        try:
            compiled.search(probe, timeout=_REGEX_PROBE_TIMEOUT)
        except TimeoutError:
            raise ValidationError(
                {
                    "values": _(
                        "Expression régulière trop lente : elle peut bloquer la correction sur certaines "
                        "réponses. Évitez les répétitions imbriquées comme (\\w+\\s?)+."
                    )
                }
            ) from None


class Company(TimeStampedModel):
    """A business that bought seats: its manager invites colleagues, follows them and can free a seat."""

    name = models.CharField(_("entreprise"), max_length=160)
    # Nullable so that the manager's account can go (an erasure, a departure) while the company keeps what it
    # bought: its seats stay, and the team (staff) manages them until it names another manager.
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="managed_companies",
        on_delete=models.SET_NULL,
        verbose_name=_("responsable"),
    )
    training = models.ForeignKey(
        Training, related_name="companies", on_delete=models.PROTECT, verbose_name=_("formation")
    )
    seats = models.PositiveSmallIntegerField(_("nombre de places"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("compte entreprise")
        verbose_name_plural = _("comptes entreprise")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} — {self.training}"


class Seat(TimeStampedModel):
    """One place of a company, given to an e-mail address; it holds the learner once they accept."""

    company = models.ForeignKey(Company, related_name="seat_set", on_delete=models.CASCADE)
    email = models.EmailField(_("e-mail invité"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="seats", on_delete=models.SET_NULL
    )
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe, editable=False)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [models.UniqueConstraint(fields=["company", "email"], name="seat_email_per_company")]

    def __str__(self) -> str:
        return self.email


class AccessCode(TimeStampedModel):
    """A code that opens a training: given after a purchase, at a workshop, or by the team."""

    training = models.ForeignKey(Training, related_name="access_codes", on_delete=models.CASCADE)
    code = models.CharField(_("code"), max_length=32, unique=True, default=code_generate)
    max_uses = models.PositiveIntegerField(_("utilisations permises"), default=1)
    uses = models.PositiveIntegerField(_("utilisations"), default=0)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    note = models.CharField(_("note interne"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("code d'accès")
        verbose_name_plural = _("codes d'accès")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uses__lte=models.F("max_uses")), name="access_code_uses"
            )
        ]

    def __str__(self) -> str:
        return self.code


class Enrolment(TimeStampedModel):
    class Source(models.TextChoices):
        CODE = "code", _("Code d'accès")
        SEAT = "seat", _("Place entreprise")
        STAFF = "staff", _("Inscrit par l'équipe")
        PURCHASE = "purchase", pgettext_lazy("inscription", "Achat")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="enrolments", on_delete=models.CASCADE)
    training = models.ForeignKey(Training, related_name="enrolments", on_delete=models.PROTECT)
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    access_code = models.ForeignKey(AccessCode, null=True, blank=True, on_delete=models.SET_NULL)
    seat = models.OneToOneField(
        Seat, null=True, blank=True, related_name="enrolment", on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(pgettext_lazy("inscription", "active"), default=True)
    last_lesson = models.ForeignKey(
        Lesson, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    completed_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [models.UniqueConstraint(fields=["user", "training"], name="enrolment_once")]

    def __str__(self) -> str:
        return f"{self.user} — {self.training}"


class LessonCompletion(models.Model):
    enrolment = models.ForeignKey(Enrolment, related_name="lesson_completions", on_delete=models.CASCADE)
    lesson = models.ForeignKey(Lesson, related_name="completions", on_delete=models.CASCADE)
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="lesson_completed_once")]

    def __str__(self) -> str:
        return f"{self.enrolment} — {self.lesson}"


class QuizAttempt(models.Model):
    enrolment = models.ForeignKey(Enrolment, related_name="quiz_attempts", on_delete=models.CASCADE)
    quiz = models.ForeignKey(Quiz, related_name="attempts", on_delete=models.CASCADE)
    number = models.PositiveSmallIntegerField(_("tentative n°"))
    answers = models.JSONField(default=dict, help_text=_("Identifiant de question → identifiants choisis."))
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("réussi"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tentative de quiz")
        verbose_name_plural = _("tentatives de quiz")
        ordering = ["enrolment", "quiz", "number"]
        # Two tabs submitting at once cannot both be attempt n: the limit holds under races.
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "quiz", "number"], name="quiz_attempt_number")
        ]

    def __str__(self) -> str:
        return f"{self.quiz} — {self.number} — {self.score} %"


class ExerciseSubmission(models.Model):
    enrolment = models.ForeignKey(Enrolment, related_name="exercise_submissions", on_delete=models.CASCADE)
    exercise = models.ForeignKey(PromptExercise, related_name="submissions", on_delete=models.CASCADE)
    prompt = models.TextField(_("prompt"))
    results = models.JSONField(default=list, help_text=_("Par critère : libellé, rempli, retour."))
    passed = models.BooleanField(_("réussi"))
    ai_feedback = models.TextField(_("retour de l'IA"), blank=True)
    ai_output = models.TextField(_("réponse du modèle au prompt"), blank=True)
    ai_model = models.CharField(_("modèle"), max_length=120, blank=True)

    class AIStatus(models.TextChoices):
        NONE = "", _("Pas de modèle")
        PENDING = "pending", _("En cours")
        DONE = "done", _("Rédigé")
        UNAVAILABLE = "unavailable", _("Indisponible")

    ai_status = models.CharField(_("retour de l'IA"), max_length=12, choices=AIStatus.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exercice rendu")
        verbose_name_plural = _("exercices rendus")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.exercise} — {self.created_at:%Y-%m-%d %H:%M}"


class Certificate(TimeStampedModel):
    """Issued once per enrolment; what it certifies is copied at issue so that later edits change nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A certificate outlives its enrolment: when the learner's enrolment or account is deleted (an erasure), a
    # third party must still be able to verify it by its code, so the link is cut instead of the certificate.
    enrolment = models.OneToOneField(
        Enrolment, null=True, blank=True, related_name="certificate", on_delete=models.SET_NULL
    )
    code = models.CharField(_("code de vérification"), max_length=32, unique=True, default=code_generate)
    learner_name = models.CharField(_("nom du titulaire"), max_length=200)
    training_title = models.CharField(_("formation"), max_length=200)
    hours = models.DecimalField(_("heures"), max_digits=5, decimal_places=1)
    issued_on = models.DateField(_("délivré le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificat")
        verbose_name_plural = _("certificats")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return f"{self.code} — {self.learner_name}"

    def get_absolute_url(self) -> str:
        return reverse("certificate_verify", args=[self.code])
