"""A quiz's page and a prompt exercise's page: plain HTML forms that work without JavaScript.

Both are for signed-in learners with an active enrolment in the training; the team (staff) may open them without
one, as a preview in which answers are checked but nothing is recorded and no model is called.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.text import render_markdown

from ..assessments import (
    NON_FIELD,
    PROMPT_MAX_CHARS,
    QuizEvaluation,
    exercise_check,
    exercise_needed,
    exercise_passed,
    prompt_clean,
    quiz_evaluate,
)
from ..errors import AssessmentError
from ..models import Enrolment, PromptExercise, Quiz, Training
from ..selectors.assessments import (
    QuizState,
    exercise_ai_provider,
    exercise_passed_once,
    exercise_submissions,
    quiz_state,
    submission_ai_pending,
    submission_ai_unavailable,
)
from ..selectors.progress import enrolment_get
from ..selectors.trainings import (
    exercise_criteria,
    quiz_questions,
    step_get_published,
    training_get_published,
)
from ..services.assessments import exercise_submit, quiz_submit

ANSWER_FIELD = re.compile(r"^q([0-9]{1,12})\Z")
RETRY_PARAM = "reessayer"
HISTORY_SIZE = 5


@dataclass
class _Opened:
    training: Training
    step: Quiz | PromptExercise
    enrolment: Enrolment | None  # None: a staff preview

    @property
    def preview(self) -> bool:
        return self.enrolment is None


def _open(request: HttpRequest, *, slug: str, model, pk: int, template: str, denied: str):
    """The step if this person may use it, else the response to send (sign-in, 404 or 403)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    training = training_get_published(slug=slug)
    if training is None:
        raise Http404(_("Cette formation n'existe pas ou n'est plus proposée."))
    step = step_get_published(model=model, training=training, pk=pk)
    if step is None:
        raise Http404(_("Cette page n'existe pas ou n'est plus proposée."))
    enrolment = enrolment_get(user=request.user, training=training)
    if enrolment is None and not request.user.is_staff:
        context = {"training": training, "step": step, "denied": denied}
        return render(request, template, context, status=403)
    return _Opened(training=training, step=step, enrolment=enrolment)


def _rate_limited(request: HttpRequest) -> bool:
    # One budget per learner for quiz and exercise submissions together (an exercise may call a model).
    return rate_limit_hit(
        scope="courses_submit",
        key=str(request.user.pk),
        limit=settings.COURSES_SUBMIT_RATE_LIMIT,
        window_seconds=3600,
    )


def _rate_message() -> str:
    return _(
        "Vous avez envoyé beaucoup de réponses en peu de temps. Patientez quelques minutes puis renvoyez-les : "
        "elles sont conservées ci-dessous."
    )


# ---------------------------------------------------------------------------------------------------------------
# Quiz


def _posted_answers(request: HttpRequest) -> dict[int, list[str]]:
    # Every `q<id>` sent, known question or not: a forged one must be refused by the service, not ignored.
    return {
        int(match.group(1)): request.POST.getlist(key)
        for key in request.POST
        if (match := ANSWER_FIELD.match(key))
    }


def _question_items(questions, *, selected: dict[int, set[int]], errors: dict) -> list[dict]:
    return [
        {
            "question": question,
            "choices": list(question.choices.all()),
            "multiple": question.kind == question.Kind.MULTIPLE,
            "selected": selected.get(question.id, set()),
            "error": errors.get(question.id, ""),
        }
        for question in questions
    ]


def _quiz_result(source: QuizEvaluation | QuizState) -> dict:
    """What the result section shows, from a preview's evaluation or from the learner's last attempt."""
    if isinstance(source, QuizEvaluation):
        return {
            "score": source.score,
            "passed": source.passed,
            "correct_count": source.correct_count,
            "total": source.total,
            "results": source.results,
        }
    return {
        "score": source.last_attempt.score,
        "passed": source.last_attempt.passed,
        "correct_count": source.last_correct_count,
        "total": len(source.last_results),
        "results": source.last_results,
        "number": source.last_attempt.number,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def quiz(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    template = "courses/quiz.html"
    opened = _open(
        request,
        slug=slug,
        model=Quiz,
        pk=quiz_id,
        template=template,
        denied=_("Cet exercice est réservé aux personnes inscrites à la formation."),
    )
    if isinstance(opened, HttpResponse):
        return opened
    quiz = opened.step
    questions = quiz_questions(quiz=quiz)
    state = None if opened.preview else quiz_state(enrolment=opened.enrolment, quiz=quiz, questions=questions)
    status = 200
    message = ""
    errors: dict = {}
    selected: dict[int, set[int]] = {}
    preview_evaluation = None
    retry = RETRY_PARAM in request.GET
    show_form = state is None or state.last_attempt is None or (state.can_attempt and retry)
    if request.method == "POST":
        answers = _posted_answers(request)
        selected = {
            qid: {int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 12}
            for qid, values in answers.items()
        }
        show_form = state is None or state.can_attempt
        if _rate_limited(request):
            status, message = 429, _rate_message()
        elif opened.preview:
            try:
                preview_evaluation = quiz_evaluate(quiz=quiz, answers=answers, questions=questions)
                show_form = False
            except AssessmentError as error:
                status, message, errors = 422, error.message, error.errors
        else:
            try:
                quiz_submit(enrolment=opened.enrolment, quiz=quiz, answers=answers)
            except AssessmentError as error:
                message, errors = error.message, error.errors
                if error.code == "invalid":
                    status = 422
                else:
                    # Passed already, no attempt left, a concurrent attempt, nothing to answer: the result (if
                    # any) is what there is to show.
                    status = 409
                    show_form = False
                    state = quiz_state(enrolment=opened.enrolment, quiz=quiz, questions=questions)
            else:
                return redirect(f"{quiz.get_absolute_url()}#resultat")
    if not questions:
        show_form = False
    result = None
    if preview_evaluation is not None:
        result = _quiz_result(preview_evaluation)
    elif state is not None and state.last_attempt is not None and not show_form:
        result = _quiz_result(state)
    context = {
        "training": opened.training,
        "step": quiz,
        "quiz": quiz,
        "preview": opened.preview,
        "state": state,
        "result": result,
        "show_form": show_form,
        "items": _question_items(questions, selected=selected, errors=errors),
        "message": message,
        "general_error": errors.get(NON_FIELD, ""),
        "has_questions": bool(questions),
        "retry_url": f"{quiz.get_absolute_url()}?{RETRY_PARAM}=1#questions",
    }
    return render(request, template, context, status=status)


# ---------------------------------------------------------------------------------------------------------------
# Prompt exercise


def _met(results) -> int:
    return sum(1 for r in results if (r["met"] if isinstance(r, dict) else r.met))


@require_http_methods(["GET", "HEAD", "POST"])
def exercise(request: HttpRequest, slug: str, exercise_id: int) -> HttpResponse:
    template = "courses/exercise.html"
    opened = _open(
        request,
        slug=slug,
        model=PromptExercise,
        pk=exercise_id,
        template=template,
        denied=_("Cet exercice est réservé aux personnes inscrites à la formation."),
    )
    if isinstance(opened, HttpResponse):
        return opened
    exercise = opened.step
    criteria = exercise_criteria(exercise=exercise)
    submissions = (
        []
        if opened.preview
        else exercise_submissions(enrolment=opened.enrolment, exercise=exercise, limit=HISTORY_SIZE + 1)
    )
    latest = submissions[0] if submissions else None
    prompt_value = latest.prompt if latest else ""
    status = 200
    error = ""
    preview_results = None
    if request.method == "POST":
        prompt_value = request.POST.get("prompt", "")
        if _rate_limited(request):
            status, error = 429, _rate_message()
        else:
            try:
                if opened.preview:
                    text = prompt_clean(prompt_value)
                    preview_results = exercise_check(exercise=exercise, prompt=text, criteria=criteria)
                else:
                    exercise_submit(enrolment=opened.enrolment, exercise=exercise, prompt=prompt_value)
                    return redirect(f"{exercise.get_absolute_url()}#resultat")
            except AssessmentError as refusal:
                status = 403 if refusal.code == "forbidden" else 422
                error = refusal.errors.get("prompt", refusal.message)
    if preview_results is not None:
        result = {
            "results": [r.as_dict() for r in preview_results],
            "passed": exercise_passed(exercise=exercise, results=preview_results),
            "submission": None,
        }
    elif latest is not None:
        result = {"results": latest.results, "passed": latest.passed, "submission": latest}
    else:
        result = None
    if result is not None:
        result["met"] = _met(result["results"])
        result["total"] = len(result["results"])
    provider = None if opened.preview else exercise_ai_provider()
    context = {
        "training": opened.training,
        "step": exercise,
        "exercise": exercise,
        "preview": opened.preview,
        # Staff-written Markdown, sanitised by render_markdown (no raw HTML, allow-listed tags).
        "task_html": mark_safe(render_markdown(exercise.task)),  # noqa: S308
        "criteria": criteria,
        "needed": exercise_needed(exercise=exercise, total=len(criteria)),
        "result": result,
        "ai_unavailable": bool(result and result["submission"])
        and submission_ai_unavailable(result["submission"]),
        "ai_pending": bool(result and result["submission"]) and submission_ai_pending(result["submission"]),
        "history": [
            {"submission": s, "met": _met(s.results), "total": len(s.results)} for s in submissions[1:]
        ],
        "prompt_value": prompt_value,
        "error": error,
        "max_chars": PROMPT_MAX_CHARS,
        "max_chars_text": number_format(PROMPT_MAX_CHARS, force_grouping=True),
        "ai_model_name": str(provider.display_name) if provider is not None else "",
        "passed_once": not opened.preview
        and exercise_passed_once(enrolment=opened.enrolment, exercise=exercise),
    }
    return render(request, template, context, status=status)
