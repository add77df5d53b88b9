"""The image pipeline: an upload is checked (size, real type, pixel count, alt text), cleaned (orientation applied,
metadata dropped, sRGB), stored, and resized once into the renditions the site serves.

Everything goes through the storage API (`default_storage`), never a path on disk, so that the same code writes
to the local folder or to an S3 bucket. Names are unique (a random token in each), which lets a browser or a CDN
keep the files for as long as it likes.

Renditions are made in the request: with AVIF at a quick speed (MEDIA_IMAGE_AVIF_SPEED) a whole upload takes
about 0,8 s for a 2400 × 1600 photo and 1,3 s for a 12-megapixel one on two cores (AVIF is most of it), well
inside what an editor waits for a progress message; a task would mean pages served with the heavy original, or
no image, in the meantime.
"""

from __future__ import annotations

import io
import logging
import secrets
import struct
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageCms, ImageFile, ImageOps, features

from frenchbot.core.errors import DomainError

from .models import Image

logger = logging.getLogger(__name__)

# Pillow's format names of what is accepted, and the extension and MIME type of what is written.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "AVIF")
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif"}
MIME_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif"}
OG_SIZE = (1200, 630)
# Encoder settings: visually clean at screen sizes, a fraction of the original's weight.
_ENCODE = {
    "jpeg": {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True},
    "png": {"format": "PNG", "optimize": True},
    "webp": {"format": "WEBP", "quality": 80, "method": 4},
    "avif": {"format": "AVIF", "quality": 60},
}
# The cleaned original keeps more detail than the renditions: it is what a later re-crop would start from.
_ENCODE_ORIGINAL = {
    "jpeg": {"format": "JPEG", "quality": 92, "optimize": True},
    "png": {"format": "PNG", "optimize": True},
    "webp": {"format": "WEBP", "quality": 92, "method": 4},
    "avif": {"format": "AVIF", "quality": 85},
}


class ImageRefused(DomainError):
    """An upload the pipeline will not take: too big, not an image, too many pixels, no alt text."""


def avif_supported() -> bool:
    """Whether this Pillow can write AVIF (Pillow ≥ 11.2 built with libavif)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bool(features.check("avif"))
    except (ValueError, KeyError):  # an older Pillow that does not know the feature at all
        return False


@dataclass
class CheckedImage:
    """An upload that passed every check, decoded, upright, without metadata, in RGB or RGBA (sRGB)."""

    picture: PILImage.Image
    source_format: str  # "jpeg", "png", "webp", "gif", "avif": what the file really was
    stem: str  # a safe, readable beginning for the stored names
    has_alpha: bool = False
    frames: int = 1
    notes: list[str] = field(default_factory=list)


def _format_label() -> str:
    return _("JPEG, PNG, WebP, GIF ou AVIF")


def _human_bytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f}\u00a0Mo" if megabytes >= 1 else f"{size // 1024}\u00a0Ko"


_strict_load_lock = threading.Lock()


def _load_whole(picture: PILImage.Image) -> None:
    """Decode `picture`, refusing a file cut short (OSError). WeasyPrint, once imported (the PDFs), sets
    Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would otherwise let a truncated upload through with its
    missing part painted grey; the flag is turned off for this decode only."""
    with _strict_load_lock:
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            picture.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def image_check(*, file, alt: str) -> CheckedImage:
    """Check an uploaded file and return it decoded and cleaned; raise ImageRefused with a French message
    naming the field ("file" or "alt") otherwise. Nothing is stored.

    The type is the one Pillow reads in the content, not the name or the browser's word; the pixel count is read
    from the header before anything is decoded, so a small file that would unpack into gigabytes (a
    decompression bomb) is refused without being unpacked."""
    if not (alt or "").strip():
        raise ImageRefused(
            _("Décrivez l'image en quelques mots : le texte alternatif est obligatoire."), field="alt"
        )
    if file is None:
        raise ImageRefused(_("Choisissez une image à envoyer."), field="file")
    max_bytes = settings.MEDIA_IMAGE_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ImageRefused(
            _("Cette image pèse %(size)s : la limite est de %(max)s. Réduisez-la avant de l'envoyer.")
            % {"size": _human_bytes(size), "max": _human_bytes(max_bytes)},
            field="file",
        )
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRefused(
            _("Cette image dépasse la limite de %(max)s. Réduisez-la avant de l'envoyer.")
            % {"max": _human_bytes(max_bytes)},
            field="file",
        )
    if not data:
        raise ImageRefused(_("Ce fichier est vide."), field="file")
    not_an_image = ImageRefused(
        _("Ce fichier n'est pas une image lisible : envoyez une image %(formats)s.")
        % {"formats": _format_label()},
        field="file",
    )
    max_pixels = settings.MEDIA_IMAGE_MAX_PIXELS
    too_many_pixels = ImageRefused(
        _(
            "Cette image est trop grande (plus de %(max)s millions de pixels). "
            "Réduisez ses dimensions avant de l'envoyer."
        )
        % {"max": f"{max_pixels / 1_000_000:g}".replace(".", ",")},
        field="file",
    )
    with warnings.catch_warnings():
        # Pillow's own guard warns above MAX_IMAGE_PIXELS and raises above twice that: both are refusals here.
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            # Opening reads the header only; `formats` keeps Pillow from trying any other decoder on it.
            with PILImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                source_format = (probe.format or "").lower()
                width, height = probe.size
                if width * height > max_pixels:
                    raise too_many_pixels
                probe.verify()
            picture = PILImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            frames = getattr(picture, "n_frames", 1)
            picture.seek(0)  # an animated GIF or WebP: its first frame
            _load_whole(picture)
        except ImageRefused:
            raise
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
            raise too_many_pixels from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error):
            raise not_an_image from None
    if source_format not in {name.lower() for name in ACCEPTED_FORMATS}:
        raise not_an_image
    try:
        cleaned, has_alpha = _clean(picture)
    except (OSError, ValueError) as error:
        logger.info("image refused while cleaning: %s", error)
        raise not_an_image from None
    name = getattr(file, "name", "") or "image"
    stem = slugify(PurePosixPath(name).stem)[:40].strip("-") or "image"
    return CheckedImage(
        picture=cleaned, source_format=source_format, stem=stem, has_alpha=has_alpha, frames=frames
    )


def _clean(picture: PILImage.Image) -> tuple[PILImage.Image, bool]:
    """Upright, sRGB, RGB or RGBA, and an empty `info`: nothing of the file's metadata can follow it out."""
    upright = ImageOps.exif_transpose(picture) or picture
    icc = picture.info.get("icc_profile")
    if upright.mode == "CMYK" or upright.mode.startswith("I") or upright.mode == "F":
        upright = upright.convert("RGB")
    has_alpha = upright.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
        upright.mode == "P" and "transparency" in upright.info
    )
    upright = upright.convert("RGBA" if has_alpha else "RGB")
    if has_alpha and upright.getchannel("A").getextrema() == (255, 255):
        # A PNG saved with an alpha channel it does not use: a JPEG fallback is lighter.
        upright, has_alpha = upright.convert("RGB"), False
    if icc:
        upright = _to_srgb(upright, icc)
    clean = upright.copy()
    clean.info = {}
    return clean, has_alpha


def _to_srgb(picture: PILImage.Image, icc: bytes) -> PILImage.Image:
    """Colours as the camera's profile meant them, in sRGB (what browsers assume for an image without one)."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = (ImageCms.getProfileDescription(source) or "").lower()
        if "srgb" in description:
            return picture
        target = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(picture, source, target, outputMode=picture.mode) or picture
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken profile: keep the pixels as they are rather than refuse a picture a browser would show.
        return picture


def _encode(picture: PILImage.Image, fmt: str, *, original: bool = False) -> bytes:
    options = dict((_ENCODE_ORIGINAL if original else _ENCODE)[fmt])
    if fmt == "avif":
        options["speed"] = settings.MEDIA_IMAGE_AVIF_SPEED
    if fmt == "jpeg" and picture.mode != "RGB":
        picture = _on_white(picture)
    buffer = io.BytesIO()
    picture.save(buffer, **options)
    return buffer.getvalue()


def _on_white(picture: PILImage.Image) -> PILImage.Image:
    background = PILImage.new("RGB", picture.size, (255, 255, 255))
    background.paste(picture, mask=picture.getchannel("A") if picture.mode == "RGBA" else None)
    return background


def rendition_widths(original_width: int) -> list[int]:
    """The widths made for an original: those of MEDIA_IMAGE_WIDTHS it can give without upscaling, plus its own
    width when it is narrower than the largest (so that the sharpest copy possible exists)."""
    configured = sorted({width for width in settings.MEDIA_IMAGE_WIDTHS if width > 0}) or [800]
    widths = [width for width in configured if width <= original_width]
    if original_width < configured[-1] and original_width not in widths:
        widths.append(original_width)
    return widths


def _original_format(checked: CheckedImage) -> str:
    if checked.source_format == "gif":
        return "png"  # first frame only, without GIF's 256 colours
    if checked.source_format == "avif" and not avif_supported():
        return "png" if checked.has_alpha else "jpeg"
    return checked.source_format


def _formats(checked: CheckedImage) -> list[str]:
    fallback = "png" if checked.has_alpha else "jpeg"
    return [*(["avif"] if avif_supported() else []), "webp", fallback]


def _save(name: str, data: bytes, saved: list[str]) -> str:
    stored = default_storage.save(name, ContentFile(data))
    saved.append(stored)
    return stored


def image_files_make(*, checked: CheckedImage) -> dict:
    """Store the cleaned original and every rendition; return the Image fields that describe them
    (file, width, height, size_bytes, original_format, renditions). Files already written are deleted when
    a later one fails, so a failure leaves nothing behind."""
    picture = checked.picture
    width, height = picture.size
    token = secrets.token_hex(5)
    folder = timezone.now().strftime("library/%Y/%m")
    base = f"{folder}/{checked.stem}-{token}"
    saved: list[str] = []
    try:
        original_format = _original_format(checked)
        original = _encode(picture, original_format, original=True)
        original_name = _save(f"{base}.{EXTENSIONS[original_format]}", original, saved)
        renditions = []
        for target_width in rendition_widths(width):
            target_height = max(1, round(height * target_width / width))
            resized = (
                picture
                if target_width == width
                else picture.resize((target_width, target_height), PILImage.Resampling.LANCZOS)
            )
            for fmt in _formats(checked):
                name = _save(f"{base}-{target_width}.{EXTENSIONS[fmt]}", _encode(resized, fmt), saved)
                renditions.append(
                    {"width": target_width, "height": target_height, "format": fmt, "name": name}
                )
        og = ImageOps.fit(picture, OG_SIZE, PILImage.Resampling.LANCZOS)
        og_name = _save(f"{base}-og.jpg", _encode(og, "jpeg"), saved)
        renditions.append(
            {"width": OG_SIZE[0], "height": OG_SIZE[1], "format": "jpeg", "name": og_name, "kind": "og"}
        )
    except Exception:
        _delete_names(saved)
        raise
    return {
        "file": original_name,
        "width": width,
        "height": height,
        "size_bytes": len(original),
        "original_format": checked.source_format,
        "renditions": renditions,
    }


def _delete_names(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # noqa: BLE001 - a file left behind must not hide the error being handled
            logger.warning("media: could not delete %s", name, exc_info=True)


def image_upload(
    *,
    file,
    alt: str,
    title: str = "",
    credit: str = "",
    user=None,
    checked: CheckedImage | None = None,
) -> Image:
    """Check, clean and store an uploaded image with its renditions; return the new library Image.

    Raises ImageRefused (a French message and the field: "file" or "alt") for a file that is too heavy, not
    really an image of an accepted type, has too many pixels, or comes without alt text. `checked` is the result
    of an earlier `image_check` of the same file (a form that validated it already), to avoid a second decoding.
    """
    if checked is None:
        checked = image_check(file=file, alt=alt)
    elif not (alt or "").strip():
        raise ImageRefused(
            _("Décrivez l'image en quelques mots : le texte alternatif est obligatoire."), field="alt"
        )
    fields = image_files_make(checked=checked)
    try:
        with transaction.atomic():
            image = Image(
                alt=alt.strip()[:250],
                title=(title or "").strip()[:200],
                credit=(credit or "").strip()[:200],
                uploaded_by=user if getattr(user, "pk", None) else None,
                **fields,
            )
            image.save()
    except Exception:
        _delete_names([fields["file"], *(item["name"] for item in fields["renditions"])])
        raise
    return image


def image_stored_names(image: Image) -> list[str]:
    names = [image.file.name] if image.file else []
    names += [item["name"] for item in image.renditions or [] if item.get("name")]
    return names


def image_files_delete(*, names: list[str]) -> None:
    """Delete stored files once the transaction that forgot them commits (now, outside of one)."""
    transaction.on_commit(lambda: _delete_names(names))


def image_delete(*, image: Image) -> None:
    """Delete a library image and, once the deletion is committed, its files (original and renditions)."""
    with transaction.atomic():
        image.delete()  # the post_delete receiver removes the files on commit
