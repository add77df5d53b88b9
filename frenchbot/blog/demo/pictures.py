"""The blog's demo illustrations (`images/` beside this file, drawn for this project): imported once into the
media library through the same pipeline as an upload, then named by the demo articles (`cover: key` in a front
matter, `![alt](image:key)` in a body)."""

import re
from pathlib import Path

from django.core.files import File

from frenchbot.core.datafiles import DataFileError, datafile_name, keys_only, tables_get, toml_read, value_get
from frenchbot.core.text import french_typography
from frenchbot.media.models import Image
from frenchbot.media.services import image_upload

IMAGES_DIR = Path(__file__).resolve().parent / "images"
IMAGES_FILE = IMAGES_DIR / "images.toml"
_KEYS = {"key", "file", "title", "alt"}
_BODY_IMAGE_RE = re.compile(r"\]\(image:([a-z0-9-]+)\)")


def demo_images_read() -> list[dict[str, str]]:
    """The illustrations as the data file lists them, checked; raises DataFileError naming the place."""
    where = datafile_name(IMAGES_FILE)
    images = []
    for number, table in enumerate(tables_get(toml_read(IMAGES_FILE), "images", where=where), start=1):
        place = f"{where}, image {number}"
        keys_only(table, _KEYS, where=place)
        item = {key: value_get(table, key, str, where=place) for key in sorted(_KEYS)}
        if not (IMAGES_DIR / item["file"]).is_file() or "/" in item["file"]:
            raise DataFileError(f"{place}: no file named {item['file']!r} beside the data file.")
        images.append(item)
    return images


def demo_images_load() -> tuple[dict[str, Image], int]:
    """The library image of each key, imported when missing (found again by its title); and how many were added."""
    images, created = {}, 0
    for item in demo_images_read():
        image = Image.objects.filter(title=item["title"]).first()
        if image is None:
            with (IMAGES_DIR / item["file"]).open("rb") as handle:
                image = image_upload(
                    file=File(handle, name=item["file"]),
                    alt=french_typography(item["alt"]),
                    title=item["title"],
                )
            created += 1
        images[item["key"]] = image
    return images, created


def demo_body_with_images(body: str, images: dict[str, Image]) -> str:
    """`![alt](image:key)` → the library image's address (an unknown key is left for the reader to notice)."""
    return _BODY_IMAGE_RE.sub(
        lambda match: f"]({images[match.group(1)].file.url})" if match.group(1) in images else match.group(0),
        body,
    )


def demo_images_remove() -> int:
    """Delete the demo illustrations (their files go with them); says how many."""
    titles = [item["title"] for item in demo_images_read()]
    images = list(Image.objects.filter(title__in=titles))
    for image in images:
        image.delete()
    return len(images)
