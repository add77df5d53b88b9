"""Writes of quizzes and prompt exercises: attempts and submissions, checked on the server (assessments.py).

Once a quiz is passed it takes no more attempts (the result stays on the page). A pass, of a quiz or an
exercise, may complete the training: the certificate is then issued, through the one certificate service.
"""

from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import tasks
from ..assessments import exercise_check, exercise_passed, prompt_clean, quiz_evaluate
from ..errors import AssessmentError
from ..models import Enrolment, ExerciseSubmission, PromptExercise, Quiz, QuizAttempt
from ..selectors.assessments import exercise_ai_provider, quiz_attempts_allowed
from ..selectors.trainings import quiz_questions
from .certificates import certificate_issue_if_complete


def _check_enrolment(*, enrolment: Enrolment, training_id: int) -> None:
    if not enrolment.is_active or enrolment.training_id != training_id:
        raise AssessmentError(
            _("Cet exercice est réservé aux personnes inscrites à la formation."), code="forbidden"
        )


def _attempts_message(allowed: int) -> str:
    return ngettext(
        "Vous avez utilisé votre tentative pour ce quiz.",
        "Vous avez utilisé vos %(count)d tentatives pour ce quiz.",
        allowed,
    ) % {"count": allowed}


def _next_number(*, enrolment: Enrolment, quiz: Quiz) -> int:
    # The highest number plus one, not the count: when the team deletes an attempt to give a learner another
    # chance, the next number must not collide with a remaining one.
    highest = QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


def quiz_submit(*, enrolment: Enrolment, quiz: Quiz, answers: Mapping[int | str, Sequence]) -> QuizAttempt:
    """Record one attempt at `quiz`: answers checked and scored on the server.

    Refused (AssessmentError, nothing written) when the answers are incomplete or forged (``"invalid"``), when
    the quiz is already passed (``"passed"``), when every allowed attempt is used (``"attempts"``), or when
    another attempt was recorded at the same moment (``"conflict"``). The limit holds under concurrent submits:
    the enrolment row is locked, the count and the insert share one transaction, and the (enrolment, quiz,
    number) constraint refuses a second attempt with the same number. A pass then checks whether the certificate is due.
    """
    _check_enrolment(enrolment=enrolment, training_id=quiz.module.training_id)
    questions = quiz_questions(quiz=quiz)
    try:
        with transaction.atomic():
            # One learner's submissions queue here: on PostgreSQL (read committed) a second request could
            # otherwise count the attempts before the first commits, then number its own after it — one
            # attempt over the limit. SQLite's BEGIN IMMEDIATE already serialises writers.
            list(Enrolment.objects.select_for_update().filter(pk=enrolment.pk).values_list("pk", flat=True))
            previous = list(
                QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).values_list("passed", flat=True)
            )
            if any(previous):
                raise AssessmentError(_("Vous avez déjà réussi ce quiz."), code="passed")
            allowed = quiz_attempts_allowed(quiz=quiz)
            if allowed is not None and len(previous) >= allowed:
                raise AssessmentError(_attempts_message(allowed), code="attempts")
            evaluation = quiz_evaluate(quiz=quiz, answers=answers, questions=questions)
            attempt = QuizAttempt.objects.create(
                enrolment=enrolment,
                quiz=quiz,
                number=_next_number(enrolment=enrolment, quiz=quiz),
                answers=evaluation.answers,
                score=evaluation.score,
                passed=evaluation.passed,
            )
    except IntegrityError as error:
        raise AssessmentError(
            _(
                "Une autre tentative de ce quiz vient d'être enregistrée, sans doute depuis un autre onglet. "
                "Rechargez la page pour voir votre résultat."
            ),
            code="conflict",
        ) from error
    if attempt.passed:
        certificate_issue_if_complete(enrolment=enrolment)
    return attempt


def exercise_submit(
    *, enrolment: Enrolment, exercise: PromptExercise, prompt: str, ai: bool | None = None
) -> ExerciseSubmission:
    """Check `prompt` against the rubric, save the submission, then (maybe) ask the model for its feedback.

    Raises AssessmentError (nothing written) for an empty or too long prompt, or an enrolment that does not
    open this exercise. The submission and its rubric result are saved first; a pass then checks whether the
    certificate is due. `ai`: None follows COURSES_EXERCISE_AI_FEEDBACK, False skips the model, True asks it
    even when the setting is off; in every case only a generative provider is asked. The model is called in
    the task queue (`ai_status` "pending" until then), bounded by the provider's timeouts and
    COURSES_EXERCISE_AI_TIMEOUT; when it fails the submission keeps its rubric result and its AI part is
    "unavailable" (see `tasks.exercise_ai_review`).
    """
    _check_enrolment(enrolment=enrolment, training_id=exercise.module.training_id)
    text = prompt_clean(prompt)
    results = exercise_check(exercise=exercise, prompt=text)
    submission = ExerciseSubmission.objects.create(
        enrolment=enrolment,
        exercise=exercise,
        prompt=text,
        results=[r.as_dict() for r in results],
        passed=exercise_passed(exercise=exercise, results=results),
    )
    if submission.passed:
        certificate_issue_if_complete(enrolment=enrolment)
    if ai is not False:
        provider = exercise_ai_provider(force=bool(ai))
        if provider is not None:
            submission.ai_model = str(provider.model_id)[:120]
            submission.ai_status = ExerciseSubmission.AIStatus.PENDING
            submission.save(update_fields=["ai_model", "ai_status"])
            # The row is committed (this service runs outside any transaction), so a worker finds it. A model
            # can take a minute: a sync view waiting for it would hold the ASGI worker's only sync thread.
            tasks.exercise_ai_review_run.enqueue(submission_id=submission.pk)
    return submission
