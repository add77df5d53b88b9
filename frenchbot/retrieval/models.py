from django.db import models
from django.utils.translation import gettext_lazy as _

from frenchbot.core.models import TimeStampedModel


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    STAFF = "staff", _("Équipe seulement")


class Document(TimeStampedModel):
    """One piece of content as the index knows it: where it comes from, who may see it, its address."""

    # A named set of documents: "site" for the site's content; benchmarks use throw-away collections.
    collection = models.CharField(max_length=40, default="site", db_index=True)
    source = models.CharField(_("type de contenu"), max_length=60)
    source_id = models.CharField(max_length=64)
    title = models.CharField(_("titre"), max_length=300)
    url = models.CharField(max_length=500)
    # Besides the site-wide choices, apps add their own audiences: "training:<id>" for a training's learners
    # (frenchbot.courses); the assistant asks for the values a person may read (ASSISTANT_VISIBILITY_PROVIDERS).
    # Nothing calls full_clean() on documents, so such values are stored as they are.
    visibility = models.CharField(max_length=40, choices=Visibility.choices, default=Visibility.PUBLIC)
    # Searchable from this moment on (a scheduled article is indexed ahead but found only once it is out).
    available_from = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("document indexé")
        verbose_name_plural = _("documents indexés")
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "source", "source_id"], name="retrieval_document_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Chunk(models.Model):
    """A passage of a document, small enough to quote, with the anchor of the heading it sits under."""

    document = models.ForeignKey(Document, related_name="chunks", on_delete=models.CASCADE)
    ordinal = models.PositiveIntegerField()
    heading = models.CharField(max_length=300, blank=True)
    anchor = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    # The analysed form the lexical backends index (French stems, accents folded), title and heading first.
    tokens = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    # Float32 vector of the passage and the model that made it; empty until embedded.
    vector = models.BinaryField(null=True, blank=True)
    vector_model = models.CharField(max_length=100, blank=True)
    # The vectors of the passage's sentences, one after the other (same model), when it has more than one:
    # a question is often answered by one sentence, whose vector is sharper than the passage's.
    sentence_vectors = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["document_id", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["document", "ordinal"], name="retrieval_chunk_unique")]

    def __str__(self) -> str:
        return f"{self.document} #{self.ordinal}"

    @property
    def url(self) -> str:
        return f"{self.document.url}#{self.anchor}" if self.anchor else self.document.url
