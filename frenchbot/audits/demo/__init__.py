"""Demo questionnaires and opportunity catalogue, loaded once by `frenchbot demo` (then edited in the admin).

The content is data beside this file: one questionnaire per track in `questionnaires/<track>.toml`, the answer
scales they share in `scales.toml`, and the catalogue in `opportunities.toml`; each file's header says what it
holds. The text is written with ordinary spaces; French typography is applied when it is stored.
"""

import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from frenchbot.core.text import french_typography

from ..models import Difficulty, Opportunity, Option, Question, Questionnaire, Track

DEMO_DIR = Path(__file__).resolve().parent


class DemoDataError(ValueError):
    """A demo data file that cannot be loaded; the message names the file and what is wrong in it."""


def _name(path: Path) -> str:
    return str(path.relative_to(DEMO_DIR.parents[2]))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DemoDataError(f"{_name(path)}: file not found.") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DemoDataError(f"{_name(path)}: {error}") from error


_KIND_NAMES = {str: "text", int: "a whole number", list: "a list", dict: "a table"}
_REQUIRED = object()


def _get(table: dict, key: str, kind: type, *, where: str, default: Any = _REQUIRED) -> Any:
    """`table[key]`, which must be a `kind`; `where` names the file (and the place in it) in the error."""
    if key not in table:
        if default is _REQUIRED:
            raise DemoDataError(f"{where}: '{key}' is missing.")
        return default
    value = table[key]
    # A boolean is an int to Python, not to a reader: `weight = true` is a mistake.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise DemoDataError(f"{where}: '{key}' should be {_KIND_NAMES[kind]}, not {value!r}.")
    return value


def _only(table: dict, allowed: set[str], *, where: str) -> None:
    """A misspelt optional key would be ignored without a word: refuse any key the loader does not read."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise DemoDataError(f"{where}: unknown key '{unknown[0]}' (expected: {', '.join(sorted(allowed))}).")


def _tables(table: dict, key: str, *, where: str) -> list[dict]:
    items = _get(table, key, list, where=where)
    if not items or not all(isinstance(item, dict) for item in items):
        raise DemoDataError(f"{where}: '{key}' should be a list of one or more tables.")
    return items


def _options_read(options: list[dict], *, where: str) -> list[tuple[str, int]]:
    read = []
    for option in options:
        _only(option, {"text", "score"}, where=where)
        read.append((_get(option, "text", str, where=where), _get(option, "score", int, where=where)))
    return read


# --- Reading ---------------------------------------------------------------------------------------------------


def audits_demo_questionnaires() -> list[dict[str, Any]]:
    """The demo questionnaires, one per track in the order of `Track`, as read from the data files and checked
    (typography not yet applied). Raises `DemoDataError` naming the file when one is missing or malformed."""
    scales_path = DEMO_DIR / "scales.toml"
    scales_data = _read_toml(scales_path)
    scales = {
        name: _options_read(_tables(scales_data, name, where=_name(scales_path)), where=_name(scales_path))
        for name in scales_data
    }
    folder = DEMO_DIR / "questionnaires"
    names = [f"{track}.toml" for track in Track.values]
    for path in sorted(folder.glob("*")):
        if path.name not in names and not path.name.startswith("."):
            raise DemoDataError(
                f"{_name(path)}: a questionnaire is named after its track ({', '.join(names)})."
            )
    return [
        _questionnaire_read(folder / f"{track}.toml", track=track, scales=scales) for track in Track.values
    ]


def _questionnaire_read(
    path: Path, *, track: str, scales: dict[str, list[tuple[str, int]]]
) -> dict[str, Any]:
    data = _read_toml(path)
    where = _name(path)
    _only(data, {"title", "intro", "questions"}, where=where)
    questions = []
    for number, item in enumerate(_tables(data, "questions", where=where), start=1):
        item_where = f"{where}, question {number}"
        _only(item, {"dimension", "text", "help", "weight", "scale", "options"}, where=item_where)
        if ("scale" in item) == ("options" in item):
            raise DemoDataError(f"{item_where}: give either 'scale' (a scale of scales.toml) or 'options'.")
        if "scale" in item:
            scale = _get(item, "scale", str, where=item_where)
            if scale not in scales:
                raise DemoDataError(
                    f"{item_where}: no scale '{scale}' in scales.toml (scales: {', '.join(sorted(scales))})."
                )
            options = scales[scale]
        else:
            options = _options_read(_tables(item, "options", where=item_where), where=item_where)
        questions.append(
            {
                "dimension": _get(item, "dimension", str, where=item_where),
                "text": _get(item, "text", str, where=item_where),
                "help": _get(item, "help", str, where=item_where, default=""),
                "weight": _get(item, "weight", int, where=item_where),
                "options": options,
            }
        )
    return {
        "track": track,
        "title": _get(data, "title", str, where=where),
        "intro": _get(data, "intro", str, where=where),
        "questions": questions,
    }


def audits_demo_opportunities() -> list[dict[str, Any]]:
    """The demo opportunity catalogue as read from `opportunities.toml` and checked (typography not yet applied).
    Raises `DemoDataError` naming the file when it is missing or malformed."""
    path = DEMO_DIR / "opportunities.toml"
    data = _read_toml(path)
    where = _name(path)
    _only(data, {"opportunities"}, where=where)
    difficulties = {name.lower(): value for name, value in Difficulty.__members__.items()}
    opportunities = []
    for number, item in enumerate(_tables(data, "opportunities", where=where), start=1):
        item_where = f"{where}, opportunity {number}"
        texts = ("task", "description", "tools", "track", "dimension")
        _only(item, {*texts, "hours_saved_per_month", "difficulty", "threshold", "trigger"}, where=item_where)
        opportunity = {key: _get(item, key, str, where=item_where) for key in texts}
        difficulty = _get(item, "difficulty", str, where=item_where)
        if difficulty not in difficulties:
            raise DemoDataError(
                f"{item_where}: 'difficulty' should be one of {', '.join(difficulties)}, not {difficulty!r}."
            )
        opportunity["difficulty"] = difficulties[difficulty]
        opportunity["hours_saved_per_month"] = _get(item, "hours_saved_per_month", int, where=item_where)
        opportunity["threshold"] = _get(item, "threshold", int, where=item_where)
        trigger = _get(item, "trigger", dict, where=item_where, default=None)
        if trigger is not None:
            trigger_where = f"{item_where}, trigger"
            _only(trigger, {"dimension", "questions", "score"}, where=trigger_where)
            numbers = _get(trigger, "questions", list, where=trigger_where)
            if not numbers or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
                raise DemoDataError(
                    f"{trigger_where}: 'questions' should list question numbers, such as [6, 7]."
                )
            trigger = {
                "dimension": _get(trigger, "dimension", str, where=trigger_where),
                "questions": numbers,
                "score": _get(trigger, "score", int, where=trigger_where),
            }
        opportunity["trigger"] = trigger
        opportunities.append(opportunity)
    return opportunities


# --- Loading ---------------------------------------------------------------------------------------------------


def _checked(instance: models.Model, *, where: str) -> models.Model:
    """The instance, its fields validated (choices, lengths, blanks): a bad value names its file, not a column.
    Foreign keys are left out: they point at rows just created, and checking them would cost a query each."""
    try:
        instance.clean_fields(exclude=[field.name for field in instance._meta.fields if field.is_relation])
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            choices = instance._meta.get_field(name).choices
            expected = f" (expected: {', '.join(str(value) for value, _ in choices)})" if choices else ""
            problems.append(f"{name}: {' '.join(messages)}{expected}")
        raise DemoDataError(f"{where}: {'; '.join(problems)}") from error
    return instance


def audits_demo_load() -> dict[str, int]:
    """Create the two questionnaires and the catalogue when absent; a second run adds nothing.

    Every data file is read and checked first: a malformed one raises `DemoDataError` and creates nothing."""
    created = {"questionnaires": 0, "opportunities": 0}
    questionnaires = audits_demo_questionnaires()
    opportunities = audits_demo_opportunities()
    with transaction.atomic():
        for data in questionnaires:
            if Questionnaire.objects.filter(track=data["track"]).exists():
                continue
            where = _name(DEMO_DIR / "questionnaires" / f"{data['track']}.toml")
            questionnaire = _checked(
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
                question = _checked(
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
                    _checked(
                        Option(question=question, text=french_typography(label), score=score, order=i),
                        where=f"{where}, question {order}",
                    )
                    for i, (label, score) in enumerate(item["options"], start=1)
                )
        if not Opportunity.objects.exists():
            where = _name(DEMO_DIR / "opportunities.toml")
            for number, item in enumerate(opportunities, start=1):
                opportunity = _checked(
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
