"""The semantic index as one mapped file of 8-bit vectors per index version: the same ranking as the float
vectors, one file shared by the processes of a node, a new version replacing the old one, a missing or damaged
file rebuilt from the database."""

import os

import numpy as np
import pytest

from frenchbot.core.models import SharedVersion
from frenchbot.retrieval import selectors, vectorfile
from frenchbot.retrieval.embedders import get_embedder
from frenchbot.retrieval.models import Chunk, Document, Visibility
from frenchbot.retrieval.selectors import search
from frenchbot.retrieval.services import collection_drop, index_version_bump

pytestmark = pytest.mark.django_db

COLLECTION = "fixture"
QUESTION = "Comment écrire un bon prompt ?"


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    # The fixture's similarities are made up: every passage counts, whatever the model's floor.
    settings.RETRIEVAL_SEMANTIC_MIN_SIMILARITY = -1.0
    return tmp_path


def _forget_process_copy():
    """As another process (a second web worker, the task worker): nothing of the index in memory."""
    selectors._vector_indexes.clear()
    selectors._readiness.clear()


def _unit(vector):
    return (vector / np.linalg.norm(vector)).astype("<f4")


@pytest.fixture
def passages():
    """120 passages whose similarity to the question vector is known and 0.01 apart from one passage to the
    next (in a shuffled order), each with three sentence vectors around it; a few for the team only."""
    embedder = get_embedder()
    rng = np.random.default_rng(3)
    query = _unit(rng.standard_normal(embedder.dimensions))
    closeness = rng.permutation(np.linspace(-0.55, 0.64, 120))
    document = Document.objects.create(
        collection=COLLECTION, source="t", source_id="1", title="Prompts", url="/p/", content_hash="x"
    )
    staff = Document.objects.create(
        collection=COLLECTION, source="t", source_id="2", title="Notes", url="/n/", content_hash="y",
        visibility=Visibility.STAFF,
    )  # fmt: skip

    def toward(similarity):
        noise = rng.standard_normal(embedder.dimensions)
        noise -= (noise @ query) * query
        return _unit(similarity * query + np.sqrt(1 - similarity**2) * _unit(noise))

    chunks = []
    for ordinal, similarity in enumerate(closeness):
        sentences = [toward(similarity + shift) for shift in (-0.1, 0.0, -0.2)]
        chunks.append(
            Chunk(
                document=staff if ordinal % 10 == 0 else document,
                ordinal=ordinal,
                text="Écrire un bon prompt",
                content_hash=str(ordinal),
                vector=toward(similarity).tobytes(),
                sentence_vectors=b"".join(s.tobytes() for s in sentences) if ordinal % 3 else None,
                vector_model=embedder.model_id,
            )
        )
    Chunk.objects.bulk_create(chunks)
    index_version_bump()
    return query


def _float_ranking(query, *, visibilities=(Visibility.PUBLIC,), limit=10):
    """The chunks in the order the float32 vectors rank them, as search ranked them before the vector file."""
    scores = {}
    for chunk in Chunk.objects.filter(document__collection=COLLECTION).select_related("document"):
        if chunk.document.visibility not in visibilities:
            continue
        vector = np.frombuffer(bytes(chunk.vector), dtype="<f4")
        blob = bytes(chunk.sentence_vectors) if chunk.sentence_vectors else bytes(chunk.vector)
        sentences = np.frombuffer(blob, dtype="<f4").reshape(-1, len(vector))
        scores[chunk.pk] = 0.5 * float(vector @ query) + 0.5 * float((sentences @ query).max())
    return sorted(scores, key=lambda pk: -scores[pk])[:limit], scores


def _search(query, **kwargs):
    return search(query=QUESTION, collection=COLLECTION, lexical=False, query_vector=query, **kwargs)


def _files(var_dir):
    return sorted((var_dir / "vectors").glob("*.vec"))


def test_the_mapped_index_ranks_passages_as_the_float_vectors_do(passages):
    expected, scores = _float_ranking(passages)
    hits = _search(passages)
    assert [hit.chunk.pk for hit in hits] == expected
    # Each similarity within a thousandth of the float one: the int8 error is far below what separates passages.
    for hit in hits:
        assert hit.similarity == pytest.approx(scores[hit.chunk.pk], abs=1e-3)
    team, _ = _float_ranking(passages, visibilities=(Visibility.PUBLIC, Visibility.STAFF))
    assert [hit.chunk.pk for hit in _search(passages, visibilities=("public", "staff"))] == team


def test_processes_of_a_node_map_one_file_and_read_no_vector_from_the_database(
    passages, var_dir, django_assert_num_queries
):
    first = _search(passages)
    assert len(_files(var_dir)) == 1
    embedder = get_embedder()
    _forget_process_copy()
    with django_assert_num_queries(1):  # the index's version: the vectors come from the file
        index = selectors._vector_index(
            collection=COLLECTION, model_id=embedder.model_id, dimensions=embedder.dimensions
        )
    assert index.path == _files(var_dir)[0]
    assert [hit.chunk.pk for hit in _search(passages)] == [hit.chunk.pk for hit in first]
    assert len(_files(var_dir)) == 1


def test_a_new_version_replaces_the_old_file_for_readers(passages, var_dir):
    embedder = get_embedder()
    before = selectors._vector_index(
        collection=COLLECTION, model_id=embedder.model_id, dimensions=embedder.dimensions
    )
    document = Document.objects.get(source_id="1")
    added = Chunk.objects.create(
        document=document, ordinal=999, text="Le meilleur passage", content_hash="new",
        vector=passages.tobytes(), vector_model=embedder.model_id,
    )  # fmt: skip
    index_version_bump()

    assert _search(passages)[0].chunk == added
    after = selectors._vector_index(
        collection=COLLECTION, model_id=embedder.model_id, dimensions=embedder.dimensions
    )
    assert after.version == before.version + 1 and after.path != before.path
    # The old file stays a while for a process that read the old version just before the change…
    assert before.path.exists()
    # …and goes once a newer file is written after that; a process that still maps it keeps reading it.
    old = before.path.stat().st_mtime - vectorfile.GRACE_SECONDS - 1
    os.utime(before.path, (old, old))
    Chunk.objects.filter(pk=added.pk).delete()
    index_version_bump()
    assert added.pk not in [hit.chunk.pk for hit in _search(passages)]
    assert not before.path.exists()
    assert before.row(added.pk) is None and len(before.similarities(passages)) == len(before.ids)


def test_a_missing_file_is_rebuilt_from_the_database(passages, var_dir):
    ranked = [hit.chunk.pk for hit in _search(passages)]
    (path,) = _files(var_dir)
    path.unlink()
    _forget_process_copy()
    assert [hit.chunk.pk for hit in _search(passages)] == ranked
    assert _files(var_dir) == [path]


def test_a_damaged_file_is_rebuilt(passages, var_dir):
    ranked = [hit.chunk.pk for hit in _search(passages)]
    (path,) = _files(var_dir)
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    _forget_process_copy()
    assert [hit.chunk.pk for hit in _search(passages)] == ranked
    assert vectorfile.read(path)[0]["version"] == SharedVersion.objects.get(name="retrieval:version").value


def test_another_database_at_the_same_version_never_reads_this_ones_file(passages, var_dir):
    _search(passages)
    (first,) = _files(var_dir)
    # A database re-created (or another site's, in the same folder): its versions count from 1 again.
    SharedVersion.objects.filter(name=selectors.EPOCH_KEY).update(value=12345)
    Chunk.objects.filter(ordinal__lt=60).delete()
    _forget_process_copy()
    hits = _search(passages, limit=100)
    assert {hit.chunk.ordinal for hit in hits} == set(range(60, 120)) - set(range(60, 120, 10))
    assert len(_files(var_dir)) == 2 and first in _files(var_dir)


def test_without_a_writable_folder_the_vectors_stay_in_the_process(passages, var_dir):
    (var_dir / "vectors").write_text("not a folder")
    expected, _ = _float_ranking(passages)
    assert [hit.chunk.pk for hit in _search(passages)] == expected
    embedder = get_embedder()
    index = selectors._vector_index(
        collection=COLLECTION, model_id=embedder.model_id, dimensions=embedder.dimensions
    )
    assert index.path is None


def test_dropping_a_collection_removes_its_files(passages, var_dir):
    _search(passages)
    assert _files(var_dir)
    collection_drop(collection=COLLECTION)
    assert _files(var_dir) == []


def test_quantized_products_stay_within_half_a_step_per_value():
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((3000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    quantized = vectorfile.quantize(vectors)
    assert quantized.codes.dtype == np.int8
    for _ in range(5):
        query = _unit(rng.standard_normal(384))
        bound = float(np.abs(query) @ quantized.step) / 2 + 1e-5
        assert np.abs(quantized.dot(query) - vectors @ query).max() <= bound
    empty = vectorfile.quantize(np.empty((0, 384), dtype=np.float32))
    assert len(empty.dot(_unit(rng.standard_normal(384)))) == 0
