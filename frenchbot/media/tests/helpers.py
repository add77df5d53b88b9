"""Pictures made on the spot for the tests (Pillow), and a library image ready to use."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage


def picture_bytes(size=(1000, 700), fmt="JPEG", color=(230, 57, 70), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    PILImage.new(mode, size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def library_image(*, size=(1000, 700), alt="Un carré rouge sur fond blanc", name="carre.jpg", **kwargs):
    from frenchbot.media.services import image_upload

    return image_upload(file=upload(picture_bytes(size), name=name), alt=alt, **kwargs)
