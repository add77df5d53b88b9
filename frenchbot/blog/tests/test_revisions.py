"""Revisions of an article: kept at each admin save, compared (escaped), restored, trimmed."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from frenchbot.blog import services
from frenchbot.blog.models import Article, ArticleRevision
from frenchbot.blog.selectors import text_diff

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(django_user_model):
    return django_user_model.objects.create_superuser(
        "redacteur", "redacteur@example.fr", "motdepasse-solide"
    )


@pytest.fixture
def writer_client(writer):
    client = Client()
    client.force_login(writer)
    return client


def _save_in_admin(client, article, **changes):
    data = {
        "title": article.title,
        "slug": article.slug,
        "excerpt": article.excerpt,
        "body": article.body,
        "category": article.category_id,
        "author": article.author_id,
        "status": article.status,
        "published_at_0": "",
        "published_at_1": "",
        "comments_enabled": "on",
        **changes,
    }
    if article.published_at:
        from django.utils import timezone

        local = timezone.localtime(article.published_at)
        data["published_at_0"] = local.strftime("%d/%m/%Y")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    response = client.post(reverse("admin:blog_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_each_admin_save_keeps_a_revision(writer_client, writer):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    _save_in_admin(writer_client, article, body="Version un")
    _save_in_admin(writer_client, article, body="Version deux", title="Titre revu")
    revisions = list(ArticleRevision.objects.filter(article=article).order_by("created_at", "id"))
    assert [r.body for r in revisions] == ["Version un", "Version deux"]
    assert revisions[-1].title == "Titre revu"
    assert {r.kind for r in revisions} == {ArticleRevision.Kind.SAVE}
    assert revisions[0].author == writer


def test_revisions_page_lists_and_compares_escaped(writer_client, writer):
    article = ArticleFactory(body="Ligne commune\nAncienne phrase ici")
    services.article_revision_record(article=article, user=writer)
    article.body = "Ligne commune\nNouvelle phrase <script>alert(1)</script> ici"
    article.save()
    old = ArticleRevision.objects.get(article=article)
    url = reverse("admin:blog_article_revisions", args=[article.pk])
    page = writer_client.get(url).content.decode()
    assert "Enregistrement" in page
    assert "Restaurer cette révision" in page
    page = writer_client.get(url, {"a": old.pk, "b": "current"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    # Word-level marks: the changed word is marked on each side, the shared words are not.
    assert "<del>Ancienne</del>" in page
    assert "<ins>Nouvelle</ins>" in page
    assert "<del>ici</del>" not in page


def test_text_diff_pairs_lines_and_marks_words():
    rows = text_diff("a\nle chat dort\nc", "a\nle chien dort\nc\nd")
    kinds = [(row.old.kind, row.new.kind) for row in rows]
    assert kinds == [("equal", "equal"), ("replace", "replace"), ("equal", "equal"), ("empty", "insert")]
    assert ("chat", True) in rows[1].old.segments
    assert ("chien", True) in rows[1].new.segments
    assert ("le ", False) in rows[1].old.segments


def test_restore_puts_the_text_back_and_records_it(writer_client, writer):
    article = ArticleFactory(title="Premier titre", body="## Avant\n\nAncien texte.")
    services.article_revision_record(article=article, user=writer)
    old = ArticleRevision.objects.get(article=article)
    article.title, article.body = "Second titre", "## Après\n\nNouveau texte."
    article.save()
    url = reverse("admin:blog_article_revision_restore", args=[article.pk, old.pk])
    confirm = writer_client.get(url)
    assert confirm.status_code == 200
    assert "Oui, restaurer cette révision" in confirm.content.decode()
    article.refresh_from_db()
    assert article.title == "Second titre"  # a GET changes nothing
    response = writer_client.post(url)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Premier titre"
    assert '<h2 id="avant">Avant</h2>' in article.body_html
    restore = ArticleRevision.objects.filter(article=article, kind=ArticleRevision.Kind.RESTORE).get()
    assert restore.body == "## Avant\n\nAncien texte."
    assert restore.author == writer


def test_restored_text_reaches_the_public_page(
    writer_client, writer, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 300
    article = ArticleFactory(body="Texte premier.")
    services.article_revision_record(article=article, user=writer)
    old = ArticleRevision.objects.get(article=article)
    article.body = "Texte modifié."
    article.save()
    visitor = Client()
    assert "Texte modifié." in visitor.get(article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        writer_client.post(reverse("admin:blog_article_revision_restore", args=[article.pk, old.pk]))
    page = visitor.get(article.get_absolute_url()).content.decode()
    assert "Texte premier." in page
    assert "Texte modifié." not in page


def test_only_the_last_n_revisions_are_kept(writer, settings):
    settings.BLOG_REVISIONS_KEEP = 3
    article = ArticleFactory()
    services.article_autosave(article=article, user=writer, title="t", excerpt="", body="brouillon")
    for number in range(5):
        article.body = f"Version {number}"
        article.save()
        services.article_revision_record(article=article, user=None)
    kept = ArticleRevision.objects.filter(article=article).exclude(kind=ArticleRevision.Kind.AUTOSAVE)
    assert sorted(kept.values_list("body", flat=True)) == ["Version 2", "Version 3", "Version 4"]


def test_revisions_need_change_permission(client, django_user_model, writer):
    article = ArticleFactory()
    services.article_revision_record(article=article, user=writer)
    revision = ArticleRevision.objects.get()
    staff = django_user_model.objects.create_user(
        "lecteur", "l@example.fr", "motdepasse-solide", is_staff=True
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(staff)
    assert client.get(reverse("admin:blog_article_revisions", args=[article.pk])).status_code == 403
    url = reverse("admin:blog_article_revision_restore", args=[article.pk, revision.pk])
    assert client.post(url).status_code == 403


def test_restore_needs_csrf(writer):
    article = ArticleFactory()
    services.article_revision_record(article=article, user=writer)
    revision = ArticleRevision.objects.get()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(writer)
    url = reverse("admin:blog_article_revision_restore", args=[article.pk, revision.pk])
    assert strict.post(url).status_code == 403


def test_a_revision_of_another_article_is_not_found(writer_client, writer):
    article, other = ArticleFactory(), ArticleFactory()
    services.article_revision_record(article=other, user=writer)
    revision = ArticleRevision.objects.get()
    url = reverse("admin:blog_article_revision_restore", args=[article.pk, revision.pk])
    assert writer_client.post(url).status_code == 404
