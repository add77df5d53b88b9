"""Public media served by the app from the storage, here the local folder (STORAGE_BACKEND=local, the default)."""

import pytest
from django.test import Client


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    (root / "blog" / "covers").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("hors du dossier")
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def test_a_cover_in_the_media_folder_is_served_with_its_type(media_root):
    (media_root / "blog" / "covers" / "robot.png").write_bytes(b"\x89PNG image")
    response = Client().get("/media/blog/covers/robot.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG image"
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "public" in response["Cache-Control"]
    assert Client().head("/media/blog/covers/robot.png").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/blog/covers/absente.png",
        "/media/blog/covers/",
        "/media/",
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
    ],
)
def test_what_is_not_a_media_file_is_a_404(media_root, path):
    response = Client().get(path)
    assert response.status_code in {400, 404}
    assert b"hors du dossier" not in response.content


def test_an_uploaded_page_is_never_run_by_the_browser(media_root):
    (media_root / "page.html").write_text("<script>alert(1)</script>")
    response = Client().get("/media/page.html")
    assert "sandbox" in response["Content-Security-Policy"]
    assert Client().post("/media/page.html").status_code == 405


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("", "/media/blog/covers/robot%20bleu.png"),
        ("https://cdn.exemple.fr/", "https://cdn.exemple.fr/media/blog/covers/robot%20bleu.png"),
    ],
)
def test_a_cover_in_the_bucket_keeps_an_address_that_never_expires(public_url, expected):
    """Pages kept by the page cache show it: no signature, no expiry, the same address every time."""
    from frenchbot.core.storage import MediaS3Storage, s3_storages

    options = s3_storages(
        endpoint_url="http://127.0.0.1:9", bucket="frenchbot", access_key="k", secret_key="s"
    )
    storage = MediaS3Storage(**{**options["default"]["OPTIONS"], "public_url": public_url})
    assert storage.url("blog/covers/robot bleu.png") == expected


def test_a_library_rendition_is_kept_by_browsers_for_a_year_and_other_uploads_for_a_day(media_root):
    (media_root / "library" / "2026" / "12").mkdir(parents=True)
    (media_root / "library" / "2026" / "12" / "robot-a1b2c3-800.webp").write_bytes(b"RIFF....WEBP")
    (media_root / "blog" / "covers" / "robot.png").write_bytes(b"\x89PNG image")
    library = Client().get("/media/library/2026/12/robot-a1b2c3-800.webp")
    other = Client().get("/media/blog/covers/robot.png")
    assert library["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in other["Cache-Control"]
