"""Reads of quizzes and prompt exercises: where a learner stands, their submissions, the model that comments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings

from frenchbot.llm.base import Provider
from frenchbot.llm.registry import generative_provider

from ..assessments import QuestionResult, quiz_results
from ..models import Enrolment, ExerciseSubmission, PromptExercise, Quiz, QuizAttempt, QuizQuestion
from .trainings import quiz_questions


@dataclass
class QuizState:
    """Where a learner stands on a quiz: attempts used and left, best score, and the last attempt in detail."""

    attempts_used: int
    attempts_allowed: int | None  # None: no limit
    best_score: int | None
    passed: bool
    last_attempt: QuizAttempt | None
    last_results: list[QuestionResult] = field(default_factory=list)

    @property
    def attempts_left(self) -> int | None:
        if self.attempts_allowed is None:
            return None
        return max(0, self.attempts_allowed - self.attempts_used)

    @property
    def can_attempt(self) -> bool:
        """A new attempt is possible: not passed yet, and attempts remain."""
        return not self.passed and (self.attempts_left is None or self.attempts_left > 0)

    @property
    def last_correct_count(self) -> int:
        return sum(1 for r in self.last_results if r.is_correct)


def quiz_attempts_allowed(*, quiz: Quiz) -> int | None:
    """Attempts a learner gets: the quiz's own number, else COURSES_QUIZ_MAX_ATTEMPTS; None when that setting
    is 0 or less (no limit)."""
    allowed = quiz.max_attempts or settings.COURSES_QUIZ_MAX_ATTEMPTS
    return allowed if allowed and allowed > 0 else None


def quiz_state(
    *, enrolment: Enrolment, quiz: Quiz, questions: Sequence[QuizQuestion] | None = None
) -> QuizState:
    """Attempts used and left, best score, passed or not, and the last attempt question by question.

    The last attempt's per-question detail is recomputed from its stored answers against the current
    questions (its score, stored at the time, stays what was recorded).
    """
    attempts = list(QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).order_by("number"))
    last = attempts[-1] if attempts else None
    last_results: list[QuestionResult] = []
    if last is not None:
        questions = list(questions) if questions is not None else quiz_questions(quiz=quiz)
        last_results = quiz_results(questions=questions, answers=last.answers)
    return QuizState(
        attempts_used=len(attempts),
        attempts_allowed=quiz_attempts_allowed(quiz=quiz),
        best_score=max((a.score for a in attempts), default=None),
        passed=any(a.passed for a in attempts),
        last_attempt=last,
        last_results=last_results,
    )


def exercise_submissions(*, enrolment: Enrolment, exercise: PromptExercise, limit: int = 6):
    """The learner's latest submissions to `exercise`, newest first."""
    return list(
        ExerciseSubmission.objects.filter(enrolment=enrolment, exercise=exercise).order_by(
            "-created_at", "-id"
        )[:limit]
    )


def exercise_passed_once(*, enrolment: Enrolment, exercise: PromptExercise) -> bool:
    return ExerciseSubmission.objects.filter(enrolment=enrolment, exercise=exercise, passed=True).exists()


def submission_ai_unavailable(submission: ExerciseSubmission) -> bool:
    """The model was asked for this submission but gave nothing back (unreachable, refused, too slow)."""
    return submission.ai_status == ExerciseSubmission.AIStatus.UNAVAILABLE


def submission_ai_pending(submission: ExerciseSubmission) -> bool:
    """The model's answer and comment are still being written (the task queue has not run it yet)."""
    return submission.ai_status == ExerciseSubmission.AIStatus.PENDING


def exercise_ai_provider(*, force: bool = False) -> Provider | None:
    """The provider that runs and comments on prompts, or None.

    None when COURSES_EXERCISE_AI_FEEDBACK is off (unless `force`), and when no generative model is configured
    (the extractive default cannot run a prompt; a provider that cannot be built is logged by the registry).
    """
    if not force and not settings.COURSES_EXERCISE_AI_FEEDBACK:
        return None
    return generative_provider()
