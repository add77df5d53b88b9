"""The media library declares no personal data: who added an image is a staff member, and the link goes with
their account."""

from django.db import models

from frenchbot.media.models import Image
from frenchbot.privacy import registry


def test_the_uploader_is_said_not_personal_and_goes_with_the_account():
    assert registry.not_personal_models().get("media.Image.uploaded_by")
    assert registry.declaration_for("media.Image") is None
    field = Image._meta.get_field("uploaded_by")
    # What the reason says: deleting a staff account keeps the image and forgets who added it.
    assert field.null and field.remote_field.on_delete is models.SET_NULL
