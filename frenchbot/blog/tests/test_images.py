"""Library images in articles: the cover and the body's images as responsive <picture>, OpenGraph, the move of
the old covers into the library."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from PIL import Image as PILImage

from frenchbot.blog.rendering import article_body_html
from frenchbot.media.models import Image
from frenchbot.media.services import avif_supported
from frenchbot.media.tests.helpers import library_image, picture_bytes

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _pictures(page: str) -> list[str]:
    return re.findall(r"<picture>.*?</picture>", page, flags=re.S)


def test_the_cover_is_a_responsive_picture_fetched_first_with_an_opengraph_crop(client):
    cover = library_image(size=(1600, 900), alt="Une équipe devant un tableau blanc")
    article = ArticleFactory(cover=cover)
    page = client.get(article.get_absolute_url()).content.decode()
    picture = _pictures(page)[0]
    if avif_supported():
        assert '<source type="image/avif"' in picture
    assert '<source type="image/webp"' in picture
    assert re.search(r'srcset="[^"]*-480\.webp 480w, [^"]*-800\.webp 800w', picture)
    img = re.search(r"<img [^>]*>", picture).group(0)
    assert 'width="1600" height="900"' in img
    assert 'alt="Une équipe devant un tableau blanc"' in img
    assert 'loading="eager"' in img and 'fetchpriority="high"' in img
    assert 'sizes="(min-width: 48rem) 45rem, 100vw"' in img
    og = re.search(r'<meta property="og:image" content="([^"]+)">', page).group(1)
    assert og.startswith("http://testserver/media/library/") and og.endswith("-og.jpg")
    served = Client().get(og.removeprefix("http://testserver"))
    assert PILImage.open(io.BytesIO(b"".join(served.streaming_content))).size == (1200, 630)


def test_cards_show_the_cover_as_decoration_lazily(client):
    ArticleFactory(cover=library_image(alt="Une description que la carte n'a pas à lire"))
    page = client.get("/blog/").content.decode()
    img = re.search(r'<img [^>]*class="card__image"[^>]*>', page).group(0)
    assert 'alt=""' in img and 'loading="lazy"' in img


def test_body_images_from_the_library_become_pictures_the_first_one_first(client):
    images = [library_image(alt=f"Schéma {n}") for n in range(3)]
    body = "Une phrase d'introduction.\n\n" + "\n\n".join(
        f"![Étape {n} du schéma]({image.file.url})\n\nUn paragraphe." for n, image in enumerate(images)
    )
    article = ArticleFactory(body=body)
    page = client.get(article.get_absolute_url()).content.decode()
    pictures = _pictures(page)
    assert len(pictures) == 3
    loadings = [re.search(r'loading="(\w+)"', picture).group(1) for picture in pictures]
    assert loadings == ["eager", "lazy", "lazy"]
    assert 'fetchpriority="high"' in pictures[0] and "fetchpriority" not in pictures[1]
    # The writer's alt text wins over the library's.
    assert 'alt="Étape 0 du schéma"' in pictures[0]
    assert all('decoding="async"' in picture and "width=" in picture for picture in pictures)


def test_with_a_cover_no_body_image_is_fetched_first():
    image = library_image()
    html = article_body_html(f"![Un schéma]({image.file.url})", has_cover=True)
    assert 'loading="lazy"' in html and "fetchpriority" not in html


def test_images_from_elsewhere_or_removed_stay_plain_lazy_images():
    image = library_image()
    url = image.file.url
    image.delete()
    html = article_body_html(f"![Disparue]({url})\n\n![Ailleurs](https://exemple.fr/a.png)")
    assert "<picture>" not in html
    assert html.count('loading="lazy"') == 2
    assert f'<img src="{url}" alt="Disparue" loading="lazy" decoding="async">' in html


def test_alt_and_title_are_escaped_in_the_inserted_markup():
    image = library_image()
    html = article_body_html(f'![Un "alt" <b>gras</b>]({image.file.url} "Titre <script>")')
    assert "<script" not in html and "<b>" not in html
    assert (
        'alt="Un &quot;alt&quot; gras"' in html or 'alt="Un &quot;alt&quot; &lt;b&gt;gras&lt;/b&gt;"' in html
    )
    assert 'title="Titre &lt;script&gt;"' in html


def test_a_javascript_address_never_becomes_an_image():
    html = article_body_html("![x](javascript:alert(1))\n\n![y](data:image/svg+xml;base64,PHN2Zz4=)")
    assert "<img" not in html and "<picture" not in html


def test_a_rendition_address_pasted_by_hand_is_recognised():
    image = library_image()
    rendition = next(item for item in image.renditions if item["format"] == "webp")
    html = article_body_html(f"![Collée](/media/{rendition['name']})")
    assert "<picture>" in html


# --- Migration 0003: old covers into the library -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_old_covers_move_into_the_library():
    executor = MigrationExecutor(connection)
    before = [("blog", "0002_article_cover_articlerevision_authorprofile"), ("media", "0001_initial")]
    after = [("blog", "0003_cover_image_into_library")]
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        OldArticle = old.get_model("blog", "Article")
        Category = old.get_model("blog", "Category")
        User = old.get_model("accounts", "User") if _custom_user(old) else old.get_model("auth", "User")
        author = User.objects.create(username="ancienne")
        category = Category.objects.create(name="Ancienne", slug="ancienne")
        default_storage.save("blog/covers/2026/ancienne.png", ContentFile(picture_bytes((900, 500), "PNG")))
        default_storage.save("blog/covers/2026/fausse.jpg", ContentFile(b"<?php ?>"))
        common = {"category": category, "author": author, "body": "Texte.", "status": "draft"}
        OldArticle.objects.create(
            title="Avec couverture",
            slug="avec",
            cover_image="blog/covers/2026/ancienne.png",
            cover_alt="Un robot",
            **common,
        )
        OldArticle.objects.create(
            title="Sans alt", slug="sans-alt", cover_image="blog/covers/2026/ancienne.png", **common
        )
        OldArticle.objects.create(
            title="Fausse", slug="fausse", cover_image="blog/covers/2026/fausse.jpg", **common
        )
        OldArticle.objects.create(
            title="Absente", slug="absente", cover_image="blog/covers/2026/nulle.jpg", **common
        )
        OldArticle.objects.create(title="Rien", slug="rien", **common)

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        NewArticle = new.get_model("blog", "Article")
        covers = dict(NewArticle.objects.values_list("slug", "cover__alt"))
        assert covers == {
            "avec": "Un robot",
            "sans-alt": "Sans alt",
            "fausse": None,
            "absente": None,
            "rien": None,
        }
        image = Image.objects.get(alt="Un robot")
        assert image.width == 900 and image.renditions
        assert default_storage.exists(image.file.name)
        assert "cover_image" not in {field.name for field in NewArticle._meta.get_fields()}
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _custom_user(apps) -> bool:
    try:
        apps.get_model("accounts", "User")
    except LookupError:
        return False
    return True


# --- Demo illustrations ------------------------------------------------------------------------------------


def test_the_demo_imports_its_illustrations_once_and_uses_them(client):
    from frenchbot.blog.demo import demo_load, demo_remove
    from frenchbot.blog.demo.pictures import IMAGES_DIR, demo_images_read

    items = demo_images_read()
    assert 3 <= len(items) <= 4
    assert all((IMAGES_DIR / item["file"]).stat().st_size <= 120 * 1024 for item in items)
    demo_load()
    assert Image.objects.count() == len(items)
    assert all("\u00a0:" in image.alt or ":" not in image.alt for image in Image.objects.all())
    from frenchbot.blog.models import Article

    assert 2 <= Article.objects.filter(cover__isnull=False).count() <= 3
    article = Article.objects.get(slug="base-de-connaissances-assistant-ia-interne")
    page = client.get(article.get_absolute_url()).content.decode()
    body_pictures = _pictures(article.body_html)
    assert len(body_pictures) == 3
    assert all(picture in page for picture in body_pictures)
    assert "image:" not in article.body_html
    demo_load()
    assert Image.objects.count() == len(items)
    demo_remove()
    assert not Image.objects.exists()


def test_deleting_a_library_image_leaves_no_article_showing_its_removed_files(
    client, django_capture_on_commit_callbacks
):
    image = library_image(alt="Un schéma")
    kept = library_image(alt="Un autre schéma")
    article = ArticleFactory(body=f"![Le schéma]({image.file.url})\n\n![L'autre]({kept.file.url})")
    assert len(_pictures(client.get(article.get_absolute_url()).content.decode())) == 2
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    page = client.get(article.get_absolute_url()).content.decode()
    # The reader sees the writer's alternative text where the image was, and the other image as before.
    assert len(_pictures(page)) == 1
    assert 'alt="Le schéma"' in page and "<picture>" in page
