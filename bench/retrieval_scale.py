"""How search latency grows with the size of the index: synthetic collections of 1,000 to 50,000 passages.

Passages are made of French sentences recombined from the demo articles, so that the lexical index has a
realistic vocabulary; their vectors are random unit vectors (search time does not depend on what they
encode, and embedding 50,000 passages would take minutes). Everything goes to a temporary SQLite database
(or DATABASE_URL), never the site's.

    .venv/bin/python bench/retrieval_scale.py [--sizes 1000 10000 50000] [--queries 200] [--json]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("FRENCHBOT_VAR_DIR", tempfile.mkdtemp(prefix="frenchbot-retrieval-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection, transaction

    from frenchbot.blog.demo import demo_articles
    from frenchbot.core.text import french_analyze
    from frenchbot.retrieval.answers import split_sentences
    from frenchbot.retrieval.backends import LexicalEntry, get_lexical_backend
    from frenchbot.retrieval.embedders import get_embedder, vector_to_bytes
    from frenchbot.retrieval.models import Chunk, Document
    from frenchbot.retrieval.selectors import search
    from frenchbot.retrieval.services import collection_drop, index_version_bump

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    sentences = [
        s for article in demo_articles() for s in split_sentences(article.body) if len(s.split()) > 5
    ]
    questions = [rng.choice(sentences)[:80] for _ in range(args.queries)]
    embedder = get_embedder()
    backend = get_lexical_backend()
    rows = []
    for size in args.sizes:
        collection = f"scale-{size}"
        collection_drop(collection=collection)
        start = time.perf_counter()
        with transaction.atomic():
            documents = Document.objects.bulk_create(
                [
                    Document(
                        collection=collection,
                        source="bench",
                        source_id=str(i),
                        title=f"Document {i}",
                        url=f"/bench/{i}/",
                        content_hash=str(i),
                    )
                    for i in range(size // 10)
                ]
            )
            # One vector per passage and one per sentence (four each), as the indexer stores them.
            vectors = (
                np.random.default_rng(7).standard_normal((5 * size, embedder.dimensions)).astype("float32")
            )
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            chunks = []
            for i in range(size):
                text = " ".join(rng.sample(sentences, 4))
                chunks.append(
                    Chunk(
                        document=documents[i // 10],
                        ordinal=i % 10,
                        text=text,
                        tokens=" ".join(french_analyze(text)),
                        content_hash=f"{size}-{i}",
                        vector=vector_to_bytes(vectors[i]),
                        sentence_vectors=b"".join(
                            vector_to_bytes(v) for v in vectors[size + 4 * i : size + 4 * i + 4]
                        ),
                        vector_model=embedder.model_id,
                    )
                )
            chunks = Chunk.objects.bulk_create(chunks, batch_size=2000)
            if any(c.pk is None for c in chunks):
                chunks = list(Chunk.objects.filter(document__collection=collection))
            backend.index([LexicalEntry(chunk_id=c.pk, title="", heading="", body=c.tokens) for c in chunks])
        index_version_bump()
        build_s = time.perf_counter() - start
        row = {"chunks": size, "build_s": round(build_s, 1)}
        for mode, flags in (("lexical", {"semantic": False}), ("hybrid", {})):
            search(query=questions[0], collection=collection, **flags)  # loads the vector matrix once
            latencies = []
            for question in questions:
                t = time.perf_counter()
                search(query=question, collection=collection, **flags)
                latencies.append((time.perf_counter() - t) * 1000)
            latencies.sort()
            row[f"{mode}_p50_ms"] = round(statistics.median(latencies), 2)
            row[f"{mode}_p95_ms"] = round(latencies[int(0.95 * (len(latencies) - 1))], 2)
        rows.append(row)
        collection_drop(collection=collection)
        if not args.json:
            print(
                f"{size:>7} passages  build {row['build_s']:>6.1f} s   lexical p50 {row['lexical_p50_ms']:>7.2f} ms  "
                f"p95 {row['lexical_p95_ms']:>7.2f} ms   hybrid p50 {row['hybrid_p50_ms']:>7.2f} ms  "
                f"p95 {row['hybrid_p95_ms']:>7.2f} ms",
                flush=True,
            )
    if args.json:
        print(json.dumps({"database": connection.vendor, "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
