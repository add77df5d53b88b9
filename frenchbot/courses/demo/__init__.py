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
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from frenchbot.core.datafiles import (
    DataFileError,
    datafile_name,
    keys_only,
    model_checked,
    tables_get,
    texts_get,
    toml_read,
    value_get,
)
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
# What each training's page tells the public (Qualiopi, criterion 1); optional in training.toml, French
# typography applied when stored (not to the contact, an e-mail address).
PUBLIC_TEXTS = (
    "prerequisites",
    "audience_details",
    "format_details",
    "access_delay",
    "accessibility",
    "accessibility_contact",
    "assessment_methods",
)


def _markdown(text: str) -> str:
    return text.strip() + "\n"


# --- Reading ---------------------------------------------------------------------------------------------------


def courses_demo_trainings() -> list[dict[str, Any]]:
    """The demo trainings as read from the data files, checked, text as written (typography not yet applied).

    Raises `DataFileError` naming the file when one is missing or malformed."""
    words_path = DEMO_DIR / "words.toml"
    words = toml_read(words_path)
    for key in words:
        texts_get(words, key, where=datafile_name(words_path))
    folders = sorted(p for p in DEMO_DIR.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    return [_training_read(folder, words=words) for folder in folders]


def _training_read(folder: Path, *, words: dict[str, list[str]]) -> dict[str, Any]:
    path = folder / "training.toml"
    data = toml_read(path)
    where = datafile_name(path)
    texts = ("slug", "title", "summary", "description", "audience", "level", "price_text", "access_code")
    keys_only(data, {*texts, *PUBLIC_TEXTS, "duration_hours", "order", "outcomes", "modules"}, where=where)
    training = {key: value_get(data, key, str, where=where) for key in texts}
    training.update({key: value_get(data, key, str, where=where, default="").strip() for key in PUBLIC_TEXTS})
    if "duration_hours" not in data:
        raise DataFileError(f"{where}: 'duration_hours' is missing.")
    duration = data["duration_hours"]
    if isinstance(duration, bool) or not isinstance(duration, (int, float)):
        raise DataFileError(
            f"{where}: 'duration_hours' should be a number of hours, such as 6.0, not {duration!r}."
        )
    training["duration_hours"] = Decimal(str(duration))
    training["order"] = value_get(data, "order", int, where=where)
    training["outcomes"] = texts_get(data, "outcomes", where=where)
    modules = []
    for number, module in enumerate(tables_get(data, "modules", where=where), start=1):
        module_where = f"{where}, module {number}"
        keys_only(module, {"title", "summary", "folder"}, where=module_where)
        modules.append(
            {
                "title": value_get(module, "title", str, where=module_where),
                "summary": value_get(module, "summary", str, where=module_where),
                **_module_steps_read(
                    folder, value_get(module, "folder", str, where=module_where), words=words
                ),
            }
        )
    listed = {module["folder"] for module in modules}
    for extra in sorted(p for p in folder.iterdir() if p.is_dir() and p.name not in listed):
        if not extra.name.startswith((".", "_")):
            raise DataFileError(f"{datafile_name(extra)}: this folder is not a module of {where}.")
    training["modules"] = modules
    training["folder"] = folder.name
    return training


def _module_steps_read(training_folder: Path, name: str, *, words: dict[str, list[str]]) -> dict[str, Any]:
    folder = training_folder / name
    if "/" in name or "\\" in name or not folder.is_dir():
        raise DataFileError(
            f"{datafile_name(training_folder / 'training.toml')}: no module folder '{name}' beside it."
        )
    lessons = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        match = LESSON_FILE.match(path.name)
        if match:
            lessons.append((int(match[1]), path))
        elif path.name not in STEP_FILES:
            raise DataFileError(
                f"{datafile_name(path)}: unexpected file; a module folder holds its lessons (NN-title.md), "
                "exercise.toml and quiz.toml."
            )
    if not lessons:
        raise DataFileError(f"{datafile_name(folder)}: a module needs at least one lesson (NN-title.md).")
    steps = {"folder": name, "lessons": [_lesson_read(path) for _, path in sorted(lessons)]}
    # A lesson's address is made from its title and must be unique in its module.
    slugs = [slugify(lesson["title"])[:120] for lesson in steps["lessons"]]
    for lesson, slug in zip(steps["lessons"], slugs, strict=True):
        if slugs.count(slug) > 1:
            raise DataFileError(
                f"{datafile_name(folder / lesson['file'])}: another lesson of the module has the same address "
                f"('{slug}'); change its title."
            )
    exercise_path = folder / "exercise.toml"
    steps["exercise"] = _exercise_read(exercise_path, words=words) if exercise_path.exists() else None
    steps["quiz"] = _quiz_read(folder / "quiz.toml")
    return steps


def _lesson_read(path: Path) -> dict[str, Any]:
    where = datafile_name(path)
    try:
        meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(f"{where}: {error}") from error
    if not meta:
        raise DataFileError(
            f"{where}: the file should start with its front matter: ---, title: …, minutes: …, ---."
        )
    keys_only(meta, {"title", "minutes"}, where=where)
    minutes = value_get(meta, "minutes", str, where=where)
    if not minutes.isdigit():
        raise DataFileError(f"{where}: 'minutes' should be a whole number, not {minutes!r}.")
    if not body.strip():
        raise DataFileError(f"{where}: the lesson has no text after its front matter.")
    return {
        "file": path.name,
        "title": value_get(meta, "title", str, where=where),
        "minutes": int(minutes),
        "body": _markdown(body),
    }


def _exercise_read(path: Path, *, words: dict[str, list[str]]) -> dict[str, Any]:
    data = toml_read(path)
    where = datafile_name(path)
    keys_only(data, {"title", "task", "pass_criteria", "criteria"}, where=where)
    criteria = []
    for number, item in enumerate(tables_get(data, "criteria", where=where), start=1):
        item_where = f"{where}, criterion {number}"
        keys_only(
            item,
            {"label", "rule", "values", "values_from", "feedback_ok", "feedback_missing"},
            where=item_where,
        )
        if "values" in item and "values_from" in item:
            raise DataFileError(f"{item_where}: give 'values' or 'values_from', not both.")
        if "values_from" in item:
            source = value_get(item, "values_from", str, where=item_where)
            if source not in words:
                known = ", ".join(sorted(words)) or "none"
                raise DataFileError(f"{item_where}: no word list '{source}' in words.toml (lists: {known}).")
            values = words[source]
        else:
            values = texts_get(item, "values", where=item_where) if "values" in item else []
        criteria.append(
            {
                "label": value_get(item, "label", str, where=item_where),
                "rule": value_get(item, "rule", str, where=item_where),
                "values": values,
                "feedback_ok": value_get(item, "feedback_ok", str, where=item_where),
                "feedback_missing": value_get(item, "feedback_missing", str, where=item_where),
            }
        )
    return {
        "title": value_get(data, "title", str, where=where),
        "task": _markdown(value_get(data, "task", str, where=where)),
        "pass_criteria": value_get(data, "pass_criteria", int, where=where),
        "criteria": criteria,
    }


def _quiz_read(path: Path) -> list[dict[str, Any]]:
    data = toml_read(path)
    where = datafile_name(path)
    keys_only(data, {"questions"}, where=where)
    questions = []
    for number, item in enumerate(tables_get(data, "questions", where=where), start=1):
        item_where = f"{where}, question {number}"
        keys_only(item, {"kind", "text", "choices", "explanation"}, where=item_where)
        choices = []
        for choice in tables_get(item, "choices", where=item_where):
            keys_only(choice, {"text", "correct"}, where=item_where)
            choices.append(
                (
                    value_get(choice, "text", str, where=item_where),
                    value_get(choice, "correct", bool, where=item_where),
                )
            )
        kind = value_get(item, "kind", str, where=item_where)
        correct = sum(is_correct for _, is_correct in choices)
        if correct == 0 or (kind == QuizQuestion.Kind.SINGLE and correct != 1):
            raise DataFileError(
                f"{item_where}: a « {kind} » question has {correct} correct choices "
                "(single: exactly one; multiple: one or more)."
            )
        questions.append(
            {
                "kind": kind,
                "text": value_get(item, "text", str, where=item_where),
                "choices": choices,
                "explanation": value_get(item, "explanation", str, where=item_where),
            }
        )
    return questions


# --- Loading ---------------------------------------------------------------------------------------------------


def _module_create(
    *, training: Training, data: dict, order: int, preview_first: bool, where: str
) -> dict[str, int]:
    where = f"{where}/{data['folder']}"
    module = model_checked(
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
        model_checked(
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
        exercise = model_checked(
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
            model_checked(
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
    quiz = model_checked(
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
        question = model_checked(
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
            model_checked(
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

    Every data file is read and checked first: a malformed one raises `DataFileError` and creates nothing."""
    created = {"trainings": 0, "modules": 0, "lessons": 0, "quizzes": 0, "exercises": 0, "codes": []}
    trainings = courses_demo_trainings()
    with transaction.atomic():
        for data in trainings:
            if Training.objects.filter(slug=data["slug"]).exists():
                continue
            where = datafile_name(DEMO_DIR / data["folder"])
            training = model_checked(
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
                    **{
                        key: data[key] if key == "accessibility_contact" else french_typography(data[key])
                        for key in PUBLIC_TEXTS
                    },
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


def demo_report() -> str:
    """Load the demo trainings for `frenchbot demo` and say what was created, with the demo access codes (""
    when they were there)."""
    created = courses_demo_load()
    if not created["trainings"]:
        return ""
    codes = created["codes"]
    trainings = f"{created['trainings']} formation" + ("s" if created["trainings"] > 1 else "")
    line = (
        f"Formations : {trainings}, {created['modules']} modules, "
        f"{created['lessons']} leçons, {created['quizzes']} quiz, {created['exercises']} exercices"
    )
    if codes:
        label = "codes d'accès de démonstration" if len(codes) > 1 else "code d'accès de démonstration"
        line += f" ; {label} : {', '.join(codes)}"
    return line + "."


@transaction.atomic
def demo_remove() -> str:
    """Delete the demo trainings (with their modules, lessons, quizzes and exercises) and their public access
    codes; a training the team created stays. A demo training someone enrolled in is kept, unpublished: its
    learners' progress and certificates are theirs. Says what was done."""
    trainings = courses_demo_trainings()
    codes = AccessCode.objects.filter(code__in=[data["access_code"].upper() for data in trainings])
    removed_codes = codes.count()
    codes.delete()
    removed, kept = 0, []
    for training in Training.objects.filter(slug__in=[data["slug"] for data in trainings]):
        try:
            with transaction.atomic():
                training.delete()
            removed += 1
        except ProtectedError:
            Training.objects.filter(pk=training.pk).update(is_published=False)
            kept.append(training.title)
    lines = []
    if removed or removed_codes:
        lines.append(
            f"Formations : {removed} formations et {removed_codes} codes d'accès de démonstration retirés."
        )
    if kept:
        lines.append(f"Gardées mais dépubliées (elles ont des inscrits) : {', '.join(kept)}.")
    return " ".join(lines)
