"""The bot's output guard: disguised recitals it lets be read, legitimate answers it withholds.

1. Disguises: the system prompt recited in each of the injection suite's disguises
   (``frenchbot/assistant/tests/disguiser.py``), fed to the guard in 5-character deltas as a stream is; an answer
   counts as readable when what the visitor receives (the streamed text, the final text), decoded back as a
   reader of that disguise would, shows the rules. With the recital check alone (before the shape guard) and with
   both.
2. False positives: legitimate answers run through the same guard, grounded on the passages the bot finds for
   their question in the demo content: the extractive answer to each answerable question of
   ``bench/data/honesty_fr.toml``, the first sentences of the best passage quoted verbatim and as a list, the
   "je ne sais pas" of the rules for the unanswerable questions, the demo FAQ's answers, the small talk intents'
   written replies (what a model words with no passage), and the rephrasings of ``bench/data/guard_legit_fr.toml`` (French and English).

Reads the database of the settings in use: run it after `make run` (which loads and indexes the demo), or point
DATABASE_URL / FRENCHBOT_VAR_DIR at such a database. Part 1 needs no database (``--disguises-only``).

    .venv/bin/python bench/guard_eval.py [--disguises-only] [--verbose]
"""

import argparse
import os
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

DELTA = 5


def guarded(text: str, *, question: str, grounds: list[str], shape: bool = True):
    """What the visitor receives of ``text``: (streamed, final text or "" when withheld, the guard)."""
    from frenchbot.assistant.guard import LeakGuard

    guard = LeakGuard(grounds=grounds, question=question, shape=shape)
    streamed = ""
    for start in range(0, len(text), DELTA):
        streamed += guard.feed(text[start : start + DELTA])
        if guard.tripped:
            break
    streamed += guard.flush()
    return streamed, "" if guard.tripped else guard.text, guard


def disguises(verbose: bool) -> None:
    from frenchbot.assistant.tests.disguiser import DISGUISES, readable, recital

    print(f"Disguised recitals ({len(DISGUISES)}), readable by the visitor:")
    for shape in (False, True):
        started = time.perf_counter()
        read = []
        for disguise in DISGUISES:
            streamed, final, _ = guarded(recital(disguise), question=disguise.ask, grounds=[], shape=shape)
            if readable(disguise, streamed) or readable(disguise, final):
                read.append(disguise.name)
        elapsed = (time.perf_counter() - started) / len(DISGUISES) * 1000
        label = "recital check + shape guard" if shape else "recital check only (before)"
        print(f"  {label:<32} {len(read):>2}/{len(DISGUISES)}   ({elapsed:.1f} ms per answer)")
        if verbose and read:
            print("    " + ", ".join(read))


def false_positives(verbose: bool) -> int:
    from django.conf import settings

    from frenchbot.assistant.demo import faq_demo_entries
    from frenchbot.assistant.tests.obedient import DONT_KNOW
    from frenchbot.core.extractive import extract_answer, split_sentences
    from frenchbot.llm.base import Passage
    from frenchbot.retrieval.models import Chunk
    from frenchbot.retrieval.selectors import search

    if not Chunk.objects.filter(document__collection="site").exists():
        print("The site's index is empty: run `make run` (or `frenchbot demo` and `frenchbot index`) first.")
        return 2

    def passages_for(question: str) -> list[Passage]:
        hits = search(query=question, limit=settings.ASSISTANT_PASSAGES)
        return [
            Passage(
                title=h.title,
                url=h.url,
                text=h.chunk.text[: settings.ASSISTANT_PASSAGE_CHARS],
                label=f"[{n}]",
            )
            for n, h in enumerate(hits, start=1)
        ]

    honesty = tomllib.loads((ROOT / "bench" / "data" / "honesty_fr.toml").read_text())
    answerable = [q for half in ("tune", "held") for q in honesty[half]["answerable"]]
    unanswerable = [q for half in ("tune", "held") for q in honesty[half]["unanswerable"]]
    legit = tomllib.loads((ROOT / "bench" / "data" / "guard_legit_fr.toml").read_text())["answers"]
    sets: dict[str, list[tuple[str, str, list[Passage]]]] = {
        "extractive answers": [],
        "best passage, verbatim": [],
        "best passage, as a list": [],
        "« je ne sais pas » (unanswerable)": [],
        "demo FAQ answers": [],
        "rephrasings (fr)": [],
        "rephrasings (en visitor)": [],
        "small talk (no passage)": [],
    }
    for question in answerable:
        passages = passages_for(question)
        extract = extract_answer(query=question, passages=passages).text
        if extract:
            sets["extractive answers"].append((question, extract, passages))
        if passages:
            sentences = split_sentences(passages[0].text)[:3]
            sets["best passage, verbatim"].append(
                (question, f"D'après nos contenus [1] : {' '.join(sentences[:2])}", passages)
            )
            sets["best passage, as a list"].append(
                (question, "Voici l'essentiel [1] :\n\n" + "\n".join(f"- {s}" for s in sentences), passages)
            )
    for question in unanswerable:
        sets["« je ne sais pas » (unanswerable)"].append((question, DONT_KNOW, passages_for(question)))
    for entry in faq_demo_entries():
        sets["demo FAQ answers"].append((entry["question"], entry["answer"], passages_for(entry["question"])))
    for entry in legit:
        key = "rephrasings (en visitor)" if entry.get("lang") == "en" else "rephrasings (fr)"
        sets[key].append((entry["question"], entry["answer"], passages_for(entry["question"])))
    for path in sorted((ROOT / "frenchbot" / "assistant" / "intents" / "data").glob("*.toml")):
        data = tomllib.loads(path.read_text())
        if not data.get("small_talk"):
            continue  # said as written, never through the guard
        for reply in data.get("replies", []):
            sets["small talk (no passage)"].append((data["examples"][0], reply, []))

    print("\nLegitimate answers withheld by the guard:")
    total = withheld_total = 0
    for name, cases in sets.items():
        withheld = []
        for question, answer, passages in cases:
            grounds = [f"{p.title}\n{p.text}" for p in passages]
            _, final, guard = guarded(answer, question=question, grounds=grounds)
            if not final:
                reason = guard.shape.reason if guard.withheld == "shape" else guard.withheld
                withheld.append((question, reason, answer))
        total += len(cases)
        withheld_total += len(withheld)
        print(f"  {name:<36} {len(withheld):>2}/{len(cases)}")
        if verbose:
            for question, reason, answer in withheld:
                print(f"    [{reason}] {question}\n      {answer[:300]!r}")
    print(f"  {'all':<36} {withheld_total:>2}/{total} ({withheld_total / max(total, 1):.1%})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disguises-only", action="store_true", help="part 1 only (no database)")
    parser.add_argument("--verbose", action="store_true", help="list what was read or withheld")
    args = parser.parse_args()

    import django

    django.setup()
    from frenchbot.assistant.shape import vocabulary_load

    started = time.perf_counter()
    vocabulary_load()
    print(f"Word lists loaded in {time.perf_counter() - started:.2f} s\n")
    disguises(args.verbose)
    if args.disguises_only:
        return 0
    return false_positives(args.verbose)


if __name__ == "__main__":
    sys.exit(main())
