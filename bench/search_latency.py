"""Latency of the site search (/recherche/): the search function and the whole view, over the demo content,
then over the demo plus 10,000 generated documents.

Everything goes to a temporary SQLite database (or DATABASE_URL), never the site's: `frenchbot demo` loads
the demo, the index is built with real vectors (multilingual-e5-small), then 10,000 documents of three
passages each are added, made of French sentences recombined from the demo articles (a realistic
vocabulary for the lexical index and the spelling dictionary), with random unit vectors (search time does not
depend on what they encode; embedding 30,000 passages would take many minutes). The queries are what a
visitor types: keywords, questions, typos (« hallucinaton », « promt »), and fragments of the articles.

Figures: p50/p95 of `site_search()` (hybrid, then words alone), of `GET /recherche/?q=` through Django's test
client (rate limit, visibility, template included), and the time to rebuild the spelling dictionary after the
index changed (once per index version and process).

    .venv/bin/python bench/search_latency.py [--queries 100] [--documents 10000] [--json]
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VISITOR_QUERIES = [
    "prompt",
    "promt",
    "hallucination",
    "hallucinaton",
    "formation chatgpt",
    "formaton chatgpt",
    "audit gratuit",
    "rgpd données personnelles",
    "combien coûte une formation",
    "automatiser les factures",
    "webinaire",
    "rédiger un e-mail avec l'IA",
    "Mistral Le Chat",
    "copilot excel",
    "charte IA entreprise",
    "token",
    "agent IA",
    "comment écrire un bon prompt ?",
    "zzqxw",
    '"NEAR(prompt OR -rôle*',
]


def _percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return round(statistics.median(values), 1), round(values[int(0.95 * (len(values) - 1))], 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--documents", type=int, default=10000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("FRENCHBOT_VAR_DIR", tempfile.mkdtemp(prefix="frenchbot-search-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ.setdefault("ACCESS_LOG", "false")
    import django

    django.setup()
    import numpy as np
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import override_settings

    from frenchbot.blog.demo import demo_articles
    from frenchbot.core.text import french_analyze
    from frenchbot.retrieval import spelling
    from frenchbot.retrieval.answers import split_sentences
    from frenchbot.retrieval.backends import LexicalEntry, get_lexical_backend
    from frenchbot.retrieval.embedders import get_embedder, vector_to_bytes
    from frenchbot.retrieval.models import Chunk, Document
    from frenchbot.retrieval.registry import sources
    from frenchbot.retrieval.services import index_rebuild, index_version_bump
    from frenchbot.retrieval.sitesearch import site_search

    # Static files straight from the apps' folders: the temporary database has no collectstatic manifest.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    # The bench's own client, never rate-limited (the limit's counter write is still made and timed).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.SEARCH_RATE_PER_MINUTE = 10**9

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", quiet_login=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    index_rebuild()
    setup_s = time.perf_counter() - started

    rng = random.Random(7)
    sentences = [
        s for article in demo_articles() for s in split_sentences(article.body) if len(s.split()) > 5
    ]
    fragments = [" ".join(rng.choice(sentences).split()[:4]) for _ in range(args.queries)]
    queries = [
        VISITOR_QUERIES[i % len(VISITOR_QUERIES)] if i % 2 else fragments[i] for i in range(args.queries)
    ]
    client = Client()

    def measure(label: str) -> dict:
        row = {"index": label, "documents": Document.objects.filter(collection="site").count()}
        row["passages"] = Chunk.objects.filter(document__collection="site").count()
        spelling._dictionaries.clear()
        t = time.perf_counter()
        spelling.dictionary()
        row["dictionary_build_ms"] = round((time.perf_counter() - t) * 1000, 1)
        row["dictionary_words"] = len(spelling.dictionary().counts)
        for mode, semantic in (("hybrid", True), ("lexical", False)):
            settings.RETRIEVAL_SEMANTIC = semantic
            site_search(query=queries[0])  # loads the vector matrix once
            latencies = []
            for query in queries:
                t = time.perf_counter()
                site_search(query=query)
                latencies.append((time.perf_counter() - t) * 1000)
            row[f"{mode}_p50_ms"], row[f"{mode}_p95_ms"] = _percentiles(latencies)
        settings.RETRIEVAL_SEMANTIC = True
        latencies = []
        statuses = set()
        for query in queries:
            t = time.perf_counter()
            response = client.get("/recherche/", {"q": query})
            latencies.append((time.perf_counter() - t) * 1000)
            statuses.add(response.status_code)
        row["view_p50_ms"], row["view_p95_ms"] = _percentiles(latencies)
        row["view_statuses"] = sorted(statuses)
        return row

    rows = [measure("demo")]
    # What the typos find on the demo content (not a timing: a sanity check printed beside the figures).
    typos = {}
    for typed in ("hallucinaton", "promt", "formaton chatgpt", "glosaire", "rgdp"):
        result = site_search(query=typed)
        typos[typed] = {"searched": result.query, "results": result.total}

    # 10,000 generated documents, three passages each, spread over the site's kinds of content.
    embedder = get_embedder()
    backend = get_lexical_backend()
    kinds = [source.name for source in sources()]
    started = time.perf_counter()
    with transaction.atomic():
        documents = Document.objects.bulk_create(
            [
                Document(
                    collection="site",
                    source=kinds[i % len(kinds)],
                    source_id=f"bench-{i}",
                    title=" ".join(rng.choice(sentences).split()[:6]),
                    url=f"/bench/{i}/",
                    content_hash=f"bench-{i}",
                )
                for i in range(args.documents)
            ],
            batch_size=2000,
        )
        if any(d.pk is None for d in documents):
            documents = list(Document.objects.filter(source_id__startswith="bench-").order_by("id"))
        size = 3 * args.documents
        vectors = np.random.default_rng(7).standard_normal((size, embedder.dimensions)).astype("float32")
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        chunks = []
        for i in range(size):
            text = " ".join(rng.sample(sentences, 4))
            chunks.append(
                Chunk(
                    document=documents[i // 3],
                    ordinal=i % 3,
                    text=text,
                    tokens=" ".join(french_analyze(text)),
                    content_hash=f"bench-{i}",
                    vector=vector_to_bytes(vectors[i]),
                    vector_model=embedder.model_id,
                )
            )
        chunks = Chunk.objects.bulk_create(chunks, batch_size=2000)
        if any(c.pk is None for c in chunks):
            chunks = list(Chunk.objects.filter(document__source_id__startswith="bench-"))
        backend.index([LexicalEntry(chunk_id=c.pk, title="", heading="", body=c.tokens) for c in chunks])
    index_version_bump()
    build_s = time.perf_counter() - started
    rows.append(measure(f"demo + {args.documents} generated"))

    if args.json:
        print(
            json.dumps(
                {
                    "database": connection.vendor,
                    "setup_s": round(setup_s, 1),
                    "build_s": round(build_s, 1),
                    "rows": rows,
                    "typos": typos,
                }
            )
        )
        return 0
    print(
        f"database: {connection.vendor}; demo loaded and indexed in {setup_s:.1f} s; generated documents in {build_s:.1f} s"
    )
    print(f"{len(queries)} queries (half visitor queries with typos and operators, half article fragments)")
    for row in rows:
        print(
            f"{row['index']:<28} {row['documents']:>6} docs {row['passages']:>6} passages | "
            f"site_search hybrid p50 {row['hybrid_p50_ms']:>6.1f} ms p95 {row['hybrid_p95_ms']:>6.1f} ms | "
            f"lexical p50 {row['lexical_p50_ms']:>6.1f} ms p95 {row['lexical_p95_ms']:>6.1f} ms | "
            f"view p50 {row['view_p50_ms']:>6.1f} ms p95 {row['view_p95_ms']:>6.1f} ms {row['view_statuses']} | "
            f"dictionary {row['dictionary_words']} words built in {row['dictionary_build_ms']:.0f} ms",
            flush=True,
        )
    for typed, found in typos.items():
        print(f"demo: « {typed} » searched as « {found['searched']} »: {found['results']} results")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
