"""Checking a learner's answers to quizzes and prompts: pure rules, no writes (the services record attempts).

Everything that decides a result runs here, on the server: the browser only sends choice ids or a prompt.

Quizzes: a question scores when the set of choices picked is exactly the set of right choices. Multiple-choice
questions are all-or-nothing (no partial credit: one missing or one extra choice makes the question wrong), so a
learner cannot pass by ticking every box. The score is ``floor(100 * right / questions)``; the quiz is passed
from ``quiz.pass_mark`` up.

Prompt exercises: each ``RubricCriterion`` is checked deterministically (rules below, at ``exercise_check``);
the model's comment (tasks.py) comes on top and never changes this result.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import regex
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from frenchbot.core.text import fold

from .errors import AssessmentError
from .models import PromptExercise, Quiz, QuizChoice, QuizQuestion, RubricCriterion
from .selectors.trainings import exercise_criteria, quiz_questions

logger = logging.getLogger(__name__)

# Seconds a staff-written rubric regex may run on one prompt. Catastrophic backtracking (nested quantifiers) would
# otherwise hold the worker for minutes; the `regex` package stops the match itself, no thread or signal needed.
REGEX_TIMEOUT = 0.25

PROMPT_MAX_CHARS = 4000
NON_FIELD = "__all__"


# ---------------------------------------------------------------------------------------------------------------
# Quizzes


@dataclass(frozen=True)
class QuestionResult:
    """One question of an attempt: what was picked, what was right, and whether they are the same set."""

    question: QuizQuestion
    chosen: list[QuizChoice]
    correct: list[QuizChoice]
    is_correct: bool

    @property
    def answered(self) -> bool:
        return bool(self.chosen)


@dataclass(frozen=True)
class QuizEvaluation:
    """The result of a set of answers, before (or without) recording it."""

    answers: dict[str, list[int]]
    results: list[QuestionResult]
    correct_count: int
    total: int
    score: int
    passed: bool


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def _results_for(questions: Sequence[QuizQuestion], chosen: Mapping[int, set[int]]) -> list[QuestionResult]:
    results = []
    for question in questions:
        choices = list(question.choices.all())
        picked = chosen.get(question.id, set())
        right = {c.id for c in choices if c.is_correct}
        results.append(
            QuestionResult(
                question=question,
                chosen=[c for c in choices if c.id in picked],
                correct=[c for c in choices if c.is_correct],
                is_correct=bool(picked) and picked == right,
            )
        )
    return results


def quiz_results(*, questions: Sequence[QuizQuestion], answers: Mapping) -> list[QuestionResult]:
    """Question by question, a stored attempt's answers (question id → choice ids, as saved) against
    `questions`: ids that no longer exist are ignored."""
    chosen: dict[int, set[int]] = {}
    for key, values in (answers or {}).items():
        question_id = _as_int(key)
        if question_id is not None and isinstance(values, list):
            chosen[question_id] = {i for i in map(_as_int, values) if i is not None}
    return _results_for(questions, chosen)


def quiz_evaluate(
    *, quiz: Quiz, answers: Mapping[int | str, Sequence], questions: Sequence[QuizQuestion] | None = None
) -> QuizEvaluation:
    """Check and score `answers` (question id → picked choice ids) without writing anything.

    Every question must be answered, a single-choice question with exactly one choice, and every id must
    belong to this quiz and that question: otherwise AssessmentError, with one French message per question in
    `errors` (unknown question ids under ``"__all__"``).
    """
    questions = list(questions) if questions is not None else quiz_questions(quiz=quiz)
    if not questions:
        raise AssessmentError(_("Ce quiz n'a pas encore de question."), code="empty")
    by_id = {q.id: q for q in questions}
    errors: dict = {}
    raw: dict[int, list] = {}
    for key, values in answers.items():
        question_id = _as_int(key)
        if question_id is None or question_id not in by_id:
            errors[NON_FIELD] = _("Votre envoi contient une question qui ne fait pas partie de ce quiz.")
            continue
        if isinstance(values, str | int) or values is None:
            values = [] if values is None else [values]
        raw[question_id] = list(values)
    chosen: dict[int, set[int]] = {}
    for question in questions:
        values = [v for v in raw.get(question.id, []) if str(v).strip() != ""]
        allowed = {c.id for c in question.choices.all()}
        ids = {_as_int(v) for v in values}
        single = question.kind == QuizQuestion.Kind.SINGLE
        if not values:
            errors[question.id] = (
                _("Choisissez une réponse.") if single else _("Choisissez au moins une réponse.")
            )
        elif None in ids or not ids <= allowed:
            errors[question.id] = _(
                "Cette réponse ne fait pas partie des choix proposés pour cette question."
            )
        elif single and len(ids) != 1:
            errors[question.id] = _("Choisissez une seule réponse.")
        else:
            chosen[question.id] = ids
    if errors:
        raise AssessmentError(
            _("Vos réponses ne sont pas encore enregistrées : complétez les questions signalées."),
            errors=errors,
        )
    results = _results_for(questions, chosen)
    correct = sum(1 for r in results if r.is_correct)
    score = (100 * correct) // len(questions)
    return QuizEvaluation(
        answers={str(qid): sorted(ids) for qid, ids in chosen.items()},
        results=results,
        correct_count=correct,
        total=len(questions),
        score=score,
        passed=score >= quiz.pass_mark,
    )


# ---------------------------------------------------------------------------------------------------------------
# Prompt exercises: the rubric
#
# Words and phrases are compared accents and case folded (« Vous êtes » = « vous etes »), typographic
# apostrophes as straight ones, and on word boundaries: « tu es » matches « Tu es un expert » but not
# « statues », « liste » does not match « listening ». A value ending in « * » matches a word's beginning
# (« exempl* » matches « exemples »).


@dataclass(frozen=True)
class CriterionResult:
    """One criterion checked on a prompt: its label, met or not, and the feedback written for that case."""

    label: str
    met: bool
    feedback: str

    def as_dict(self) -> dict:
        return {"label": self.label, "met": self.met, "feedback": self.feedback}


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    return fold((text or "").translate(_APOSTROPHES))


def _values(criterion: RubricCriterion) -> list[str]:
    return [line.strip() for line in (criterion.values or "").splitlines() if line.strip()]


def _phrase_found(phrase: str, folded_text: str) -> bool:
    """`phrase` occurs in the folded text as whole words (separated by any spaces or punctuation)."""
    folded = _fold(phrase).strip()
    prefix = folded.endswith("*")
    words = _WORD.findall(folded.rstrip("*"))
    if not words:
        # Punctuation only (« ? », « : »): a plain search is all that makes sense.
        literal = folded.rstrip("*").strip()
        return bool(literal) and literal in folded_text
    pattern = r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words) + (r"\w*" if prefix else r"(?!\w)")
    return re.search(pattern, folded_text) is not None


def _word_total(text: str) -> int:
    # Words as a word processor counts them (« l'IA » is one word), which is what learners check against.
    return sum(1 for token in text.split() if _WORD.search(token))


_EXAMPLE_PATTERNS = [
    re.compile(pattern, re.MULTILINE)
    for pattern in (
        r"(?<!\w)par\W+exemple(?!\w)",
        r"(?<!\w)p\.\s?ex\.",
        r"(?<!\w)exemples?\s*(?:de\s+\w+\s*)?:",
        r"(?<!\w)voici\s+(?:\w+\s+)?exemples?(?!\w)",
        r"(?<!\w)comme\s+ceci(?!\w)",
        r"(?<!\w)a\s+titre\s+d'\s*exemple(?!\w)",
        r"(?<!\w)(?:cet\s+exemple|exemples?\s+suivants?)(?!\w)",
        r"^\W*exemples?(?!\w)",
    )
]
# A quoted sample: « … », “ … ” or "…" of at least three words.
_QUOTED = re.compile(r"«([^«»]{1,4000})»|“([^“”]{1,4000})”|\"([^\"]{1,4000})\"")
_QUOTED_MIN_WORDS = 3

_NUMBER_WORDS = "deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quinze|vingt|trente|cinquante|cent"
_UNITS = r"(?:mots?|lignes?|phrases?|paragraphes?|points?|puces?|caracteres?)"
_TONES = (
    "formel|informel|professionnel|amical|neutre|chaleureux|courtois|poli|empathique|bienveillant|direct|"
    "humoristique|serieux|decontracte|enthousiaste|rassurant|pedagogique|factuel|convivial|soutenu|familier"
)
_FORMAT_PATTERNS = [
    re.compile(pattern)
    for pattern in (
        r"(?<!\w)listes?(?!\w)",
        r"(?<!\w)tableaux?(?!\w)",
        r"(?<!\w)puces?(?!\w)",
        r"(?<!\w)paragraphes?(?!\w)",
        r"(?<!\w)colonnes?(?!\w)",
        rf"(?<!\w)(?:\d+|{_NUMBER_WORDS})\s+{_UNITS}(?!\w)",
        r"(?<!\w)(?:en\s+une|une\s+seule)\s+(?:phrase|ligne)(?!\w)",
        r"(?<!\w)format(?:s|e|es|ee|ees|er|ez)?(?!\w)",
        r"(?<!\w)(?:markdown|json|csv|html)(?!\w)",
        r"(?<!\w)etapes?(?!\w)",
        # « titre », but not the idiom « à titre (d'exemple, indicatif…) ».
        r"(?<!\ba\s)(?<!\w)(?:sous-)?titres?(?!\w)",
        # « ton » is also a possessive (« ton client »): only the tone of voice counts.
        r"(?<!\w)(?:un|le|du|au|ce|meme)\s+ton(?!\w)",
        r"(?<!\w)ton\s*:",
        rf"(?<!\w)ton\s+(?:{_TONES})(?!\w)",
        r"(?<!\w)(?:tonalite|registre)(?!\w)",
    )
]


def _has_example(prompt: str, folded: str, extra: list[str]) -> bool:
    if any(p.search(folded) for p in _EXAMPLE_PATTERNS):
        return True
    for match in _QUOTED.finditer(prompt.translate(_APOSTROPHES)):
        sample = next(g for g in match.groups() if g is not None)
        if _word_total(sample) >= _QUOTED_MIN_WORDS:
            return True
    return any(_phrase_found(value, folded) for value in extra)


def _has_format(folded: str, extra: list[str]) -> bool:
    return any(p.search(folded) for p in _FORMAT_PATTERNS) or any(_phrase_found(v, folded) for v in extra)


def _criterion_met(criterion: RubricCriterion, prompt: str, folded: str) -> bool:
    rule = criterion.rule
    values = _values(criterion)
    Check = RubricCriterion.Check
    if rule in (Check.CONTAINS_ANY, Check.CONTAINS_ALL):
        if not values:
            logger.warning("Rubric criterion %s (%s) has no words to look for", criterion.pk, rule)
            return False
        found = (_phrase_found(value, folded) for value in values)
        return any(found) if rule == Check.CONTAINS_ANY else all(found)
    if rule == Check.MIN_WORDS:
        minimum = _as_int(values[0]) if values else None
        if minimum is None:
            logger.warning(
                "Rubric criterion %s (min_words) has no integer: %r", criterion.pk, criterion.values
            )
            return False
        return _word_total(prompt) >= minimum
    if rule == Check.HAS_EXAMPLE:
        return _has_example(prompt, folded, values)
    if rule == Check.HAS_FORMAT:
        return _has_format(folded, values)
    if rule == Check.REGEX:
        if not values:
            logger.warning("Rubric criterion %s (regex) has no expression", criterion.pk)
            return False
        try:
            pattern = regex.compile(values[0], regex.IGNORECASE)
        except (regex.error, RecursionError, OverflowError) as error:
            logger.warning("Rubric criterion %s has an invalid regex %r: %s", criterion.pk, values[0], error)
            return False
        try:
            return pattern.search(prompt, timeout=REGEX_TIMEOUT) is not None
        except TimeoutError:
            logger.warning(
                "Rubric criterion %s: regex %r timed out on a %d-character prompt; counted as not met",
                criterion.pk,
                values[0],
                len(prompt),
            )
            return False
    logger.warning("Rubric criterion %s has an unknown rule %r", criterion.pk, rule)
    return False


def exercise_check(
    *, exercise: PromptExercise, prompt: str, criteria: Sequence[RubricCriterion] | None = None
) -> list[CriterionResult]:
    """Check `prompt` against every criterion of the exercise's rubric, in order. Deterministic, no model.

    Rules (`RubricCriterion.rule`, its `values` one per line):
    - contains_any / contains_all: one / every value occurs as whole words, accents and case ignored;
    - min_words: at least the first value's number of words (« l'IA » counts as one);
    - has_example: « par exemple », « p. ex. », « exemple : », « voici un exemple », « comme ceci », a line
      starting with « Exemple », a sample of three words or more between « », “ ” or "", or a value;
    - has_format: liste, tableau, puces, paragraphe(s), colonnes, « N mots/lignes/phrases », format, Markdown,
      JSON, CSV, étapes, titre, a tone (« un ton », « ton : », « ton formel »…), registre, or a value;
    - regex: the first value, searched case-insensitively in the prompt as typed (stopped after
      REGEX_TIMEOUT seconds, then not met).
    A misconfigured criterion (no value, not a number, invalid or too slow regex, unknown rule) is not met and logged;
    it never raises.
    """
    criteria = list(criteria) if criteria is not None else exercise_criteria(exercise=exercise)
    folded = _fold(prompt)
    results = []
    for criterion in criteria:
        met = _criterion_met(criterion, prompt, folded)
        results.append(
            CriterionResult(
                label=criterion.label,
                met=met,
                feedback=criterion.feedback_ok if met else criterion.feedback_missing,
            )
        )
    return results


def exercise_needed(*, exercise: PromptExercise, total: int) -> int:
    """Criteria to meet to pass: `pass_criteria`, or every one when it is 0 (never more than there are)."""
    return min(exercise.pass_criteria or total, total)


def exercise_passed(*, exercise: PromptExercise, results: Sequence[CriterionResult]) -> bool:
    return sum(1 for r in results if r.met) >= exercise_needed(exercise=exercise, total=len(results))


def prompt_clean(prompt: str | None) -> str:
    """The prompt as it will be checked and stored (line breaks normalised, outer blank space trimmed), or
    AssessmentError on the ``"prompt"`` field when it is empty or longer than PROMPT_MAX_CHARS."""
    # Browsers send line breaks as CRLF but count them as one character against maxlength. NUL characters are
    # never typed on purpose, and PostgreSQL refuses them in text.
    text = (prompt or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not text:
        message = _("Écrivez votre prompt avant de l'envoyer.")
        raise AssessmentError(message, errors={"prompt": message})
    if len(text) > PROMPT_MAX_CHARS:
        message = _(
            "Votre prompt compte %(length)s caractères : raccourcissez-le à %(max)s caractères au plus."
        ) % {"length": _thousands(len(text)), "max": _thousands(PROMPT_MAX_CHARS)}
        raise AssessmentError(message, errors={"prompt": message})
    return text


def _thousands(number: int) -> str:
    # « 4 000 » in French: the active language's grouping (frenchbot/core/formats).
    return number_format(number, force_grouping=True)
