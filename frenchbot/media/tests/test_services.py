"""The image pipeline: what is made of an upload, what is refused, and what is left of its metadata."""

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageCms

from frenchbot.media.models import Image
from frenchbot.media.services import ImageRefused, avif_supported, image_delete, image_upload

from .helpers import library_image, picture_bytes, upload

pytestmark = pytest.mark.django_db

PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "avif": "AVIF"}


def _open(name: str) -> PILImage.Image:
    with default_storage.open(name, "rb") as handle:
        picture = PILImage.open(io.BytesIO(handle.read()))
        picture.load()
    return picture


def test_a_large_photo_gets_every_width_in_every_format_and_an_opengraph_crop():
    image = library_image(size=(2000, 1000))
    formats = ["avif", "webp", "jpeg"] if avif_supported() else ["webp", "jpeg"]
    made = {(item["width"], item["format"]) for item in image.renditions if item.get("kind") != "og"}
    assert made == {(width, fmt) for width in (480, 800, 1200, 1600) for fmt in formats}
    for item in image.renditions:
        picture = _open(item["name"])
        assert picture.format == PILLOW_FORMATS[item["format"]]
        assert picture.size == (item["width"], item["height"])
        if item.get("kind") != "og":
            assert item["height"] == item["width"] // 2
    og = [item for item in image.renditions if item.get("kind") == "og"]
    assert [(item["width"], item["height"], item["format"]) for item in og] == [(1200, 630, "jpeg")]
    assert (image.width, image.height, image.original_format) == (2000, 1000, "jpeg")
    assert image.size_bytes == default_storage.size(image.file.name)


def test_a_small_image_is_never_upscaled_and_still_has_one_rendition_per_format():
    image = library_image(size=(300, 200))
    widths = {item["width"] for item in image.renditions if item.get("kind") != "og"}
    assert widths == {300}


def test_a_medium_image_gets_its_own_width_as_the_sharpest_copy():
    image = library_image(size=(1000, 500))
    widths = sorted({item["width"] for item in image.renditions if item.get("kind") != "og"})
    assert widths == [480, 800, 1000]


def test_a_transparent_png_keeps_its_transparency_in_a_png_fallback():
    data = picture_bytes((600, 400), "PNG", color=(20, 33, 61, 128), mode="RGBA")
    image = image_upload(file=upload(data, "logo.png", "image/png"), alt="Le logo")
    fallback = {item["format"] for item in image.renditions if item.get("kind") != "og"} - {"avif", "webp"}
    assert fallback == {"png"}
    assert _open(image.file.name).mode == "RGBA"


def test_a_gif_keeps_its_first_frame_only():
    frames = [PILImage.new("RGB", (200, 100), color) for color in ((230, 57, 70), (69, 123, 157))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    image = image_upload(file=upload(buffer.getvalue(), "anim.gif", "image/gif"), alt="Une animation")
    assert image.original_format == "gif"
    original = _open(image.file.name)
    assert original.format == "PNG"
    assert getattr(original, "n_frames", 1) == 1
    assert original.convert("RGB").getpixel((10, 10)) == (230, 57, 70)


def _jpeg_with_gps_and_orientation() -> bytes:
    picture = PILImage.new("RGB", (400, 200), (230, 57, 70))
    # The left half red, the right half blue: after a quarter turn, the top is one colour, the bottom the other.
    picture.paste((69, 123, 157), (200, 0, 400, 200))
    exif = PILImage.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "Appareil de test"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 24.0)
    gps[3] = "E"
    gps[4] = (2.0, 21.0, 3.0)
    buffer = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    picture.save(
        buffer,
        "JPEG",
        exif=exif,
        comment=b"secret de fabrication",
        icc_profile=srgb,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">auteur-secret</x:xmpmeta>',
    )
    return buffer.getvalue()


def test_exif_and_gps_are_stripped_from_the_original_and_every_rendition():
    data = _jpeg_with_gps_and_orientation()
    source = PILImage.open(io.BytesIO(data))
    assert source.getexif().get_ifd(0x8825)  # the test file really carries a position...
    assert "icc_profile" in source.info and b"auteur-secret" in data  # ...a colour profile and XMP
    image = image_upload(file=upload(data, "vacances.jpg"), alt="Une photo de vacances")
    for name in [image.file.name, *(item["name"] for item in image.renditions)]:
        with default_storage.open(name, "rb") as handle:
            raw = handle.read()
        stored = PILImage.open(io.BytesIO(raw))
        assert not stored.getexif(), name
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(stored.info), name
        assert b"Appareil de test" not in raw and b"secret de fabrication" not in raw, name
        assert b"auteur-secret" not in raw, name


def test_the_exif_orientation_is_applied():
    image = image_upload(file=upload(_jpeg_with_gps_and_orientation(), "portrait.jpg"), alt="Un portrait")
    assert (image.width, image.height) == (200, 400)
    original = _open(image.file.name).convert("RGB")
    top, bottom = original.getpixel((100, 20)), original.getpixel((100, 380))
    # Orientation 6: the left of the stored pixels (red) is the top of the upright picture.
    assert top[0] > 200 and top[2] < 120, top
    assert bottom[2] > 130 and bottom[0] < 120, bottom


def _refused(**kwargs) -> ImageRefused:
    with pytest.raises(ImageRefused) as refusal:
        image_upload(**kwargs)
    return refusal.value


def test_a_php_file_named_jpg_is_refused():
    php = b"<?php system($_GET['cmd']); ?>\n<html><body>coucou</body></html>"
    error = _refused(file=upload(php, "photo.jpg"), alt="Une photo")
    assert error.field == "file"
    assert "n'est pas une image lisible" in error.message
    assert not Image.objects.exists()


def test_an_html_file_named_png_is_refused():
    error = _refused(file=upload(b"<!doctype html><script>alert(1)</script>", "x.png"), alt="Une image")
    assert error.field == "file"


def test_a_truncated_file_is_refused_and_nothing_is_stored():
    data = picture_bytes((800, 600), "PNG")
    error = _refused(file=upload(data[: len(data) // 2], "coupee.png", "image/png"), alt="Une image coupée")
    assert error.field == "file"
    assert not Image.objects.exists()


def test_a_truncated_jpeg_is_refused():
    data = picture_bytes((800, 600), "JPEG")
    error = _refused(file=upload(data[: len(data) // 2], "coupee.jpg"), alt="Une image coupée")
    assert error.field == "file"


def _png_header_only(width: int, height: int) -> bytes:
    """A few hundred bytes announcing a huge picture: a decompression bomb's header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_too_many_pixels_is_refused_from_the_header_before_decoding(settings):
    settings.MEDIA_IMAGE_MAX_PIXELS = 1_000_000
    error = _refused(file=upload(_png_header_only(2000, 1000), "bombe.png", "image/png"), alt="Une bombe")
    assert error.field == "file"
    assert "trop grande" in error.message


def test_a_decompression_bomb_far_over_pillow_s_own_limit_is_refused():
    error = _refused(file=upload(_png_header_only(100_000, 100_000), "bombe.png", "image/png"), alt="Bombe")
    assert error.field == "file"
    assert "trop grande" in error.message


def test_a_file_too_heavy_is_refused(settings):
    settings.MEDIA_IMAGE_MAX_BYTES = 10_000
    data = picture_bytes((1500, 1500), "PNG", color=None) + b"\0" * 20_000
    error = _refused(file=upload(data, "lourde.png", "image/png"), alt="Une image lourde")
    assert error.field == "file"
    assert "limite" in error.message


def test_an_image_without_alt_text_is_refused():
    error = _refused(file=upload(picture_bytes()), alt="   ")
    assert error.field == "alt"
    assert "texte alternatif est obligatoire" in error.message
    assert not Image.objects.exists()


def test_an_unaccepted_image_type_is_refused():
    buffer = io.BytesIO()
    PILImage.new("RGB", (50, 50)).save(buffer, "BMP")
    error = _refused(file=upload(buffer.getvalue(), "image.bmp", "image/bmp"), alt="Une image")
    assert error.field == "file"


def test_deleting_an_image_deletes_its_files(django_capture_on_commit_callbacks):
    image = library_image()
    names = [image.file.name, *(item["name"] for item in image.renditions)]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        image_delete(image=image)
    assert not any(default_storage.exists(name) for name in names)
    assert not Image.objects.exists()


def test_each_upload_gets_names_of_its_own():
    first, second = library_image(name="meme.jpg"), library_image(name="meme.jpg")
    assert first.file.name != second.file.name
    assert not {item["name"] for item in first.renditions} & {item["name"] for item in second.renditions}


@pytest.mark.parametrize("fmt", ["WEBP", "AVIF"])
def test_webp_and_avif_uploads_are_accepted(fmt):
    if fmt == "AVIF" and not avif_supported():
        pytest.skip("this Pillow cannot write AVIF")
    data = picture_bytes((900, 600), fmt)
    image = image_upload(file=upload(data, f"photo.{fmt.lower()}", f"image/{fmt.lower()}"), alt="Une photo")
    assert image.original_format == fmt.lower()
    assert _open(image.file.name).format == fmt
    assert {item["width"] for item in image.renditions if item.get("kind") != "og"} == {480, 800, 900}


def test_a_truncated_jpeg_is_refused_even_once_weasyprint_is_loaded():
    # WeasyPrint (the PDFs) turns on Pillow's process-wide tolerance of truncated files when it is imported.
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    data = picture_bytes((800, 600), "JPEG")
    error = _refused(file=upload(data[: len(data) // 2], "coupee.jpg"), alt="Une image coupée")
    assert error.field == "file"
    # The PDFs keep the tolerance they asked for.
    assert ImageFile.LOAD_TRUNCATED_IMAGES
