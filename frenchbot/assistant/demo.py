"""Demo FAQ: the questions visitors of the company ask most (price, financing, duration, certificate, data and
AI…), from `data/faq.toml`. `frenchbot demo` loads them once, while the FAQ is empty; the team edits them in the
admin afterwards, and an entry it deleted is not brought back. `frenchbot index` (run by `make run` after the
demo) puts them in the bot's index."""

from pathlib import Path

from django.db import transaction

from frenchbot.core.datafiles import datafile_name, keys_only, model_checked, tables_get, toml_read, value_get
from frenchbot.core.text import french_typography

from .models import FaqEntry

FAQ_FILE = Path(__file__).resolve().parent / "data" / "faq.toml"


def faq_demo_entries(path: Path = FAQ_FILE) -> list[dict[str, str]]:
    """The entries of the data file, checked (DataFileError naming the file and the entry when one is wrong)."""
    data = toml_read(path)
    name = datafile_name(path)
    keys_only(data, {"entries"}, where=name)
    entries = []
    for number, table in enumerate(tables_get(data, "entries", where=name), start=1):
        where = f"{name}, entry {number}"
        keys_only(table, {"question", "answer", "category"}, where=where)
        entries.append(
            {
                "question": value_get(table, "question", str, where=where).strip(),
                "answer": value_get(table, "answer", str, where=where).strip(),
                "category": value_get(table, "category", str, where=where, default="").strip(),
            }
        )
    return entries


def faq_demo_load() -> int:
    """Create the demo FAQ unless the FAQ has entries already; returns how many were created."""
    if FaqEntry.objects.exists():
        return 0
    entries = [
        model_checked(
            FaqEntry(
                question=french_typography(entry["question"]),
                answer=french_typography(entry["answer"]),
                category=entry["category"],
                position=position,
                slug="-",  # set from the question when saved; a placeholder so that the check passes
            ),
            where=f"{datafile_name(FAQ_FILE)}, entry {position}",
        )
        for position, entry in enumerate(faq_demo_entries(), start=1)
    ]
    with transaction.atomic():
        for entry in entries:
            entry.slug = ""
            entry.save()
    return len(entries)


def demo_report() -> str:
    """Load the demo FAQ for `frenchbot demo` and say what was created ("" when it was there)."""
    created = faq_demo_load()
    return f"FAQ : {created} questions-réponses." if created else ""


@transaction.atomic
def demo_remove() -> str:
    """Delete the demo FAQ entries (matched on their question) and take them out of the bot's index; an entry
    the team wrote or reworded stays. Says what was removed."""
    from .faq import faq_entry_unindex

    questions = [french_typography(entry["question"]) for entry in faq_demo_entries()]
    entries = list(FaqEntry.objects.filter(question__in=questions))
    for entry in entries:
        entry_id = entry.pk
        entry.delete()
        faq_entry_unindex(entry_id=entry_id)
    return f"FAQ : {len(entries)} questions-réponses de démonstration retirées." if entries else ""
