"""Conversations with the bot: what visitors asked, what it answered, from which sources, and their verdict."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from frenchbot.core.models import TimeStampedModel


class Conversation(TimeStampedModel):
    """One thread of questions and answers, owned by an account or, for anonymous visitors, by a session."""

    # A random id: conversation addresses must not be guessable (they appear in the API and in the browser).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversations",
    )
    session_key = models.CharField(_("session"), max_length=64, blank=True, db_index=True)
    title = models.CharField(_("titre"), max_length=200, blank=True)
    # A keyed hash of the address it was started from (never the address itself).
    ip_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title or str(self.id)


class Message(TimeStampedModel):
    class Role(models.TextChoices):
        USER = "user", _("visiteur")
        ASSISTANT = "assistant", _("assistant")

    class Status(models.TextChoices):
        COMPLETE = "complete", _("complète")
        STREAMING = "streaming", _("en cours")
        STOPPED = "stopped", _("interrompue par le visiteur")
        ERROR = "error", _("erreur")

    conversation = models.ForeignKey(Conversation, related_name="messages", on_delete=models.CASCADE)
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    content = models.TextField(_("texte"), blank=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.COMPLETE)
    # The French message the visitor saw when the answer failed.
    error = models.TextField(_("erreur affichée"), blank=True)
    # [{"label", "title", "url", "heading"}]: the passages the answer stands on, in the order shown.
    sources = models.JSONField(_("sources"), default=list, blank=True)
    # [{"kind", "label", "url"}]: the next steps offered under the answer.
    suggestions = models.JSONField(_("suggestions"), default=list, blank=True)
    # [{"type": "slots" | "trainings" | "form", ...}]: what the visitor can do in the chat under the answer
    # (book one of the slots shown, leave a message for the team…), as the stream's typed events carried them.
    actions = models.JSONField(_("actions proposées"), default=list, blank=True)
    # True when the bot had nothing in our content that answers the question (the honesty threshold): the
    # back-office lists such questions so that staff answer them in the FAQ.
    unanswered = models.BooleanField(_("sans réponse"), default=False, db_index=True)
    provider = models.CharField(_("fournisseur"), max_length=100, blank=True)
    provider_name = models.CharField(_("nom affiché du fournisseur"), max_length=200, blank=True)
    model_id = models.CharField(_("modèle"), max_length=200, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), null=True, blank=True)
    # The unanswered-questions loop (back-office « Questions sans réponse »): the FAQ entry staff wrote from
    # this answer's question, and when staff dealt with it (answered in the FAQ or dismissed as off-topic).
    # Either takes the question out of the list.
    faq_entry = models.ForeignKey(
        "FaqEntry",
        verbose_name=_("entrée de FAQ écrite en réponse"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answered_messages",
    )
    reviewed_at = models.DateTimeField(_("traitée par l'équipe le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} : {self.content[:60]}"


class Feedback(TimeStampedModel):
    """A visitor's verdict on one answer: thumbs up or down, and an optional comment."""

    class Rating(models.IntegerChoices):
        UP = 1, _("utile")
        DOWN = -1, _("pas utile")

    message = models.OneToOneField(Message, related_name="feedback", on_delete=models.CASCADE)
    rating = models.SmallIntegerField(_("avis"), choices=Rating.choices)
    comment = models.TextField(_("commentaire"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis")

    def __str__(self) -> str:
        return f"{self.get_rating_display()} — {self.message_id}"


class FaqEntry(TimeStampedModel):
    """A question visitors ask and the team's answer: shown on /faq/ and indexed for the bot as soon as saved."""

    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("réponse (Markdown)"), max_length=10000)
    category = models.CharField(
        _("catégorie"),
        max_length=100,
        blank=True,
        help_text=_("Les questions sont regroupées par catégorie."),
    )
    # The anchor of the entry on /faq/ (and the address the bot cites): set once from the first wording, so
    # that links already shared keep working when the question is reworded.
    slug = models.SlugField(_("ancre"), max_length=90, unique=True, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_published = models.BooleanField(_("publiée"), default=True)

    class Meta:
        verbose_name = _("entrée de FAQ")
        verbose_name_plural = _("FAQ")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def _unique_slug(self) -> str:
        base = slugify(self.question)[:80].strip("-") or "question"
        slug, number = base, 2
        while FaqEntry.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug

    def get_absolute_url(self) -> str:
        return f"{reverse('faq')}#{self.slug}"
