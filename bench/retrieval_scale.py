"""How search latency grows with the size of the index: synthetic collections of 1,000 to 50,000 passages.

Passages are made of French sentences recombined from the demo articles, so that the lexical index has a
realistic vocabulary; their vectors are random unit vectors (search time does not depend on what they
encode, and embedding 50,000 passages would take minutes). Everything goes to a temporary SQLite database
(or DATABASE_URL), never the site's.

Memory: at each size, `--processes` other processes (as many as `make run` has: two web workers and the task
worker) search the same collection at the same time, and each reports what the index costs it: resident memory
(RSS) before and after its first search, and the proportional share (PSS: pages shared with other processes
counted once in all) and private part of it, from /proc/self/smaps_rollup (Linux). "index MB" is the index's
own bytes (the arrays a search reads, wherever they live).

    .venv/bin/python bench/retrieval_scale.py [--sizes 1000 10000 50000] [--queries 200] [--processes 3] [--json]
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def memory_mb() -> dict[str, float]:
    """This process's resident memory, its proportional share and its private part, in MB (Linux)."""
    fields = {}
    try:
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
            name, value, *_ = line.split()
            fields[name.rstrip(":")] = int(value) / 1024
    except OSError:
        return {}
    return {
        "rss": round(fields.get("Rss", 0), 1),
        "pss": round(fields.get("Pss", 0), 1),
        "private": round(fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0), 1),
    }


def index_bytes(index) -> int:
    """The bytes of every array the index holds (in process memory or mapped from a file)."""
    import numpy as np

    if hasattr(index, "nbytes"):  # the index says what it holds (its int8 matrices with their scales)
        return index.nbytes
    return sum(value.nbytes for value in vars(index).values() if isinstance(value, np.ndarray))


def child(collection: str, queries: list[str]) -> None:
    """One more process searching the collection, as a web or task worker does: what the index costs it."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    import django

    django.setup()
    from frenchbot.retrieval import selectors
    from frenchbot.retrieval.embedders import get_embedder

    embedder = get_embedder()
    embedder.embed_query(queries[0])  # the model's own memory is not the index's
    before = memory_mb()
    start = time.perf_counter()
    selectors.search(query=queries[0], collection=collection)
    first_ms = (time.perf_counter() - start) * 1000
    for question in queries[1:]:
        selectors.search(query=question, collection=collection)
    after = memory_mb()
    index = selectors._vector_index(
        collection=collection, model_id=embedder.model_id, dimensions=embedder.dimensions
    )
    print(
        "CHILD "
        + json.dumps(
            {
                "rss_before": before.get("rss"),
                **after,
                "index_mb": round(index_bytes(index) / 2**20, 1),
                "first_search_ms": round(first_ms, 1),
            }
        ),
        flush=True,
    )


def children(collection: str, queries: list[str], count: int) -> list[dict]:
    """`count` processes searching the collection at once, each reporting its memory."""
    if not count:
        return []
    command = [sys.executable, str(Path(__file__).resolve()), "--child", collection, "--", *queries]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=os.environ)  # noqa: S603
        for _ in range(count)
    ]
    reports = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        line = next((line for line in out.splitlines() if line.startswith("CHILD ")), None)
        if proc.returncode or line is None:
            raise RuntimeError(f"a searching process failed ({proc.returncode})")
        reports.append(json.loads(line[len("CHILD ") :]))
    return reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--processes", type=int, default=3, help="other processes searching at once (memory; 0: none)"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("questions", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.questions)
        return 0

    os.environ.setdefault("FRENCHBOT_VAR_DIR", tempfile.mkdtemp(prefix="frenchbot-retrieval-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection, transaction

    from frenchbot.blog.demo import demo_articles
    from frenchbot.core.text import french_analyze
    from frenchbot.retrieval import selectors
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
        embedder.embed_query(questions[0])
        rss_before = memory_mb().get("rss")
        start = time.perf_counter()
        search(query=questions[0], collection=collection)  # loads the vector index once
        row["load_s"] = round(time.perf_counter() - start, 2)
        memory = memory_mb()
        row["index_mb"] = round(
            index_bytes(
                selectors._vector_index(
                    collection=collection, model_id=embedder.model_id, dimensions=embedder.dimensions
                )
            )
            / 2**20,
            1,
        )
        row["rss_mb"] = memory.get("rss")
        row["rss_growth_mb"] = round(memory.get("rss", 0) - (rss_before or 0), 1)
        # Other processes, started once this one holds the index: as workers started after an index change.
        row["processes"] = children(collection, questions[:20], args.processes)
        for mode, flags in (("lexical", {"semantic": False}), ("hybrid", {})):
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
            print(
                f"{'':>16}index {row['index_mb']:>6.1f} MB, loaded in {row['load_s']:.2f} s; this process: "
                f"RSS {row['rss_mb']} MB (+{row['rss_growth_mb']} MB)",
                flush=True,
            )
            for number, proc in enumerate(row["processes"], start=1):
                print(
                    f"{'':>16}process {number}: RSS {proc['rss_before']} -> {proc['rss']} MB "
                    f"(+{round(proc['rss'] - proc['rss_before'], 1)}), PSS {proc['pss']} MB, private "
                    f"{proc['private']} MB, first search {proc['first_search_ms']} ms",
                    flush=True,
                )
    if args.json:
        print(json.dumps({"database": connection.vendor, "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
