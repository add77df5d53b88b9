"""The media library: images uploaded by staff (articles, covers, guides), checked and stripped of their
metadata at upload, with resized copies (renditions) in several widths and formats made once, at upload."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from frenchbot.core.models import TimeStampedModel


class Image(TimeStampedModel):
    """One uploaded picture. `file` is the cleaned original (re-encoded, no EXIF/GPS); `renditions` lists the
    resized copies: [{"width": 800, "height": 450, "format": "webp", "name": "<storage name>"}, ...], and the
    1200 × 630 OpenGraph crop marked with "kind": "og"."""

    file = models.ImageField(
        _("fichier"), upload_to="library/%Y/%m/", width_field="width", height_field="height"
    )
    alt = models.CharField(
        _("texte alternatif"),
        max_length=250,
        help_text=_("Ce que l'image montre, pour qui ne la voit pas (lecteur d'écran, image non chargée)."),
    )
    title = models.CharField(_("titre"), max_length=200, blank=True)
    credit = models.CharField(_("crédit"), max_length=200, blank=True)
    width = models.PositiveIntegerField(_("largeur"), default=0, editable=False)
    height = models.PositiveIntegerField(_("hauteur"), default=0, editable=False)
    size_bytes = models.PositiveIntegerField(_("poids (octets)"), default=0, editable=False)
    # The original's format as checked at upload ("jpeg", "png", "webp", "gif", "avif").
    original_format = models.CharField(_("format"), max_length=10, editable=False, blank=True)
    renditions = models.JSONField(default=list, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ajoutée par"),
        related_name="+",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.title or self.alt[:60] or self.file.name
