"""The blog keeps the search index current: published articles are found, drafts never."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from frenchbot.blog.models import Article
from frenchbot.retrieval.models import Document
from frenchbot.retrieval.selectors import search

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

BODY = "## Le rôle\n\nDonnez un rôle précis à l'assistant conversationnel."


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a save schedules after commit (the indexing task), as a real commit would."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def test_a_published_article_is_found_at_its_heading(committed):
    article = committed(lambda: ArticleFactory(title="Écrire un bon prompt", body=BODY))
    hits = search(query="quel rôle donner à l'assistant ?")
    assert hits[0].url == f"{article.get_absolute_url()}#le-role"
    assert hits[0].title == "Écrire un bon prompt"


def test_drafts_are_never_found_and_unpublishing_removes(committed):
    draft = committed(lambda: ArticleFactory(body=BODY, status=Article.Status.DRAFT, published_at=None))
    assert search(query="rôle assistant") == []
    draft.status = Article.Status.PUBLISHED
    committed(draft.save)
    assert len(search(query="rôle assistant")) == 1
    draft.status = Article.Status.DRAFT
    committed(draft.save)
    assert search(query="rôle assistant") == []
    assert not Document.objects.exists()


def test_a_scheduled_article_is_found_only_from_its_date(committed):
    date = timezone.now() + timezone.timedelta(hours=2)
    committed(lambda: ArticleFactory(body=BODY, status=Article.Status.SCHEDULED, published_at=date))
    assert search(query="rôle assistant") == []
    with mock.patch(
        "frenchbot.retrieval.selectors.timezone.now", return_value=date + timezone.timedelta(minutes=1)
    ):
        assert len(search(query="rôle assistant")) == 1


def test_a_deleted_article_is_gone(committed):
    article = committed(lambda: ArticleFactory(body=BODY))
    committed(article.delete)
    assert search(query="rôle assistant") == []


def test_edits_reach_the_index(committed):
    article = committed(lambda: ArticleFactory(body=BODY))
    article.body = "## Le format\n\nDemandez un tableau à trois colonnes."
    committed(article.save)
    assert search(query="rôle") == []
    assert search(query="tableau colonnes")[0].url.endswith("#le-format")


def test_index_command_rebuilds_and_changes_nothing_the_second_time(capsys):
    ArticleFactory.create_batch(3, body=BODY)  # no commit callbacks: the index is empty until rebuilt
    ArticleFactory(body=BODY, status=Article.Status.DRAFT, published_at=None)
    call_command("index", verbosity=0)
    out = capsys.readouterr().out
    # The site's fixed pages (legal notice, the audit and booking pages…) are indexed beside the articles.
    others = Document.objects.exclude(source="blog.article").count()
    assert Document.objects.filter(source="blog.article").count() == 3
    assert f"{3 + others} indexés" in out
    call_command("index", verbosity=0)
    assert f"0 indexés, {3 + others} inchangés, 0 retirés" in capsys.readouterr().out
    published = Article.objects.exclude(status=Article.Status.DRAFT).first()
    # Its indexing task waits for a commit that never comes in this test: the index falls behind.
    Article.objects.filter(pk=published.pk).delete()
    call_command("index", verbosity=0)
    assert "1 retirés" in capsys.readouterr().out
