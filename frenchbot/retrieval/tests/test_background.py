"""The search vectors computed by the task worker after a start indexed the words: progress in the worker's log
and on the team's dashboard, the whole search once they are all there."""

import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from frenchbot.retrieval.models import Chunk
from frenchbot.retrieval.selectors import search, semantic_pending
from frenchbot.retrieval.services import document_index

pytestmark = pytest.mark.django_db

ARTICLE = """## Donner un rôle

Commencez votre prompt en donnant un rôle à ChatGPT : « vous êtes juriste en droit du travail ».

## Préciser le format

Dites quel format vous attendez : un tableau, une liste à puces ou un e-mail de cinq lignes.
"""


@pytest.fixture
def worker(settings, monkeypatch):
    """The database task queue of `make run`; calling the fixture runs its worker until the queue is empty."""
    from django_tasks_db.management.commands import db_worker

    # The worker closes the connection between tasks (right for a long-lived process); here the test's
    # transaction must survive it.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return lambda: call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


def _words_indexed():
    for number in range(3):
        document_index(
            source="blog", source_id=str(number), title=f"Écrire un bon prompt {number}", url=f"/b/{number}/",
            text=ARTICLE, vectors=False,
        )  # fmt: skip


def _queued() -> list[str]:
    from django_tasks_db.models import DBTaskResult

    return [row.task_path.rsplit(".", 1)[-1] for row in DBTaskResult.objects.filter(status="READY")]


def test_the_worker_computes_the_vectors_with_progress_for_the_operator_and_staff(
    worker, caplog, client, django_user_model, capsys
):
    _words_indexed()
    call_command("index", background=True, verbosity=0)  # also the site's fixed pages, words only
    total = Chunk.objects.count()
    assert f"({total} passages à vectoriser)" in capsys.readouterr().out
    assert _queued() == ["compute_vectors"]
    assert semantic_pending()
    staff = django_user_model.objects.create_superuser("camille", "camille@example.fr", "x")
    client.force_login(staff)
    board = client.get(reverse("backoffice:board")).content.decode()
    assert f"Index sémantique\u00a0: 0 / {total} passages" in board
    assert "en préparation dans le worker" in board

    caplog.set_level(logging.INFO, logger="frenchbot.retrieval.tasks")
    worker()
    lines = [record.getMessage() for record in caplog.records if record.name == "frenchbot.retrieval.tasks"]
    assert lines[0] == f"Index sémantique : 0 / {total} passages"
    assert f"Index sémantique : {total} / {total} passages" in lines
    assert lines[-1].startswith("Index sémantique prêt en")
    assert not Chunk.objects.filter(vector=None).exists()
    board = client.get(reverse("backoffice:board")).content.decode()
    assert f"Index sémantique\u00a0: {total} / {total} passages" in board
    assert "en préparation" not in board
    # Every process switches to the whole search: passages now have a similarity in meaning.
    assert not semantic_pending()
    hits = search(query="Quel rôle donner à l'assistant ?")
    assert hits and all(hit.similarity is not None for hit in hits)

    # A later start with nothing changed queues nothing and says nothing.
    call_command("index", background=True, verbosity=0)
    assert capsys.readouterr().out == ""
    assert _queued() == []


def test_while_vectors_are_missing_search_uses_words_alone(worker):
    _words_indexed()
    # One document has its vectors (an edit went through the worker), the others not yet: no mixing.
    document_index(source="blog", source_id="9", title="Le format", url="/b/9/", text=ARTICLE)
    assert Chunk.objects.exclude(vector=None).exists()
    hits = search(query="Quel format de réponse demander ?")
    assert hits and all(hit.similarity is None for hit in hits)


def test_an_edit_still_reaches_the_index_with_its_vectors_through_the_worker(
    worker, django_capture_on_commit_callbacks
):
    from frenchbot.blog.tests.factories import ArticleFactory

    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(title="Écrire un bon prompt", body=ARTICLE)
    assert _queued() == ["index_object"]
    worker()
    chunks = Chunk.objects.filter(document__source="blog.article", document__source_id=str(article.pk))
    assert chunks.exists() and not chunks.filter(vector=None).exists()
