"""The bot's honesty threshold and its follow-up questions, on the demo content.

For each question of bench/data/honesty_fr.toml, runs what the bot decides before answering — the intent layer,
then (for a question) the search and the honesty threshold — and counts how many answerable questions get an
answer from our content and how many unanswerable ones do not (refused by the threshold, or taken by an intent
such as « hors sujet »). Then, for each two-question conversation, whether the second question's best passage
comes from the expected page. Reads the database of the settings in use: run it after `make run` (which loads
and indexes the demo), or point DATABASE_URL at such a database. With RETRIEVAL_SEMANTIC=false, the words-only
rule (the bot's mode while a first start computes the vectors) is measured instead: ``--coverage`` tries a floor.

    .venv/bin/python bench/honesty_eval.py [--threshold 0.86]
    RETRIEVAL_SEMANTIC=false .venv/bin/python bench/honesty_eval.py [--coverage 0.5]
"""

import argparse
import os
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default=str(ROOT / "bench" / "data" / "honesty_fr.toml"))
    parser.add_argument("--threshold", type=float, default=None, help="instead of the configured threshold")
    parser.add_argument(
        "--coverage", type=float, default=None, help="words-only floor (with RETRIEVAL_SEMANTIC=false)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from frenchbot.assistant.intents import FALLBACK, intent_detect
    from frenchbot.assistant.services import _honest, lexical_coverage, retrieval_query
    from frenchbot.retrieval.embedders import get_embedder
    from frenchbot.retrieval.models import Chunk
    from frenchbot.retrieval.selectors import search

    if not Chunk.objects.filter(document__collection="site").exists():
        print("The site's index is empty: run `make run` (or `frenchbot demo` and `frenchbot index`) first.")
        return 2
    if args.threshold is not None:
        settings.ASSISTANT_ANSWER_MIN_SIMILARITY = args.threshold
    if args.coverage is not None:
        settings.ASSISTANT_LEXICAL_MIN_COVERAGE = args.coverage
    lexical_only = not settings.RETRIEVAL_SEMANTIC
    threshold = (
        settings.ASSISTANT_LEXICAL_MIN_COVERAGE
        if lexical_only
        else settings.ASSISTANT_ANSWER_MIN_SIMILARITY or get_embedder().answer_similarity
    )
    data = tomllib.loads(Path(args.set).read_text())

    def answered(question: str) -> tuple[bool, str]:
        match = intent_detect(question)
        if match.name != FALLBACK:
            return False, f"intent {match.name}"
        hits = search(query=match.request, limit=settings.ASSISTANT_PASSAGES, query_vector=match.vector)
        if lexical_only:
            best = lexical_coverage(hits, match.request)
        else:
            best = max((hit.similarity or 0.0 for hit in hits), default=0.0)
        return _honest(hits, query=match.request), f"{best:.3f}"

    if lexical_only:
        print(f"Words only (RETRIEVAL_SEMANTIC=false): coverage floor {threshold:.2f}")
    else:
        print(f"Threshold: {threshold:.3f} ({get_embedder().model_id})")
    for half in ("tune", "held"):
        answerable, unanswerable = data[half]["answerable"], data[half]["unanswerable"]
        kept = [(q, *answered(q)) for q in answerable]
        refused = [(q, *answered(q)) for q in unanswerable]
        ok_kept = sum(flag for _, flag, _ in kept)
        ok_refused = sum(not flag for _, flag, _ in refused)
        print(
            f"\n[{half}] answerable answered: {ok_kept}/{len(kept)} · unanswerable not answered: "
            f"{ok_refused}/{len(refused)} · accuracy {(ok_kept + ok_refused) / (len(kept) + len(refused)):.3f}"
        )
        for question, flag, why in kept:
            if not flag:
                print(f"  missed answerable  ({why}): {question}")
        for question, flag, why in refused:
            if flag:
                print(f"  answered anyway    ({why}): {question}")

    right = 0
    print("\nFollow-ups (best passage of the second question):")
    for case in data["follow_ups"]:
        query = retrieval_query(case["then"], [case["first"]])
        hits = search(query=query, limit=1)
        url = hits[0].url if hits else ""
        expected = case["url"] if isinstance(case["url"], list) else [case["url"]]
        good = any(url.startswith(prefix) for prefix in expected)
        right += good
        print(f"  {'ok ' if good else 'NO '} {case['first']} → {case['then']}  ⇒ {url or '(rien)'}")
    print(f"Follow-ups on the right page: {right}/{len(data['follow_ups'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
