"""The media library in the admin and the editor's upload endpoint: who may upload, what comes back."""

import html
import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage

from frenchbot.media.models import Image

from .helpers import library_image, picture_bytes, upload

pytestmark = pytest.mark.django_db

URL = "/admin/media/image/upload/"


@pytest.fixture
def editor(django_user_model):
    """A staff member who may add images (and nothing else)."""
    user = django_user_model.objects.create_user("redactrice", "redactrice@example.fr", "motdepasse-s0lide")
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="add_image"))
    client = Client()
    client.force_login(user)
    return client


def test_the_route_is_the_one_the_body_textarea_names():
    assert reverse("admin:media_image_upload") == URL


def test_an_upload_returns_its_markdown_and_lands_in_the_library(editor):
    response = editor.post(
        URL, {"file": upload(picture_bytes((900, 600)), "Schéma [v2].jpg"), "alt": "Un schéma"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    image = Image.objects.get()
    assert body["id"] == image.pk
    assert body["url"] == image.file.url
    assert body["markdown"] == f"![Un schéma]({image.file.url})"
    assert image.uploaded_by.username == "redactrice"
    assert Client().get(body["url"]).status_code == 200


def test_brackets_in_the_alt_text_do_not_break_the_markdown(editor):
    response = editor.post(URL, {"file": upload(picture_bytes()), "alt": "Le bouton [Envoyer]"})
    assert response.json()["markdown"].startswith("![Le bouton \\[Envoyer\\]](")


def test_a_refused_file_answers_400_in_french_naming_the_field(editor):
    response = editor.post(URL, {"file": upload(b"<?php echo 1; ?>", "photo.jpg"), "alt": "Une photo"})
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    assert "n'est pas une image lisible" in response.json()["detail"]
    response = editor.post(URL, {"file": upload(picture_bytes()), "alt": ""})
    assert response.status_code == 400
    assert response.json()["field"] == "alt"
    response = editor.post(URL, {"alt": "Sans fichier"})
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    assert not Image.objects.exists()


def test_anonymous_visitors_cannot_upload(client):
    response = client.post(URL, {"file": upload(picture_bytes()), "alt": "Une photo"})
    assert response.status_code == 403
    assert "reconnectez-vous" in response.json()["detail"]
    assert not Image.objects.exists()


def test_staff_without_the_permission_cannot_upload(django_user_model):
    user = django_user_model.objects.create_user("stagiaire", "stagiaire@example.fr", "motdepasse-s0lide")
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    response = client.post(URL, {"file": upload(picture_bytes()), "alt": "Une photo"})
    assert response.status_code == 403
    assert "droit" in response.json()["detail"]
    assert not Image.objects.exists()


def test_an_upload_without_the_csrf_token_is_refused(django_user_model):
    user = django_user_model.objects.create_superuser("cheffe", "cheffe@example.fr", "motdepasse-s0lide")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(URL, {"file": upload(picture_bytes()), "alt": "Une photo"})
    assert response.status_code == 403
    assert not Image.objects.exists()
    # With the token (as uploader.js sends it, in a header), the same upload goes through.
    client.get(reverse("admin:media_image_add"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        URL, {"file": upload(picture_bytes()), "alt": "Une photo"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


def test_uploads_are_rate_limited(editor, settings):
    settings.MEDIA_UPLOAD_RATE_LIMIT = 2
    statuses = [
        editor.post(URL, {"file": upload(picture_bytes((100, 100))), "alt": "Une photo"}).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    assert Image.objects.count() == 2


def test_a_get_is_not_an_upload(editor):
    assert editor.get(URL).status_code == 405


@pytest.fixture
def superuser_client(django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.fr", "motdepasse-s0lide")
    client = Client()
    client.force_login(user)
    return client


def test_the_library_lists_thumbnails_sizes_and_dimensions(superuser_client):
    library_image(size=(1000, 700), alt="Un carré rouge sur fond blanc")
    page = superuser_client.get(reverse("admin:media_image_changelist")).content.decode()
    assert "Un carré rouge sur fond blanc" in page
    assert "1000\u00a0×\u00a0700\u00a0px" in page
    assert "-480.jpg" in page  # the thumbnail is the narrowest copy, not the original
    found = superuser_client.get(reverse("admin:media_image_changelist"), {"q": "carré"}).content.decode()
    assert "Un carré rouge" in found


def test_the_add_form_requires_alt_text_and_keeps_what_was_typed(superuser_client):
    response = superuser_client.post(
        reverse("admin:media_image_add"), {"upload": upload(picture_bytes()), "alt": "", "title": "Mon titre"}
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert 'value="Mon titre"' in response.content.decode()
    assert not Image.objects.exists()


def test_the_add_form_refuses_a_fake_image_next_to_the_file(superuser_client):
    response = superuser_client.post(
        reverse("admin:media_image_add"), {"upload": upload(b"<?php ?>", "x.jpg"), "alt": "Une photo"}
    )
    assert response.status_code == 200
    assert "n'est pas une image lisible" in html.unescape(response.content.decode())
    assert not Image.objects.exists()


def test_the_add_form_stores_a_cleaned_image_with_renditions(superuser_client):
    response = superuser_client.post(
        reverse("admin:media_image_add"),
        {
            "upload": upload(picture_bytes((1300, 700))),
            "alt": "Une bannière",
            "title": "",
            "credit": "Équipe",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    image = Image.objects.get()
    assert (image.alt, image.credit, image.width) == ("Une bannière", "Équipe", 1300)
    assert len(image.renditions) > 3
    assert image.uploaded_by.username == "admin"
    change = superuser_client.get(reverse("admin:media_image_change", args=[image.pk]))
    assert change.status_code == 200


def test_deleting_from_the_admin_removes_the_files(superuser_client, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    image = library_image()
    names = [image.file.name, *(item["name"] for item in image.renditions)]
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse("admin:media_image_delete", args=[image.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not any(default_storage.exists(name) for name in names)


def test_a_png_image_uploaded_is_read_back_as_a_png(editor):
    data = picture_bytes((300, 300), "PNG")
    response = editor.post(URL, {"file": upload(data, "carre.png", "image/png"), "alt": "Un carré"})
    served = Client().get(response.json()["url"])
    assert PILImage.open(io.BytesIO(b"".join(served.streaming_content))).format == "PNG"
