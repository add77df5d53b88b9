"""The trainings' refusals: one `CourseError` (a `DomainError`) with a code, and two kinds the views tell apart.

`message` is French (translated), `field` the form field it belongs to, `errors` one message per question id or
field when several inputs are refused at once, `code` a stable name for callers and tests.
"""

from frenchbot.core.errors import DomainError


class CourseError(DomainError):
    """Enrolment and progress: `empty`, `unknown`, `unavailable`, `expired`, `used`, `already_enrolled` (an
    access code), `inactive`, `wrong_training` (a lesson completed)."""


class AssessmentError(CourseError):
    """A quiz or an exercise: `invalid` (bad input; `errors` maps a question id or ``"prompt"``/``"__all__"``
    to its message), `attempts` (no attempt left), `passed` (quiz already passed), `conflict` (another attempt
    recorded at the same moment), `forbidden` (the enrolment does not give access), `empty` (no question yet)."""


class SeatError(CourseError):
    """A company seat: `invalid_email`, `full`, `duplicate`, `not_found`, `forbidden`, `wrong_account`, `taken`,
    `other_seat`."""
