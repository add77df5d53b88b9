"""Intents: accuracy of the bot's intent layer on a held-out French set, and its latency per message.

Runs `intent_detect` (frenchbot.assistant.intents) on every utterance of bench/data/intents_fr.toml, after one
warm-up call that builds the classifier, and prints the accuracy, precision / recall / F1 per label, the
confusion matrix, the misclassified utterances and the p50 / p95 / max time of one call. Exit status 0 whatever
the accuracy, 2 when the benchmark cannot run.

    .venv/bin/python bench/intents_eval.py [--set bench/data/intents_fr.toml] [--json [FILE]]
"""

# ruff: noqa: S603, S607 - the one command run is git, to name the commit measured

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SET = ROOT / "bench" / "data" / "intents_fr.toml"
# Not in the set, so the measured calls find nothing warmed up for them.
WARMUP_TEXT = "message de démarrage du banc d'essai"
# Short column headers so that the confusion matrix fits in 120 columns.
ABBREVIATIONS = {
    "greeting": "greet",
    "thanks": "thank",
    "goodbye": "bye",
    "identity": "ident",
    "booking": "book",
    "audit": "audit",
    "trainings": "train",
    "handoff": "hand",
    "newsletter": "news",
    "events": "event",
    "resources": "res",
    "privacy": "priv",
    "out_of_scope": "oos",
    "question": "quest",
}
ERROR_LABEL = "<error>"
ABBREVIATIONS[ERROR_LABEL] = "err"


class SetError(Exception):
    pass


def set_load(path: Path) -> list[tuple[str, str]]:
    """(utterance, expected label) pairs of the set, in file order; SetError when the file is malformed."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SetError(f"cannot read {path}: {error}") from error
    pairs: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for label, table in data.items():
        utterances = table.get("utterances") if isinstance(table, dict) else None
        if not isinstance(utterances, list) or not utterances:
            raise SetError(f"[{label}] needs a non-empty list `utterances`")
        for utterance in utterances:
            if not isinstance(utterance, str) or not utterance.strip():
                raise SetError(f"[{label}] holds an empty or non-string utterance: {utterance!r}")
            key = utterance.strip().casefold()
            if key in seen:
                raise SetError(f"{utterance!r} appears twice ([{seen[key]}] and [{label}])")
            seen[key] = label
            pairs.append((utterance, label))
    if not pairs:
        raise SetError(f"{path} holds no label table")
    return pairs


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return sorted_values[max(1, math.ceil(len(sorted_values) * fraction)) - 1]


def metrics_compute(rows: list[dict], labels: list[str]) -> dict:
    predicted_labels = sorted({row["predicted"] for row in rows} - set(labels))
    columns = labels + predicted_labels
    confusion = {expected: dict.fromkeys(columns, 0) for expected in labels}
    for row in rows:
        confusion[row["expected"]][row["predicted"]] += 1
    per_label = {}
    for label in labels:
        true_positives = confusion[label][label]
        support = sum(confusion[label].values())
        predicted = sum(confusion[expected][label] for expected in labels)
        precision = true_positives / predicted if predicted else 0.0
        recall = true_positives / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": support,
            "predicted": predicted,
        }
    correct = sum(row["expected"] == row["predicted"] for row in rows)
    return {
        "accuracy": correct / len(rows),
        "correct": correct,
        "total": len(rows),
        "macro_f1": sum(m["f1"] for m in per_label.values()) / len(labels),
        "per_label": per_label,
        "columns": columns,
        "confusion": confusion,
    }


def git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return result.stdout.strip() or "unknown"


def report_print(report: dict) -> None:
    m = report["metrics"]
    labels = report["labels"]
    print(f"Intent set: {report['set']} ({m['total']} utterances, {len(labels)} labels)")
    print(f"Code: {report['commit']}   settings: {report['settings']}")
    print(f"Warm-up (builds the classifier): {report['warmup_ms']:.0f} ms")
    print()
    print(f"Accuracy: {m['accuracy']:.3f} ({m['correct']}/{m['total']})   macro F1: {m['macro_f1']:.3f}")
    if report["errors"]:
        print(
            f"Calls that raised: {len(report['errors'])} (counted as {ERROR_LABEL}; first: {report['errors'][0]})"
        )
    print()
    width = max(len(label) for label in labels)
    print(f"{'label':<{width}}  precision  recall     F1  support  predicted")
    for label in labels:
        s = m["per_label"][label]
        print(
            f"{label:<{width}}  {s['precision']:9.3f}  {s['recall']:6.3f}  {s['f1']:5.3f}  "
            f"{s['support']:7d}  {s['predicted']:9d}"
        )
    print()
    print("Confusion matrix (rows = expected, columns = predicted)")
    headers = [ABBREVIATIONS.get(column, column[:5]) for column in m["columns"]]
    cell = max(5, *(len(h) for h in headers)) + 1
    print(" " * width + "".join(f"{h:>{cell}}" for h in headers))
    for label in labels:
        counts = m["confusion"][label]
        cells = "".join(
            f"{(str(counts[column]) if counts[column] else '.'):>{cell}}" for column in m["columns"]
        )
        print(f"{label:<{width}}{cells}")
    legend = ", ".join(f"{ABBREVIATIONS.get(c, c[:5])}={c}" for c in m["columns"])
    print(textwrap.fill(f"({legend})", width=110, initial_indent="  ", subsequent_indent="   "))
    print()
    wrong = [row for row in report["results"] if row["expected"] != row["predicted"]]
    print(f"Misclassified: {len(wrong)}")
    for row in wrong:
        score = "   -  " if row["score"] is None else f"{row['score']:6.3f}"
        print(f"  {row['expected']:>{width}} → {row['predicted']:<{width}} {score}  « {row['text']} »")
    print()
    lat = report["latency_ms"]
    print(
        f"Latency of intent_detect per message ({lat['count']} calls): p50 {lat['p50']:.2f} ms, "
        f"p95 {lat['p95']:.2f} ms, max {lat['max']:.2f} ms, mean {lat['mean']:.2f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", type=Path, default=DEFAULT_SET, metavar="PATH", help="the labelled set (TOML)"
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write the results as JSON to FILE, or to stdout instead of the tables when no FILE",
    )
    parser.add_argument(
        "--half",
        choices=("all", "tune", "held"),
        default="all",
        help="all the set, or one half of each label: `tune` (1st, 3rd… utterance) to choose the classifier's "
        "settings on, `held` (2nd, 4th…) to report on (default: all)",
    )
    args = parser.parse_args(argv)

    try:
        pairs = set_load(args.set)
    except SetError as error:
        print(f"intents_eval: {error}", file=sys.stderr)
        return 2
    if args.half != "all":
        first = 0 if args.half == "tune" else 1
        rank: dict[str, int] = {}
        kept = []
        for utterance, label in pairs:
            if rank.get(label, 0) % 2 == first:
                kept.append((utterance, label))
            rank[label] = rank.get(label, 0) + 1
        pairs = kept
    if os.environ.get("FRENCHBOT_VAR_DIR"):
        return evaluate(args=args, pairs=pairs)
    # A data folder of its own, removed at the end: nothing the classifier may write lands in the site's var/.
    with tempfile.TemporaryDirectory(
        prefix="frenchbot-intents-bench-", ignore_cleanup_errors=True
    ) as var_dir:
        os.environ["FRENCHBOT_VAR_DIR"] = var_dir
        return evaluate(args=args, pairs=pairs)


def evaluate(*, args: argparse.Namespace, pairs: list[tuple[str, str]]) -> int:
    labels = list(dict.fromkeys(label for _, label in pairs))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import DatabaseError

        from frenchbot.assistant.intents import intent_detect
    except Exception as error:  # noqa: BLE001 - any failure to set up means the benchmark cannot run
        print(f"intents_eval: cannot load intent_detect: {type(error).__name__}: {error}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    try:
        try:
            intent_detect(WARMUP_TEXT)
        except DatabaseError:
            # The classifier reads the database (a fresh temporary one here): create its tables, then retry.
            call_command("migrate", verbosity=0)
            intent_detect(WARMUP_TEXT)
    except Exception as error:  # noqa: BLE001
        print(f"intents_eval: the warm-up call failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    warmup_ms = (time.perf_counter() - started) * 1000

    results = []
    errors = []
    timings = []
    for text, expected in pairs:
        started = time.perf_counter()
        try:
            match = intent_detect(text)
        except Exception as error:  # noqa: BLE001 - one failing message is a result, not the end of the run
            timings.append((time.perf_counter() - started) * 1000)
            errors.append(f"« {text} »: {type(error).__name__}: {error}")
            results.append({"text": text, "expected": expected, "predicted": ERROR_LABEL, "score": None})
            continue
        timings.append((time.perf_counter() - started) * 1000)
        results.append(
            {"text": text, "expected": expected, "predicted": str(match.name), "score": float(match.score)}
        )

    ordered = sorted(timings)
    report = {
        "set": str(args.set),
        "commit": git_commit(),
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
        "labels": labels,
        "warmup_ms": warmup_ms,
        "metrics": metrics_compute(results, labels),
        "latency_ms": {
            "count": len(ordered),
            "p50": percentile(ordered, 0.50),
            "p95": percentile(ordered, 0.95),
            "max": ordered[-1],
            "mean": sum(ordered) / len(ordered),
        },
        "errors": errors,
        "results": results,
    }
    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json == "-":
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        report_print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
