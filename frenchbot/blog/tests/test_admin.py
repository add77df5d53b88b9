import pytest
from django.urls import reverse

from frenchbot.blog.models import Article, Comment

from .factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "moderatrice", "moderatrice@example.fr", "motdepasse-solide"
    )
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("mark_spam", "spam"), ("move_to_trash", "trash"), ("mark_pending", "pending")],
)
def test_bulk_moderation_from_the_changelist(staff_client, action, status):
    start = "approved" if status == "pending" else "pending"
    comments = CommentFactory.create_batch(3, status=start)
    untouched = CommentFactory(status=start)
    response = staff_client.post(
        reverse("admin:blog_comment_changelist"),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )
    assert response.status_code == 200
    assert "3 commentaires" in response.content.decode()
    assert set(Comment.objects.filter(pk__in=[c.pk for c in comments]).values_list("status", flat=True)) == {
        status
    }
    untouched.refresh_from_db()
    assert untouched.status == start


def test_pending_queue_filter(staff_client):
    CommentFactory(status="pending", body="À relire")
    CommentFactory(status="approved", body="Déjà en ligne")
    html = staff_client.get(
        reverse("admin:blog_comment_changelist") + "?status__exact=pending"
    ).content.decode()
    assert "À relire" in html
    assert "Déjà en ligne" not in html


def test_publish_and_unpublish_actions(staff_client):
    from django.test import Client

    visitor = Client()
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    url = reverse("admin:blog_article_changelist")
    staff_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert visitor.get(draft.get_absolute_url()).status_code == 200
    staff_client.post(url, {"action": "make_draft", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert visitor.get(draft.get_absolute_url()).status_code == 404


def test_staff_writes_an_article_in_markdown(staff_client, django_user_model):
    from .factories import CategoryFactory

    category = CategoryFactory()
    author = django_user_model.objects.get(username="moderatrice")
    response = staff_client.post(
        reverse("admin:blog_article_add"),
        {
            "title": "Mon premier article",
            "slug": "mon-premier-article",
            "excerpt": "Un chapeau.",
            "body": "## Intro\n\nDu **gras** et <script>alert(1)</script>.",
            "category": category.pk,
            "author": author.pk,
            "status": "published",
            "published_at_0": "27/11/2026",
            "published_at_1": "09:00:00",
            "comments_enabled": "on",
            "seo_title": "",
            "seo_description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="mon-premier-article")
    assert "<strong>gras</strong>" in article.body_html
    assert "<script" not in article.body_html


def test_visitors_cannot_reach_the_admin(client):
    comment = CommentFactory()
    response = client.get(reverse("admin:blog_comment_change", args=[comment.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_scheduled_article_needs_a_date(staff_client, django_user_model):
    from .factories import CategoryFactory

    category = CategoryFactory()
    author = django_user_model.objects.get(username="moderatrice")
    response = staff_client.post(
        reverse("admin:blog_article_add"),
        {
            "title": "Plus tard",
            "slug": "plus-tard",
            "body": "Texte",
            "category": category.pk,
            "author": author.pk,
            "status": "scheduled",
            "published_at_0": "",
            "published_at_1": "",
        },
    )
    assert response.status_code == 200
    assert "Indiquez la date à laquelle l" in response.content.decode()
    assert not Article.objects.filter(slug="plus-tard").exists()
