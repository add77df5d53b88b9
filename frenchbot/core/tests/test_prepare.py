"""`frenchbot prepare`, what `make run` does before serving: quick, and the slow work left to the worker."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings, tmp_path):
    """The task queue of `make run` (the database backend), and collected files and metrics in folders of this
    test (prepare empties the metrics folder, which the test process itself writes to)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.STATIC_ROOT = tmp_path / "static"
    settings.METRICS_DIR = tmp_path / "metrics"


def _queued() -> list[str]:
    from django_tasks_db.models import DBTaskResult

    return sorted(
        row.task_path.rsplit(".", 1)[-1]
        for row in DBTaskResult.objects.filter(status="READY").exclude(task_path__endswith="index_object")
    )


def test_a_first_start_indexes_words_and_leaves_the_vectors_to_the_worker(database_tasks, capsys):
    from frenchbot.retrieval.models import Chunk
    from frenchbot.retrieval.selectors import search

    call_command("prepare")
    out = capsys.readouterr().out
    # The demo is there and searchable by its words right away…
    assert "Démo chargée" in out
    hits = search(query="Comment écrire un bon prompt ?")
    assert hits and all(hit.similarity is None for hit in hits)
    # …but no passage was embedded before serving: the worker does it, and the operator is told.
    assert Chunk.objects.exists() and not Chunk.objects.exclude(vector=None).exists()
    assert _queued() == ["compute_vectors", "prepare_intents"]
    assert "Index sémantique en préparation dans le worker" in out


def test_a_second_start_before_the_worker_ran_redoes_nothing(database_tasks, capsys, settings):
    call_command("prepare")
    # Written each time the static files are collected (and only then).
    marker = settings.STATIC_ROOT / ".sources-fingerprint"
    collected_at = marker.stat().st_mtime_ns
    capsys.readouterr()
    call_command("prepare")
    # No demo again, no admin password printed, static files not collected again; the operator is reminded why
    # the bot answers by words, and the work is queued again (a worker stopped in the middle never resumes its
    # task; the copy that comes second finds nothing left to do).
    out = capsys.readouterr().out
    assert "Démo" not in out and "mot de passe" not in out
    assert out.startswith("Index sémantique en préparation")
    assert marker.stat().st_mtime_ns == collected_at
