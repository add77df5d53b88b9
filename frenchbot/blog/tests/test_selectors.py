import pytest
from django.utils import timezone

from frenchbot.blog import selectors
from frenchbot.blog.models import Article, Comment

from .factories import ArticleFactory, CategoryFactory, CommentFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_only_published_and_due_articles_are_listed():
    visible = ArticleFactory()
    due = ArticleFactory(
        status=Article.Status.SCHEDULED, published_at=timezone.now() - timezone.timedelta(minutes=1)
    )
    ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(status=Article.Status.SCHEDULED, published_at=timezone.now() + timezone.timedelta(days=1))
    ArticleFactory(status=Article.Status.PUBLISHED, published_at=timezone.now() + timezone.timedelta(days=1))
    assert set(selectors.article_list()) == {visible, due}


def test_newest_first():
    old = ArticleFactory(published_at=timezone.now() - timezone.timedelta(days=10))
    new = ArticleFactory(published_at=timezone.now() - timezone.timedelta(days=1))
    assert list(selectors.article_list()) == [new, old]


def test_draft_is_not_found_by_slug():
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    assert selectors.article_get_public(slug=draft.slug) is None


def test_related_prefers_shared_tags_then_category():
    prompt, rgpd = TagFactory(name="Prompt"), TagFactory(name="RGPD")
    category = CategoryFactory()
    article = ArticleFactory(category=category, tags=[prompt, rgpd])
    both = ArticleFactory(tags=[prompt, rgpd], published_at=timezone.now() - timezone.timedelta(days=5))
    one = ArticleFactory(tags=[prompt], published_at=timezone.now() - timezone.timedelta(days=2))
    same_category = ArticleFactory(category=category)
    ArticleFactory()  # unrelated
    ArticleFactory(tags=[prompt], status=Article.Status.DRAFT, published_at=None)
    assert selectors.article_related(article=article) == [both, one, same_category]


def test_comment_tree_shows_approved_comments_and_replies_only():
    article = ArticleFactory()
    top = CommentFactory(article=article)
    CommentFactory(article=article, parent=top)
    CommentFactory(article=article, parent=top, status=Comment.Status.PENDING)
    CommentFactory(article=article, status=Comment.Status.SPAM)
    CommentFactory(article=article, status=Comment.Status.TRASH)
    tree = selectors.comment_tree(article=article)
    assert tree == [top]
    assert len(tree[0].approved_replies) == 1
    assert selectors.comment_count(article=article) == 2


def test_comments_open_window(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 10
    article = ArticleFactory(published_at=timezone.now() - timezone.timedelta(days=9))
    assert selectors.comments_are_open(article=article)
    assert not selectors.comments_are_open(article=article, now=timezone.now() + timezone.timedelta(days=2))
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    assert selectors.comments_are_open(article=article, now=timezone.now() + timezone.timedelta(days=900))
    article.comments_enabled = False
    assert not selectors.comments_are_open(article=article)


def test_cached_page_data_follows_moderation(settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_SECONDS = 300
    from frenchbot.blog import services

    article = ArticleFactory()
    pending = CommentFactory(article=article, status=Comment.Status.PENDING)
    assert selectors.article_page_data(article=article)["comments"] == []
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_moderate(
            comments=Comment.objects.filter(pk=pending.pk), status=Comment.Status.APPROVED
        )
    assert selectors.article_page_data(article=article)["comments"] == [pending]
