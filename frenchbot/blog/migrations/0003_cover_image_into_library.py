"""Covers uploaded before the media library become library images (checked, cleaned, resized like any upload)
and the article points at them; then the old file field and its alt text go.

A cover whose file is missing or is not an image the pipeline accepts is left out (said on the console): the
article keeps no cover rather than a broken one. The old file stays in the storage, untouched."""

import logging

from django.db import migrations

logger = logging.getLogger(__name__)


def covers_into_library(apps, schema_editor):
    from django.core.files.storage import default_storage

    from frenchbot.media.services import ImageRefused, image_check, image_files_make

    Article = apps.get_model("blog", "Article")
    Image = apps.get_model("media", "Image")
    for article in Article.objects.exclude(cover_image="").filter(cover__isnull=True).iterator():
        name = article.cover_image.name
        alt = (article.cover_alt or "").strip() or article.title
        try:
            with default_storage.open(name, "rb") as handle:
                checked = image_check(file=handle, alt=alt)
            fields = image_files_make(checked=checked)
        except (ImageRefused, OSError, ValueError) as error:
            message = getattr(error, "message", str(error))
            print(f"\n  Couverture de « {article.title} » non reprise ({name}) : {message}")  # noqa: T201
            continue
        image = Image.objects.create(alt=alt[:250], title=article.title[:200], **fields)
        Article.objects.filter(pk=article.pk).update(cover=image)


class Migration(migrations.Migration):
    # The copy commits on its own before the columns go: PostgreSQL refuses to alter a table that still has
    # pending (deferred) foreign-key checks from rows updated in the same transaction.
    atomic = False

    dependencies = [
        ("blog", "0002_article_cover_articlerevision_authorprofile"),
        ("media", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(covers_into_library, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="article", name="cover_alt"),
        migrations.RemoveField(model_name="article", name="cover_image"),
    ]
