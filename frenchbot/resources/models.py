"""What the company gives away to learn AI: guides and templates (a page, a PDF, or an uploaded file; some
behind an e-mail), a library of ready-to-use prompts by use case, and a glossary of AI terms in plain French.

« Ressources liées » come from the links staff set here (`articles`, `trainings`): an article or a training
page shows the resources that name it, so neither blog nor courses needs to know this app."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frenchbot.core import storage as core_storage
from frenchbot.core.models import TimeStampedModel
from frenchbot.core.text import render_markdown


def private_storage():
    """Uploaded guide files are served only by a view that checks the visitor may have them (a gated guide's
    file must not be reachable by guessing its address)."""
    return core_storage.private_storage


class Guide(TimeStampedModel):
    class Kind(models.TextChoices):
        GUIDE = "guide", _("Guide")
        TEMPLATE = "template", _("Modèle")
        CHECKLIST = "checklist", _("Check-list")

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.GUIDE)
    summary = models.TextField(
        _("résumé"), max_length=600, help_text=_("Deux ou trois phrases : ce que le lecteur y gagne.")
    )
    body = models.TextField(
        _("contenu (Markdown)"),
        blank=True,
        help_text=_("Le guide lui-même, montré en page et en PDF. Laissez vide si vous joignez un fichier."),
    )
    body_html = models.TextField(editable=False, default="")
    file = models.FileField(
        _("fichier joint"),
        upload_to="resources/files/%Y/",
        storage=private_storage,
        blank=True,
        validators=[FileExtensionValidator(["pdf", "docx", "xlsx"])],
        help_text=_("PDF, DOCX ou XLSX, au lieu ou en plus du contenu écrit."),
    )
    cover = models.ForeignKey(
        "media.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    is_gated = models.BooleanField(
        _("contre une adresse e-mail"),
        default=False,
        help_text=_("Le visiteur laisse son e-mail (avec son accord) et reçoit le lien de téléchargement."),
    )
    is_published = models.BooleanField(_("publié"), default=False)
    published_at = models.DateTimeField(_("date de publication"), null=True, blank=True)
    articles = models.ManyToManyField(
        "blog.Article", verbose_name=_("articles liés"), related_name="+", blank=True
    )
    trainings = models.ManyToManyField(
        "courses.Training", verbose_name=_("formations liées"), related_name="+", blank=True
    )
    seo_description = models.CharField(_("description SEO"), max_length=160, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("guide ou modèle")
        verbose_name_plural = _("guides et modèles")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # Rendered once at save rather than at each view: the page, the PDF and the index read `body_html`.
        self.body_html = render_markdown(self.body)
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("resources:guide", kwargs={"slug": self.slug})


class GuideRequest(TimeStampedModel):
    """A visitor's request for a gated guide: the address the link is sent to and the consent they gave, with
    its exact text. Kept `RESOURCES_REQUEST_RETENTION_DAYS`; the lead (leads app) keeps the relationship."""

    guide = models.ForeignKey(
        Guide, verbose_name=_("guide"), related_name="requests", on_delete=models.CASCADE
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("nom"), max_length=120, blank=True)
    consent_text = models.TextField(_("texte du consentement"))
    sent_at = models.DateTimeField(_("lien envoyé le"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("premier téléchargement"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de guide")
        verbose_name_plural = _("demandes de guides")

    def __str__(self) -> str:
        return f"{self.guide} → {self.email}"


class UseCase(models.Model):
    """A family of prompts (« E-mails », « Résumés », « RH »...)."""

    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("cas d'usage")
        verbose_name_plural = _("cas d'usage")

    def __str__(self) -> str:
        return self.name


class AiTool(models.Model):
    """An assistant a prompt suits (ChatGPT, Claude, Le Chat, Copilot, Gemini...)."""

    name = models.CharField(_("nom"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("outil d'IA")
        verbose_name_plural = _("outils d'IA")

    def __str__(self) -> str:
        return self.name


class Prompt(TimeStampedModel):
    """A ready-to-use prompt. Its variables are written in square brackets in `body` (« [secteur] »,
    « [ton] »): the page highlights them and offers a form that fills them in before copying."""

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    use_case = models.ForeignKey(
        UseCase, verbose_name=_("cas d'usage"), related_name="prompts", on_delete=models.PROTECT
    )
    goal = models.TextField(_("objectif"), max_length=600)
    body = models.TextField(
        _("prompt"), help_text=_("Les variables s'écrivent entre crochets : [secteur], [ton].")
    )
    example_output = models.TextField(_("exemple de résultat"), blank=True)
    tips = models.TextField(_("conseils"), blank=True)
    tools = models.ManyToManyField(
        AiTool, verbose_name=_("outils adaptés"), related_name="prompts", blank=True
    )
    articles = models.ManyToManyField(
        "blog.Article", verbose_name=_("articles liés"), related_name="+", blank=True
    )
    trainings = models.ManyToManyField(
        "courses.Training", verbose_name=_("formations liées"), related_name="+", blank=True
    )
    is_published = models.BooleanField(_("publié"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["use_case__order", "order", "title"]
        verbose_name = _("prompt")
        verbose_name_plural = _("prompts")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:prompt", kwargs={"slug": self.slug})


class PromptFavourite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    prompt = models.ForeignKey(Prompt, related_name="favourites", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("prompt favori")
        verbose_name_plural = _("prompts favoris")
        constraints = [models.UniqueConstraint(fields=["user", "prompt"], name="resources_favourite_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.prompt_id}"


class GlossaryTerm(TimeStampedModel):
    term = models.CharField(_("terme"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    aliases = models.CharField(
        _("autres formes"),
        max_length=300,
        blank=True,
        help_text=_(
            "Séparées par des virgules : pluriels, sigles, traductions (« LLM, grand modèle de langage »)."
        ),
    )
    short_definition = models.CharField(
        _("définition courte"), max_length=300, help_text=_("Une phrase, en français simple.")
    )
    body = models.TextField(_("explication (Markdown)"), blank=True)
    body_html = models.TextField(editable=False, default="")
    related = models.ManyToManyField("self", verbose_name=_("termes liés"), blank=True)
    autolink = models.BooleanField(
        _("lier dans les articles"),
        default=True,
        help_text=_("La première occurrence du terme dans un article renvoie à sa définition."),
    )
    is_published = models.BooleanField(_("publié"), default=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("terme du glossaire")
        verbose_name_plural = _("glossaire")

    def __str__(self) -> str:
        return self.term

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("resources:term", kwargs={"slug": self.slug})
