from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frenchbot.core.models import TimeStampedModel
from frenchbot.core.text import reading_time_minutes

from .rendering import article_body_html


class Category(TimeStampedModel):
    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:category", kwargs={"slug": self.slug})


class Tag(TimeStampedModel):
    name = models.CharField(_("nom"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("étiquette")
        verbose_name_plural = _("étiquettes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:tag", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """What a visitor may see: published, or scheduled and whose date has come."""
        now = now or timezone.now()
        return self.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED], published_at__lte=now
        )


class Article(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SCHEDULED = "scheduled", _("Programmé")
        PUBLISHED = "published", _("Publié")

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    excerpt = models.TextField(_("chapeau"), max_length=500, blank=True)
    body = models.TextField(_("corps (Markdown)"))
    body_html = models.TextField(editable=False, default="")
    reading_time = models.PositiveSmallIntegerField(_("temps de lecture (min)"), editable=False, default=1)
    cover = models.ForeignKey(
        "media.Image",
        verbose_name=_("image de couverture"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
        help_text=_("Choisie dans la médiathèque ; son texte alternatif est celui de l'image."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("catégorie"), related_name="articles", on_delete=models.PROTECT
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("étiquettes"), related_name="articles", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), related_name="articles", on_delete=models.PROTECT
    )
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("date de publication"),
        null=True,
        blank=True,
        help_text=_("Pour un article programmé, la date à laquelle il paraîtra."),
    )
    seo_title = models.CharField(_("titre SEO"), max_length=70, blank=True)
    seo_description = models.CharField(_("description SEO"), max_length=160, blank=True)
    comments_enabled = models.BooleanField(_("commentaires ouverts"), default=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="blog_article_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.status == self.Status.SCHEDULED and not self.published_at:
            raise ValidationError(
                {"published_at": _("Indiquez la date à laquelle l'article programmé doit paraître.")}
            )

    def save(self, *args, **kwargs):
        # Rendering once at save keeps the page fast and the sanitiser off the hot path.
        self.body_html = article_body_html(self.body, has_cover=bool(self.cover_id))
        self.reading_time = reading_time_minutes(self.body)
        if self.status == self.Status.PUBLISHED and not self.published_at:
            self.published_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html", "reading_time"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("blog:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return (
            self.status in {self.Status.PUBLISHED, self.Status.SCHEDULED}
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def meta_title(self) -> str:
        return self.seo_title or self.title

    @property
    def meta_description(self) -> str:
        return self.seo_description or self.excerpt[:160]


class Comment(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        APPROVED = "approved", _("Approuvé")
        SPAM = "spam", _("Indésirable")
        TRASH = "trash", _("Corbeille")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), related_name="comments", on_delete=models.CASCADE
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("en réponse à"),
        related_name="replies",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    name = models.CharField(_("nom"), max_length=80)
    # Blank once the commenter had their data erased (the comment stays, signed « Anonyme »).
    email = models.EmailField(_("e-mail"), blank=True)
    body = models.TextField(_("commentaire"))
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    held_reason = models.CharField(_("motif de mise en attente"), max_length=200, blank=True)
    ip_fingerprint = models.CharField(max_length=32, blank=True, editable=False)
    user_agent = models.CharField(max_length=300, blank=True, editable=False)
    is_staff_reply = models.BooleanField(_("réponse de l'équipe"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        indexes = [models.Index(fields=["article", "status", "created_at"]), models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.name} — {self.article}"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#commentaire-{self.pk}"


class Poll(TimeStampedModel):
    article = models.OneToOneField(
        Article, verbose_name=_("article"), related_name="poll", on_delete=models.CASCADE
    )
    question = models.CharField(_("question"), max_length=200)
    is_open = models.BooleanField(_("ouvert aux votes"), default=True)

    class Meta:
        verbose_name = _("sondage")
        verbose_name_plural = _("sondages")

    def __str__(self) -> str:
        return self.question


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, related_name="options", on_delete=models.CASCADE)
    label = models.CharField(_("réponse"), max_length=120)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("réponse possible")
        verbose_name_plural = _("réponses possibles")

    def __str__(self) -> str:
        return self.label


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, related_name="votes", on_delete=models.CASCADE)
    option = models.ForeignKey(PollOption, related_name="votes", on_delete=models.CASCADE)
    voter_id = models.CharField(max_length=64)
    ip_fingerprint = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter_id"], name="blog_pollvote_one_per_browser")
        ]

    def __str__(self) -> str:
        return f"{self.poll} → {self.option}"


class ArticleRevision(models.Model):
    """A saved state of an article's text: one at each save in the admin (kept), and one rolling autosave per
    article and writer while they type (replaced each time). Compared and restored from the admin."""

    class Kind(models.TextChoices):
        SAVE = "save", _("Enregistrement")
        AUTOSAVE = "autosave", _("Sauvegarde automatique")
        RESTORE = "restore", _("Restauration")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), related_name="revisions", on_delete=models.CASCADE
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.SAVE)
    title = models.CharField(_("titre"), max_length=200)
    excerpt = models.TextField(_("chapeau"), blank=True)
    body = models.TextField(_("corps (Markdown)"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        related_name="+",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("révision")
        verbose_name_plural = _("révisions")

    def __str__(self) -> str:
        return f"{self.article} — {self.created_at:%Y-%m-%d %H:%M}"


class AuthorProfile(TimeStampedModel):
    """What the author page (`/blog/auteurs/<slug>/`) says about a writer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        related_name="author_profile",
        on_delete=models.CASCADE,
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    display_name = models.CharField(_("nom affiché"), max_length=120)
    role = models.CharField(_("fonction"), max_length=120, blank=True)
    bio = models.TextField(_("présentation (Markdown)"), blank=True)
    photo = models.ForeignKey(
        "media.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    linkedin_url = models.URLField(_("profil LinkedIn"), blank=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("profil d'auteur")
        verbose_name_plural = _("profils d'auteurs")

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("blog:author", kwargs={"slug": self.slug})
