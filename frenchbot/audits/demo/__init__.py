"""Demo questionnaires and opportunity catalogue, loaded once by `frenchbot demo` (then edited in the admin).

The content is data beside this file: one questionnaire per track in `questionnaires/<track>.toml`, the answer
scales they share in `scales.toml`, and the catalogue in `opportunities.toml`; each file's header says what it
holds. The text is written with ordinary spaces; French typography is applied when it is stored.
"""

from pathlib import Path
from typing import Any

from django.db import transaction

from frenchbot.core.datafiles import (
    DataFileError,
    datafile_name,
    keys_only,
    model_checked,
    tables_get,
    toml_read,
    value_get,
)
from frenchbot.core.text import french_typography

from ..models import Difficulty, Opportunity, Option, Question, Questionnaire, Track

DEMO_DIR = Path(__file__).resolve().parent


def _options_read(options: list[dict], *, where: str) -> list[tuple[str, int]]:
    read = []
    for option in options:
        keys_only(option, {"text", "score"}, where=where)
        read.append(
            (value_get(option, "text", str, where=where), value_get(option, "score", int, where=where))
        )
    return read


# --- Reading ---------------------------------------------------------------------------------------------------


def audits_demo_questionnaires() -> list[dict[str, Any]]:
    """The demo questionnaires, one per track in the order of `Track`, as read from the data files and checked
    (typography not yet applied). Raises `DataFileError` naming the file when one is missing or malformed."""
    scales_path = DEMO_DIR / "scales.toml"
    scales_data = toml_read(scales_path)
    scales = {
        name: _options_read(
            tables_get(scales_data, name, where=datafile_name(scales_path)), where=datafile_name(scales_path)
        )
        for name in scales_data
    }
    folder = DEMO_DIR / "questionnaires"
    names = [f"{track}.toml" for track in Track.values]
    for path in sorted(folder.glob("*")):
        if path.name not in names and not path.name.startswith("."):
            raise DataFileError(
                f"{datafile_name(path)}: a questionnaire is named after its track ({', '.join(names)})."
            )
    return [
        _questionnaire_read(folder / f"{track}.toml", track=track, scales=scales) for track in Track.values
    ]


def _questionnaire_read(
    path: Path, *, track: str, scales: dict[str, list[tuple[str, int]]]
) -> dict[str, Any]:
    data = toml_read(path)
    where = datafile_name(path)
    keys_only(data, {"title", "intro", "questions"}, where=where)
    questions = []
    for number, item in enumerate(tables_get(data, "questions", where=where), start=1):
        item_where = f"{where}, question {number}"
        keys_only(item, {"dimension", "text", "help", "weight", "scale", "options"}, where=item_where)
        if ("scale" in item) == ("options" in item):
            raise DataFileError(f"{item_where}: give either 'scale' (a scale of scales.toml) or 'options'.")
        if "scale" in item:
            scale = value_get(item, "scale", str, where=item_where)
            if scale not in scales:
                raise DataFileError(
                    f"{item_where}: no scale '{scale}' in scales.toml (scales: {', '.join(sorted(scales))})."
                )
            options = scales[scale]
        else:
            options = _options_read(tables_get(item, "options", where=item_where), where=item_where)
        questions.append(
            {
                "dimension": value_get(item, "dimension", str, where=item_where),
                "text": value_get(item, "text", str, where=item_where),
                "help": value_get(item, "help", str, where=item_where, default=""),
                "weight": value_get(item, "weight", int, where=item_where),
                "options": options,
            }
        )
    return {
        "track": track,
        "title": value_get(data, "title", str, where=where),
        "intro": value_get(data, "intro", str, where=where),
        "questions": questions,
    }


def audits_demo_opportunities() -> list[dict[str, Any]]:
    """The demo opportunity catalogue as read from `opportunities.toml` and checked (typography not yet applied).
    Raises `DataFileError` naming the file when it is missing or malformed."""
    path = DEMO_DIR / "opportunities.toml"
    data = toml_read(path)
    where = datafile_name(path)
    keys_only(data, {"opportunities"}, where=where)
    difficulties = {name.lower(): value for name, value in Difficulty.__members__.items()}
    opportunities = []
    for number, item in enumerate(tables_get(data, "opportunities", where=where), start=1):
        item_where = f"{where}, opportunity {number}"
        texts = ("task", "description", "tools", "track", "dimension")
        keys_only(
            item, {*texts, "hours_saved_per_month", "difficulty", "threshold", "trigger"}, where=item_where
        )
        opportunity = {key: value_get(item, key, str, where=item_where) for key in texts}
        difficulty = value_get(item, "difficulty", str, where=item_where)
        if difficulty not in difficulties:
            raise DataFileError(
                f"{item_where}: 'difficulty' should be one of {', '.join(difficulties)}, not {difficulty!r}."
            )
        opportunity["difficulty"] = difficulties[difficulty]
        opportunity["hours_saved_per_month"] = value_get(item, "hours_saved_per_month", int, where=item_where)
        opportunity["threshold"] = value_get(item, "threshold", int, where=item_where)
        trigger = value_get(item, "trigger", dict, where=item_where, default=None)
        if trigger is not None:
            trigger_where = f"{item_where}, trigger"
            keys_only(trigger, {"dimension", "questions", "score"}, where=trigger_where)
            numbers = value_get(trigger, "questions", list, where=trigger_where)
            if not numbers or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
                raise DataFileError(
                    f"{trigger_where}: 'questions' should list question numbers, such as [6, 7]."
                )
            trigger = {
                "dimension": value_get(trigger, "dimension", str, where=trigger_where),
                "questions": numbers,
                "score": value_get(trigger, "score", int, where=trigger_where),
            }
        opportunity["trigger"] = trigger
        opportunities.append(opportunity)
    return opportunities


# --- Loading ---------------------------------------------------------------------------------------------------


def audits_demo_load() -> dict[str, int]:
    """Create the two questionnaires and the catalogue when absent; a second run adds nothing.

    Every data file is read and checked first: a malformed one raises `DataFileError` and creates nothing."""
    created = {"questionnaires": 0, "opportunities": 0}
    questionnaires = audits_demo_questionnaires()
    opportunities = audits_demo_opportunities()
    with transaction.atomic():
        for data in questionnaires:
            if Questionnaire.objects.filter(track=data["track"]).exists():
                continue
            where = datafile_name(DEMO_DIR / "questionnaires" / f"{data['track']}.toml")
            questionnaire = model_checked(
                Questionnaire(
                    track=data["track"],
                    title=french_typography(data["title"]),
                    intro=french_typography(data["intro"]),
                ),
                where=where,
            )
            questionnaire.save()
            created["questionnaires"] += 1
            for order, item in enumerate(data["questions"], start=1):
                question = model_checked(
                    Question(
                        questionnaire=questionnaire,
                        dimension=item["dimension"],
                        text=french_typography(item["text"]),
                        help=french_typography(item["help"]),
                        order=order,
                        weight=item["weight"],
                    ),
                    where=f"{where}, question {order}",
                )
                question.save()
                Option.objects.bulk_create(
                    model_checked(
                        Option(question=question, text=french_typography(label), score=score, order=i),
                        where=f"{where}, question {order}",
                    )
                    for i, (label, score) in enumerate(item["options"], start=1)
                )
        if not Opportunity.objects.exists():
            where = datafile_name(DEMO_DIR / "opportunities.toml")
            for number, item in enumerate(opportunities, start=1):
                opportunity = model_checked(
                    Opportunity(
                        task=french_typography(item["task"]),
                        description=french_typography(item["description"]),
                        tools=french_typography(item["tools"]),
                        hours_saved_per_month=item["hours_saved_per_month"],
                        difficulty=item["difficulty"],
                        track=item["track"],
                        dimension=item["dimension"],
                        threshold=item["threshold"],
                    ),
                    where=f"{where}, opportunity {number}",
                )
                opportunity.save()
                created["opportunities"] += 1
                trigger = item["trigger"]
                if trigger:
                    opportunity.trigger_options.set(
                        Option.objects.filter(
                            question__dimension=trigger["dimension"],
                            question__order__in=trigger["questions"],
                            score=trigger["score"],
                        )
                    )
    return created


def demo_report() -> str:
    """Load the demo questionnaires and catalogue for `frenchbot demo` and say what was created ("" when
    they were there)."""
    created = audits_demo_load()
    if not (created["questionnaires"] or created["opportunities"]):
        return ""
    return (
        f"Audit IA : {created['questionnaires']} questionnaires, "
        f"{created['opportunities']} opportunités au catalogue."
    )
