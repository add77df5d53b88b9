"""The writer's desk: live preview and autosave endpoints of the article admin."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from frenchbot.blog.models import Article, ArticleRevision

from .factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

BODY = "# Titre\n\nDu **gras**, un [lien](https://example.fr) et du code :\n\n```python\nprint('ok')\n```\n"


@pytest.fixture
def writer(django_user_model):
    return django_user_model.objects.create_superuser(
        "redactrice", "redactrice@example.fr", "motdepasse-solide"
    )


@pytest.fixture
def writer_client(writer):
    client = Client()
    client.force_login(writer)
    return client


def _preview(client, body, **extra):
    return client.post(reverse("admin:blog_article_preview"), {"body": body}, **extra)


def test_preview_renders_what_the_site_will_show(writer_client):
    response = _preview(writer_client, BODY)
    assert response.status_code == 200
    html = response.json()["html"]
    article = ArticleFactory(body=BODY)
    assert article.body_html.strip() in html
    assert '<h2 id="titre">Titre</h2>' in html
    assert '<span class="nb">print</span>' in html


def _elements(html: str) -> list[tuple[str, dict]]:
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collect().feed(html)
    return found


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[clic](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "![image](javascript:alert(1))",
    ],
)
def test_preview_escapes_raw_html_and_javascript_links(writer_client, body):
    html = _preview(writer_client, body).json()["html"]
    elements = _elements(html)
    assert "script" not in {tag for tag, _ in elements}
    for _tag, attrs in elements:
        assert not any(name.startswith("on") for name in attrs)
        assert not any((value or "").strip().lower().startswith("javascript") for value in attrs.values())
    # What the writer typed is still visible, as text.
    assert html.strip()


def test_preview_refuses_visitors_and_staff_without_permission(client, django_user_model):
    response = _preview(client, BODY)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    staff = django_user_model.objects.create_user(
        "stagiaire", "s@example.fr", "motdepasse-solide", is_staff=True
    )
    client.force_login(staff)
    assert _preview(client, BODY).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="add_article"))
    assert _preview(client, BODY).status_code == 200


def test_preview_needs_csrf_and_post(writer):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(writer)
    assert _preview(strict, BODY).status_code == 403
    relaxed = Client()
    relaxed.force_login(writer)
    assert relaxed.get(reverse("admin:blog_article_preview")).status_code == 405


def test_preview_caps_the_body_size(writer_client, settings):
    settings.BLOG_EDITOR_MAX_CHARS = 100
    response = _preview(writer_client, "a" * 101)
    assert response.status_code == 413
    assert "trop long" in response.json()["error"]


def test_preview_is_rate_limited(writer_client, settings):
    settings.BLOG_EDITOR_RATE_LIMIT = 2
    assert _preview(writer_client, "a").status_code == 200
    assert _preview(writer_client, "a").status_code == 200
    response = _preview(writer_client, "a")
    assert response.status_code == 429
    assert "Trop de demandes" in response.json()["error"]


def _autosave(client, article, **fields):
    data = {"title": article.title, "excerpt": article.excerpt, "body": article.body, **fields}
    return client.post(reverse("admin:blog_article_autosave", args=[article.pk]), data)


def test_autosave_keeps_one_rolling_row_and_never_touches_the_article(writer_client, writer):
    article = ArticleFactory(body="Texte publié.")
    first = _autosave(writer_client, article, body="Premier jet")
    assert first.status_code == 200
    assert first.json()["status"].startswith("Brouillon enregistré à ")
    _autosave(writer_client, article, body="Deuxième jet", title="Nouveau titre")
    autosaves = ArticleRevision.objects.filter(article=article, kind=ArticleRevision.Kind.AUTOSAVE)
    assert autosaves.count() == 1
    assert autosaves.get().body == "Deuxième jet"
    assert autosaves.get().title == "Nouveau titre"
    assert autosaves.get().author == writer
    article.refresh_from_db()
    assert article.body == "Texte publié."
    assert "Deuxième jet" not in article.body_html


def test_each_writer_has_their_own_autosave(writer_client, django_user_model):
    article = ArticleFactory()
    other = django_user_model.objects.create_superuser("autre", "autre@example.fr", "motdepasse-solide")
    other_client = Client()
    other_client.force_login(other)
    _autosave(writer_client, article, body="Le mien")
    _autosave(other_client, article, body="Le sien")
    assert sorted(
        ArticleRevision.objects.filter(kind=ArticleRevision.Kind.AUTOSAVE).values_list("body", flat=True)
    ) == ["Le mien", "Le sien"]


def test_autosave_needs_change_permission(client, django_user_model):
    article = ArticleFactory()
    staff = django_user_model.objects.create_user(
        "lecteur", "l@example.fr", "motdepasse-solide", is_staff=True
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(staff)
    assert _autosave(client, article, body="Intrus").status_code == 403
    assert not ArticleRevision.objects.exists()


def test_change_form_offers_a_newer_autosave(writer_client):
    article = ArticleFactory(body="Version enregistrée")
    url = reverse("admin:blog_article_change", args=[article.pk])
    page = writer_client.get(url).content.decode()
    assert json.loads(_config(page))["pending"] is None
    _autosave(writer_client, article, body="Version <b>en cours</b>")
    page = writer_client.get(url).content.decode()
    config = json.loads(_config(page))
    assert config["pending"]["body"] == "Version <b>en cours</b>"
    assert config["autosaveUrl"] == reverse("admin:blog_article_autosave", args=[article.pk])
    # json_script escapes what could close the script element.
    assert "<b>en cours" not in page
    assert "Restaurer le brouillon enregistré automatiquement" in page
    assert reverse("admin:blog_article_revisions", args=[article.pk]) in page


def test_add_form_keeps_its_draft_in_the_browser(writer_client):
    page = writer_client.get(reverse("admin:blog_article_add")).content.decode()
    config = json.loads(_config(page))
    assert config["autosaveUrl"] == ""
    assert config["storageKey"].startswith("fb-article-draft-new-")
    assert config["previewUrl"] == reverse("admin:blog_article_preview")


def test_saving_the_article_drops_the_autosave(writer_client):
    article = ArticleFactory()
    _autosave(writer_client, article, body="Brouillon")
    data = {
        "title": article.title,
        "slug": article.slug,
        "excerpt": article.excerpt,
        "body": "Brouillon",
        "category": CategoryFactory().pk,
        "author": article.author_id,
        "status": Article.Status.DRAFT,
        "comments_enabled": "on",
    }
    response = writer_client.post(reverse("admin:blog_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not ArticleRevision.objects.filter(kind=ArticleRevision.Kind.AUTOSAVE).exists()


def _config(page: str) -> str:
    start = page.index('id="article-editor-config"')
    start = page.index(">", start) + 1
    return page[start : page.index("</script>", start)]
