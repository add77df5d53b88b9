"""Demo trainings, written for this project: « ChatGPT au quotidien » for individuals and « L'IA dans votre PME »
for businesses, each complete (modules, lessons, quizzes, prompt exercises), published, and opened by one demo
access code. `frenchbot demo` loads them once; the team edits them in the admin afterwards.

The content is data, one folder per training beside this file: `training.toml` (the training and its modules in
order), and per module a folder of lessons (`NN-title.md`, Markdown with a front matter), an optional
`exercise.toml` and a `quiz.toml`; `words.toml` holds word lists shared by rubric criteria. Each file's header
says what it holds. The text is written with ordinary spaces; French typography is applied when it is stored,
except to rubric values, which are matched, not read.
"""

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from frenchbot.core.text import french_typography, parse_front_matter

from ..models import (
    AccessCode,
    Lesson,
    Module,
    PromptExercise,
    Quiz,
    QuizChoice,
    QuizQuestion,
    RubricCriterion,
    Training,
)

DEMO_DIR = Path(__file__).resolve().parent
DEMO_CODE_USES = 1000
QUIZ_PASS_MARK = 70
STEP_GAP = 10  # lessons at 10, 20, 30…; then the module's exercise, then its quiz
LESSON_FILE = re.compile(r"^(\d+)-.+\.md$")
STEP_FILES = {"exercise.toml", "quiz.toml"}


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


_KIND_NAMES = {str: "text", int: "a whole number", bool: "true or false", list: "a list", dict: "a table"}


def _get(table: dict, key: str, kind: type, *, where: str) -> Any:
    """`table[key]`, which must be a `kind`; `where` names the file (and the place in it) in the error."""
    if key not in table:
        raise DemoDataError(f"{where}: '{key}' is missing.")
    value = table[key]
    # A boolean is an int to Python, not to a reader: `minutes = true` is a mistake.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
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


def _texts(table: dict, key: str, *, where: str) -> list[str]:
    items = _get(table, key, list, where=where)
    if not all(isinstance(item, str) for item in items):
        raise DemoDataError(f"{where}: '{key}' should be a list of texts.")
    return items


def _markdown(text: str) -> str:
    return text.strip() + "\n"


# --- Reading ---------------------------------------------------------------------------------------------------


def courses_demo_trainings() -> list[dict[str, Any]]:
    """The demo trainings as read from the data files, checked, text as written (typography not yet applied).

    Raises `DemoDataError` naming the file when one is missing or malformed."""
    words_path = DEMO_DIR / "words.toml"
    words = _read_toml(words_path)
    for key in words:
        _texts(words, key, where=_name(words_path))
    folders = sorted(p for p in DEMO_DIR.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    return [_training_read(folder, words=words) for folder in folders]


def _training_read(folder: Path, *, words: dict[str, list[str]]) -> dict[str, Any]:
    path = folder / "training.toml"
    data = _read_toml(path)
    where = _name(path)
    texts = ("slug", "title", "summary", "description", "audience", "level", "price_text", "access_code")
    _only(data, {*texts, "duration_hours", "order", "outcomes", "modules"}, where=where)
    training = {key: _get(data, key, str, where=where) for key in texts}
    if "duration_hours" not in data:
        raise DemoDataError(f"{where}: 'duration_hours' is missing.")
    duration = data["duration_hours"]
    if isinstance(duration, bool) or not isinstance(duration, (int, float)):
        raise DemoDataError(
            f"{where}: 'duration_hours' should be a number of hours, such as 6.0, not {duration!r}."
        )
    training["duration_hours"] = Decimal(str(duration))
    training["order"] = _get(data, "order", int, where=where)
    training["outcomes"] = _texts(data, "outcomes", where=where)
    modules = []
    for number, module in enumerate(_tables(data, "modules", where=where), start=1):
        module_where = f"{where}, module {number}"
        _only(module, {"title", "summary", "folder"}, where=module_where)
        modules.append(
            {
                "title": _get(module, "title", str, where=module_where),
                "summary": _get(module, "summary", str, where=module_where),
                **_module_steps_read(folder, _get(module, "folder", str, where=module_where), words=words),
            }
        )
    listed = {module["folder"] for module in modules}
    for extra in sorted(p for p in folder.iterdir() if p.is_dir() and p.name not in listed):
        if not extra.name.startswith((".", "_")):
            raise DemoDataError(f"{_name(extra)}: this folder is not a module of {where}.")
    training["modules"] = modules
    training["folder"] = folder.name
    return training


def _module_steps_read(training_folder: Path, name: str, *, words: dict[str, list[str]]) -> dict[str, Any]:
    folder = training_folder / name
    if "/" in name or "\\" in name or not folder.is_dir():
        raise DemoDataError(
            f"{_name(training_folder / 'training.toml')}: no module folder '{name}' beside it."
        )
    lessons = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        match = LESSON_FILE.match(path.name)
        if match:
            lessons.append((int(match[1]), path))
        elif path.name not in STEP_FILES:
            raise DemoDataError(
                f"{_name(path)}: unexpected file; a module folder holds its lessons (NN-title.md), "
                "exercise.toml and quiz.toml."
            )
    if not lessons:
        raise DemoDataError(f"{_name(folder)}: a module needs at least one lesson (NN-title.md).")
    steps = {"folder": name, "lessons": [_lesson_read(path) for _, path in sorted(lessons)]}
    # A lesson's address is made from its title and must be unique in its module.
    slugs = [slugify(lesson["title"])[:120] for lesson in steps["lessons"]]
    for lesson, slug in zip(steps["lessons"], slugs, strict=True):
        if slugs.count(slug) > 1:
            raise DemoDataError(
                f"{_name(folder / lesson['file'])}: another lesson of the module has the same address "
                f"('{slug}'); change its title."
            )
    exercise_path = folder / "exercise.toml"
    steps["exercise"] = _exercise_read(exercise_path, words=words) if exercise_path.exists() else None
    steps["quiz"] = _quiz_read(folder / "quiz.toml")
    return steps


def _lesson_read(path: Path) -> dict[str, Any]:
    where = _name(path)
    try:
        meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DemoDataError(f"{where}: {error}") from error
    if not meta:
        raise DemoDataError(
            f"{where}: the file should start with its front matter: ---, title: …, minutes: …, ---."
        )
    _only(meta, {"title", "minutes"}, where=where)
    minutes = _get(meta, "minutes", str, where=where)
    if not minutes.isdigit():
        raise DemoDataError(f"{where}: 'minutes' should be a whole number, not {minutes!r}.")
    if not body.strip():
        raise DemoDataError(f"{where}: the lesson has no text after its front matter.")
    return {
        "file": path.name,
        "title": _get(meta, "title", str, where=where),
        "minutes": int(minutes),
        "body": _markdown(body),
    }


def _exercise_read(path: Path, *, words: dict[str, list[str]]) -> dict[str, Any]:
    data = _read_toml(path)
    where = _name(path)
    _only(data, {"title", "task", "pass_criteria", "criteria"}, where=where)
    criteria = []
    for number, item in enumerate(_tables(data, "criteria", where=where), start=1):
        item_where = f"{where}, criterion {number}"
        _only(
            item,
            {"label", "rule", "values", "values_from", "feedback_ok", "feedback_missing"},
            where=item_where,
        )
        if "values" in item and "values_from" in item:
            raise DemoDataError(f"{item_where}: give 'values' or 'values_from', not both.")
        if "values_from" in item:
            source = _get(item, "values_from", str, where=item_where)
            if source not in words:
                known = ", ".join(sorted(words)) or "none"
                raise DemoDataError(f"{item_where}: no word list '{source}' in words.toml (lists: {known}).")
            values = words[source]
        else:
            values = _texts(item, "values", where=item_where) if "values" in item else []
        criteria.append(
            {
                "label": _get(item, "label", str, where=item_where),
                "rule": _get(item, "rule", str, where=item_where),
                "values": values,
                "feedback_ok": _get(item, "feedback_ok", str, where=item_where),
                "feedback_missing": _get(item, "feedback_missing", str, where=item_where),
            }
        )
    return {
        "title": _get(data, "title", str, where=where),
        "task": _markdown(_get(data, "task", str, where=where)),
        "pass_criteria": _get(data, "pass_criteria", int, where=where),
        "criteria": criteria,
    }


def _quiz_read(path: Path) -> list[dict[str, Any]]:
    data = _read_toml(path)
    where = _name(path)
    _only(data, {"questions"}, where=where)
    questions = []
    for number, item in enumerate(_tables(data, "questions", where=where), start=1):
        item_where = f"{where}, question {number}"
        _only(item, {"kind", "text", "choices", "explanation"}, where=item_where)
        choices = []
        for choice in _tables(item, "choices", where=item_where):
            _only(choice, {"text", "correct"}, where=item_where)
            choices.append(
                (_get(choice, "text", str, where=item_where), _get(choice, "correct", bool, where=item_where))
            )
        kind = _get(item, "kind", str, where=item_where)
        correct = sum(is_correct for _, is_correct in choices)
        if correct == 0 or (kind == QuizQuestion.Kind.SINGLE and correct != 1):
            raise DemoDataError(
                f"{item_where}: a « {kind} » question has {correct} correct choices "
                "(single: exactly one; multiple: one or more)."
            )
        questions.append(
            {
                "kind": kind,
                "text": _get(item, "text", str, where=item_where),
                "choices": choices,
                "explanation": _get(item, "explanation", str, where=item_where),
            }
        )
    return questions


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


def _module_create(
    *, training: Training, data: dict, order: int, preview_first: bool, where: str
) -> dict[str, int]:
    where = f"{where}/{data['folder']}"
    module = _checked(
        Module(
            training=training,
            title=french_typography(data["title"]),
            summary=french_typography(data["summary"]),
            order=order,
            is_published=True,
        ),
        where=where,
    )
    module.save()
    step = 0
    for index, lesson in enumerate(data["lessons"]):
        step += STEP_GAP
        _checked(
            Lesson(
                module=module,
                title=french_typography(lesson["title"]),
                slug=slugify(lesson["title"])[:120],
                body=french_typography(lesson["body"]),
                minutes=lesson["minutes"],
                order=step,
                is_preview=preview_first and index == 0,
            ),
            where=f"{where}/{lesson['file']}",
        ).save()
    exercise_data = data["exercise"]
    if exercise_data:
        step += STEP_GAP
        exercise_where = f"{where}/exercise.toml"
        exercise = _checked(
            PromptExercise(
                module=module,
                title=french_typography(exercise_data["title"]),
                task=french_typography(exercise_data["task"]),
                pass_criteria=exercise_data["pass_criteria"],
                order=step,
            ),
            where=exercise_where,
        )
        exercise.save()
        RubricCriterion.objects.bulk_create(
            _checked(
                RubricCriterion(
                    exercise=exercise,
                    label=french_typography(item["label"]),
                    rule=item["rule"],
                    values="\n".join(item["values"]),
                    feedback_ok=french_typography(item["feedback_ok"]),
                    feedback_missing=french_typography(item["feedback_missing"]),
                    order=position,
                ),
                where=f"{exercise_where}, criterion {position}",
            )
            for position, item in enumerate(exercise_data["criteria"], start=1)
        )
    step += STEP_GAP
    questions = data["quiz"]
    quiz_where = f"{where}/quiz.toml"
    quiz = _checked(
        Quiz(
            module=module,
            title=french_typography(f"Quiz : {data['title']}"),
            intro=french_typography(
                f"{len(questions)} questions sur les points clés du module. Il faut {QUIZ_PASS_MARK} % de bonnes "
                "réponses pour le valider ; l'explication de chaque réponse s'affiche après votre envoi."
            ),
            pass_mark=QUIZ_PASS_MARK,
            order=step,
        ),
        where=quiz_where,
    )
    quiz.save()
    for position, item in enumerate(questions, start=1):
        question_where = f"{quiz_where}, question {position}"
        question = _checked(
            QuizQuestion(
                quiz=quiz,
                text=french_typography(item["text"]),
                kind=item["kind"],
                explanation=french_typography(item["explanation"]),
                order=position,
            ),
            where=question_where,
        )
        question.save()
        QuizChoice.objects.bulk_create(
            _checked(
                QuizChoice(
                    question=question,
                    text=french_typography(text),
                    is_correct=is_correct,
                    order=choice_position,
                ),
                where=question_where,
            )
            for choice_position, (text, is_correct) in enumerate(item["choices"], start=1)
        )
    return {"lessons": len(data["lessons"]), "quizzes": 1, "exercises": 1 if exercise_data else 0}


def courses_demo_load() -> dict:
    """Create the demo trainings that do not exist yet (matched on slug), published and complete, each with its
    demo access code; a training already there is left as the team edited it. Returns what was created:
    numbers of trainings, modules, lessons, quizzes and exercises, and the list of access codes.

    Every data file is read and checked first: a malformed one raises `DemoDataError` and creates nothing."""
    created = {"trainings": 0, "modules": 0, "lessons": 0, "quizzes": 0, "exercises": 0, "codes": []}
    trainings = courses_demo_trainings()
    with transaction.atomic():
        for data in trainings:
            if Training.objects.filter(slug=data["slug"]).exists():
                continue
            where = _name(DEMO_DIR / data["folder"])
            training = _checked(
                Training(
                    slug=data["slug"],
                    title=french_typography(data["title"]),
                    summary=french_typography(data["summary"]),
                    description=french_typography(data["description"]),
                    audience=data["audience"],
                    level=data["level"],
                    duration_hours=data["duration_hours"],
                    outcomes=french_typography("\n".join(data["outcomes"])),
                    price_text=french_typography(data["price_text"]),
                    order=data["order"],
                    is_published=True,
                ),
                where=f"{where}/training.toml",
            )
            training.save()
            created["trainings"] += 1
            for position, module_data in enumerate(data["modules"], start=1):
                counts = _module_create(
                    training=training,
                    data=module_data,
                    order=position * STEP_GAP,
                    preview_first=position == 1,
                    where=where,
                )
                created["modules"] += 1
                for key, value in counts.items():
                    created[key] += value
            code = data["access_code"].upper()
            if not AccessCode.objects.filter(code=code).exists():
                AccessCode.objects.create(
                    training=training,
                    code=code,
                    max_uses=DEMO_CODE_USES,
                    note="Code de démonstration, créé par `frenchbot demo`.",
                )
                created["codes"].append(code)
    return created
