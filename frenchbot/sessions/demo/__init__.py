"""Demo sessions, written for this project (`sessions.toml` beside this file): for « ChatGPT au quotidien » a past
session in Paris with its positioning answers, attendance, countersigned half-days, satisfaction answers and a
complaint followed to its improvement action, and a remote session to come with three registrations; for « L'IA
dans votre PME » a past intra-company session under its signed convention, and another one to come. The learners
of the past sessions also followed the training online: a demo account each (no password), enrolled by the team,
with their attempts at the training's final quiz. Then both trainings' result indicators are computed.

Dates are relative to the day of loading. `frenchbot demo` loads them once, after the demo trainings (this app
comes after courses in INSTALLED_APPS); a session already there (same training, type, format and company, with
the demo trainer) is left as it is. The made-up people are never mailed: what the worker would send them is
marked sent.
"""

import datetime
import re
import zoneinfo
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
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
from frenchbot.core.text import french_typography
from frenchbot.courses.assessments import quiz_evaluate
from frenchbot.courses.models import Enrolment, Quiz, QuizAttempt, QuizQuestion, Training
from frenchbot.courses.selectors.assessments import quiz_attempts_allowed
from frenchbot.courses.selectors.trainings import quiz_questions

from ..errors import SessionError
from ..models import (
    Attendance,
    Complaint,
    Convention,
    HalfDay,
    IndicatorSnapshot,
    Registration,
    SurveyResponse,
    TrainingSession,
)
from ..services.complaints import complaint_reference_next
from ..services.conventions import convention_create
from ..services.indicators import COMPLETION_ATTENDANCE, final_quiz_id, indicator_snapshot_save
from ..services.registrations import positioning_clean

DEMO_FILE = Path(__file__).resolve().parent / "sessions.toml"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
CONSENT_TEXT = "Démonstration : personne fictive."
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_SIGNED = re.compile(r"^(late )?(([01]\d|2[0-3]):([0-5]\d))$")
_TRAINER_KEYS = {"username", "first_name", "last_name", "email"}
_SESSION_TEXTS = (
    "training",
    "kind",
    "format",
    "place",
    "remote_link",
    "practical_info",
    "company_name",
    "price_text",
)
_SESSION_KEYS = {*_SESSION_TEXTS, "day", "seats", "half_days", "registrations", "complaints", "convention"}
_HALF_DAY_KEYS = {"day", "period", "starts", "ends"}
_POSITIONING_KEYS = ("usage", "expectations", "tasks", "adaptations")
_REGISTRATION_KEYS = {
    "name",
    "email",
    "company",
    *_POSITIONING_KEYS,
    "attendance",
    "absence_note",
    "quiz",
    "hot",
    "cold",
}
_SURVEY_KEYS = {"rating", "objectives_met", "would_recommend", "applied", "comment"}
_COMPLAINT_TEXTS = ("name", "email", "company", "role", "subject", "body", "answer", "action")
_COMPLAINT_STEPS = ("received", "answered", "action", "closed")
_CONVENTION_TEXTS = ("company_address", "company_siret", "contact_name", "contact_email", "signer_role")
# The demo accounts of the learners of past sessions: found again by these names to be removed.
_LEARNER_PREFIX = "stagiaire-demo-"


# --- Reading ---------------------------------------------------------------------------------------------------


def _time(value: str, *, key: str, where: str) -> datetime.time:
    if not _TIME.match(value):
        raise DataFileError(f"{where}: '{key}' should be HH:MM (Paris time), not {value!r}.")
    hour, minute = (int(part) for part in value.split(":"))
    return datetime.time(hour, minute)


def _survey_read(table: Any, *, kind: str, where: str) -> dict[str, Any] | None:
    if table is None:
        return None
    if not isinstance(table, dict):
        raise DataFileError(f"{where}: '{kind}' should be a table.")
    keys_only(table, _SURVEY_KEYS if kind == "cold" else _SURVEY_KEYS - {"applied"}, where=f"{where}, {kind}")
    return {
        "rating": value_get(table, "rating", int, where=where),
        "objectives_met": value_get(table, "objectives_met", int, where=where),
        "would_recommend": value_get(table, "would_recommend", bool, where=where),
        "applied": value_get(table, "applied", int, where=where, default=None),
        "comment": value_get(table, "comment", str, where=where, default=""),
    }


def _scores_read(row: dict, *, where: str) -> list[int]:
    scores = value_get(row, "quiz", list, where=where, default=[])
    if not all(
        isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= 100 for score in scores
    ):
        raise DataFileError(
            f"{where}: 'quiz' should be scores in percent (0 to 100), one per attempt, such as [60, 80]."
        )
    return scores


def _registration_read(row: dict, *, half_days: int, past: bool, where: str) -> dict[str, Any]:
    keys_only(row, _REGISTRATION_KEYS, where=where)
    registration = {
        key: value_get(row, key, str, where=where, default="") for key in ("company", "absence_note")
    }
    registration["name"] = value_get(row, "name", str, where=where)
    registration["email"] = value_get(row, "email", str, where=where)
    registration["positioning"] = {
        key: value_get(row, key, str, where=where, default="") for key in _POSITIONING_KEYS
    }
    _kept, errors = positioning_clean(registration["positioning"])
    if errors:
        key, message = next(iter(errors.items()))
        raise DataFileError(f"{where}: '{key}': {message}")
    attendance = texts_get(row, "attendance", where=where) if "attendance" in row else []
    registration["hot"] = _survey_read(row.get("hot"), kind="hot", where=where)
    registration["cold"] = _survey_read(row.get("cold"), kind="cold", where=where)
    registration["quiz"] = _scores_read(row, where=where)
    if not past and (attendance or registration["hot"] or registration["cold"] or registration["quiz"]):
        raise DataFileError(
            f"{where}: attendance, surveys and quiz scores belong to a past session (a negative 'day')."
        )
    if past and len(attendance) != half_days:
        raise DataFileError(f"{where}: 'attendance' should have one entry per half-day ({half_days}).")
    for entry in attendance:
        if entry != "absent" and not _SIGNED.match(entry):
            raise DataFileError(
                f'{where}: attendance {entry!r} should be a time ("09:24"), "late 09:58" or "absent".'
            )
    registration["attendance"] = attendance
    return registration


def _complaint_read(row: dict, *, where: str) -> dict[str, Any]:
    keys_only(row, {*_COMPLAINT_TEXTS, "days"}, where=where)
    complaint = {key: value_get(row, key, str, where=where, default="") for key in _COMPLAINT_TEXTS}
    for key in ("name", "email", "role", "subject", "body"):
        if not complaint[key]:
            raise DataFileError(f"{where}: '{key}' is missing.")
    days = value_get(row, "days", dict, where=where)
    keys_only(days, set(_COMPLAINT_STEPS), where=f"{where}, days")
    complaint["days"] = {
        key: value_get(days, key, int, where=where, default=None) for key in _COMPLAINT_STEPS
    }
    steps = [days[key] for key in _COMPLAINT_STEPS if key in days]
    if complaint["days"]["received"] is None or steps != sorted(steps):
        raise DataFileError(
            f"{where}: 'days' needs 'received', and the steps in order ({', '.join(_COMPLAINT_STEPS)})."
        )
    return complaint


def _convention_read(table: Any, *, where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise DataFileError(f"{where}: 'convention' should be a table.")
    keys_only(table, {*_CONVENTION_TEXTS, "days"}, where=where)
    convention = {key: value_get(table, key, str, where=where, default="") for key in _CONVENTION_TEXTS}
    for key in ("company_address", "contact_name", "contact_email", "signer_role"):
        if not convention[key].strip():
            raise DataFileError(f"{where}: '{key}' is missing.")
    days = value_get(table, "days", dict, where=where)
    keys_only(days, {"written", "signed"}, where=f"{where}, days")
    convention["days"] = {
        key: value_get(days, key, int, where=f"{where}, days") for key in ("written", "signed")
    }
    if not convention["days"]["written"] >= convention["days"]["signed"] >= 1:
        raise DataFileError(
            f"{where}: 'days' counts days before the session's first day: 'written', then 'signed' (1 or more, "
            "not before it was written)."
        )
    return convention


def _learner_username(name: str) -> str:
    return _LEARNER_PREFIX + slugify(name)


def sessions_demo_read() -> dict[str, Any]:
    """The demo trainer and sessions as written in the data file, checked; raises DataFileError naming the place."""
    data = toml_read(DEMO_FILE)
    where = datafile_name(DEMO_FILE)
    keys_only(data, {"trainer", "sessions"}, where=where)
    trainer_table = value_get(data, "trainer", dict, where=where)
    keys_only(trainer_table, _TRAINER_KEYS, where=f"{where}, trainer")
    trainer = {key: value_get(trainer_table, key, str, where=f"{where}, trainer") for key in _TRAINER_KEYS}
    sessions = []
    for number, table in enumerate(tables_get(data, "sessions", where=where), start=1):
        place = f"{where}, session {number}"
        keys_only(table, _SESSION_KEYS, where=place)
        session = {key: value_get(table, key, str, where=place, default="") for key in _SESSION_TEXTS}
        for key in ("training", "kind", "format"):
            if not session[key]:
                raise DataFileError(f"{place}: '{key}' is missing.")
        session["day"] = value_get(table, "day", int, where=place)
        session["seats"] = value_get(table, "seats", int, where=place)
        half_days = []
        for index, row in enumerate(tables_get(table, "half_days", where=place), start=1):
            at = f"{place}, half-day {index}"
            keys_only(row, _HALF_DAY_KEYS, where=at)
            day = value_get(row, "day", int, where=at)
            if day < 1:
                raise DataFileError(f"{at}: 'day' counts the session's working days from 1, not {day}.")
            starts = _time(value_get(row, "starts", str, where=at), key="starts", where=at)
            ends = _time(value_get(row, "ends", str, where=at), key="ends", where=at)
            if ends <= starts:
                raise DataFileError(f"{at}: 'ends' should come after 'starts'.")
            half_days.append(
                {
                    "day": day,
                    "period": value_get(row, "period", str, where=at),
                    "starts": starts,
                    "ends": ends,
                }
            )
        session["half_days"] = half_days
        past = session["day"] < 0
        session["registrations"] = [
            _registration_read(
                row, half_days=len(half_days), past=past, where=f"{place}, registration {index}"
            )
            for index, row in enumerate(table.get("registrations", []), start=1)
        ]
        if len(session["registrations"]) > session["seats"]:
            raise DataFileError(f"{place}: more registrations than seats.")
        session["complaints"] = [
            _complaint_read(row, where=f"{place}, complaint {index}")
            for index, row in enumerate(table.get("complaints", []), start=1)
        ]
        if session["complaints"] and not past:
            raise DataFileError(f"{place}: a complaint belongs to a past session (a negative 'day').")
        session["convention"] = None
        if "convention" in table:
            session["convention"] = _convention_read(table["convention"], where=f"{place}, convention")
            if (
                not past
                or session["kind"] != "intra"
                or not session["company_name"]
                or not session["price_text"]
            ):
                raise DataFileError(
                    f"{place}: a convention belongs to a past intra session with its 'company_name' and "
                    "'price_text'."
                )
            if not session["registrations"]:
                raise DataFileError(f"{place}: a convention covers the session's registrations: add them.")
        sessions.append(session)
    learners: set[str] = set()
    for number, session in enumerate(sessions, start=1):
        for registration in session["registrations"] if session["day"] < 0 else []:
            username = _learner_username(registration["name"])
            if username in learners:
                raise DataFileError(
                    f"{where}, session {number}: two learners of past sessions are named "
                    f"{registration['name']!r}: each gets a demo account of that name."
                )
            learners.add(username)
    return {"trainer": trainer, "sessions": sessions, "learners": sorted(learners)}


# --- Loading ---------------------------------------------------------------------------------------------------


def _working_days(start: datetime.date, count: int) -> list[datetime.date]:
    """`count` working days (Monday to Friday) from `start` on, `start` included when it is one."""
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=PARIS)


def _trainer(data: dict[str, str]):
    user, created = get_user_model().objects.get_or_create(
        username=data["username"],
        defaults={
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "is_staff": True,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _attendances_create(
    *,
    registration: Registration,
    half_days: list[HalfDay],
    entries: list[str],
    note: str,
    trainer,
    where: str,
) -> None:
    for half_day, entry in zip(half_days, entries, strict=True):
        if entry == "absent":
            attendance = Attendance(
                registration=registration,
                half_day=half_day,
                status=Attendance.Status.ABSENT,
                recorded_by=trainer,
                note=french_typography(note),
            )
        else:
            match = _SIGNED.match(entry)
            signed_at = _at(half_day.date, _time(match[2], key="attendance", where=where))
            opens, closes = half_day.window
            if not opens <= signed_at <= closes:
                raise DataFileError(f"{where}: {entry!r} is outside the signing window of {half_day}.")
            attendance = Attendance(
                registration=registration,
                half_day=half_day,
                status=Attendance.Status.LATE if match[1] else Attendance.Status.PRESENT,
                signed_at=signed_at,
                method=Attendance.Method.TYPED,
                signed_name=registration.name,
            )
        model_checked(attendance, where=where).save()


def _survey_create(
    *, registration: Registration, kind: str, answers: dict[str, Any], at: datetime.datetime, where: str
) -> None:
    response = model_checked(
        SurveyResponse(
            session=registration.session,
            registration=registration,
            kind=kind,
            rating=answers["rating"],
            objectives_met=answers["objectives_met"],
            would_recommend=answers["would_recommend"],
            applied=answers["applied"],
            comment=french_typography(answers["comment"]),
        ),
        where=f"{where}, {kind}",
    )
    response.save()
    SurveyResponse.objects.filter(pk=response.pk).update(created_at=at)


def _complaint_create(
    *, session: TrainingSession, data: dict[str, Any], last_day: datetime.date, trainer, now, where: str
) -> bool:
    moments = {
        key: _at(last_day + datetime.timedelta(days=days), datetime.time(10)) if days is not None else None
        for key, days in data["days"].items()
    }
    # A step still to come on the day of loading has not happened yet.
    moments = {
        key: moment if moment is not None and moment <= now else None for key, moment in moments.items()
    }
    received = moments["received"]
    if received is None:
        return False
    status = Complaint.Status.RECEIVED
    if moments["answered"]:
        status = Complaint.Status.ANSWERED
    if moments["closed"]:
        status = Complaint.Status.CLOSED
    complaint = model_checked(
        Complaint(
            reference=complaint_reference_next(year=received.year),
            name=data["name"],
            email=data["email"],
            company=data["company"],
            role=data["role"],
            training=session.training,
            session=session,
            subject=french_typography(data["subject"]),
            body=french_typography(data["body"]),
            status=status,
            handled_by=trainer,
            answer=french_typography(data["answer"]) if moments["answered"] else "",
            answered_at=moments["answered"],
            action=french_typography(data["action"]) if moments["action"] else "",
            action_at=moments["action"],
            closed_at=moments["closed"],
        ),
        where=where,
    )
    complaint.save()
    Complaint.objects.filter(pk=complaint.pk).update(
        created_at=received, updated_at=max(moment for moment in moments.values() if moment)
    )
    return True


def _convention_create(
    *, session: TrainingSession, data: dict[str, Any], first: HalfDay, where: str
) -> Convention:
    """The company's convention, written then signed on the days before the session that the data file says."""
    table = data["convention"]
    try:
        convention = convention_create(
            session=session,
            company_name=data["company_name"],
            company_address=table["company_address"],
            company_siret=table["company_siret"],
            contact_name=table["contact_name"],
            contact_email=table["contact_email"],
            seats=len(data["registrations"]),
            price_text=session.price_text,
        )
    except SessionError as error:
        raise DataFileError(f"{where}: {error.field or 'convention'}: {error.message}") from error
    written = _at(first.date - datetime.timedelta(days=table["days"]["written"]), datetime.time(15, 10))
    signed = _at(first.date - datetime.timedelta(days=table["days"]["signed"]), datetime.time(11, 40))
    # The signing page refuses a session already begun (this one is past): the signature is recorded as the
    # company made it, before the session. Signed, the e-mail queued with the convention sends nothing.
    Convention.objects.filter(pk=convention.pk).update(
        created_at=written,
        updated_at=signed,
        signed_at=signed,
        signer_name=table["contact_name"],
        signer_role=table["signer_role"],
    )
    return convention


def _final_quiz(training: Training) -> tuple[Quiz | None, list[QuizQuestion]]:
    """The quiz the indicators read the success rate on, with its questions (None when the training has none)."""
    quiz_id = final_quiz_id(training)
    if quiz_id is None:
        return None, []
    quiz = Quiz.objects.get(pk=quiz_id)
    return quiz, quiz_questions(quiz=quiz)


def _answers_for(questions: list[QuizQuestion], *, score: int, shift: int) -> dict[str, list[int]]:
    """Answers that score `score` % as near as the number of questions allows: the right choices, but a wrong
    one on as many questions as needed (which ones moves with `shift`, so that learners miss different ones)."""
    right = round(score * len(questions) / 100)
    missed = {(shift + step) % len(questions) for step in range(len(questions) - right)}
    answers = {}
    for position, question in enumerate(questions):
        choices = list(question.choices.all())
        correct = [choice.pk for choice in choices if choice.is_correct]
        wrong = [choice.pk for choice in choices if not choice.is_correct]
        answers[str(question.pk)] = wrong[:1] if position in missed and wrong else correct or wrong[:1]
    return answers


def _quiz_attempts_create(
    *,
    enrolment: Enrolment,
    quiz: Quiz,
    questions: list[QuizQuestion],
    scores: list[int],
    start: datetime.datetime,
    now: datetime.datetime,
    shift: int,
) -> datetime.datetime | None:
    """The learner's attempts, a day apart from `start` on, marked by the site's own rules; returns when the last
    one was made (None without any)."""
    allowed = quiz_attempts_allowed(quiz=quiz)
    last = None
    for number, score in enumerate(scores, start=1):
        # What the quiz page refuses: an attempt beyond those allowed, or after a pass (the team may have changed
        # the quiz since the data file was written).
        if allowed is not None and number > allowed:
            break
        evaluation = quiz_evaluate(
            quiz=quiz, answers=_answers_for(questions, score=score, shift=shift + number), questions=questions
        )
        attempt = QuizAttempt.objects.create(
            enrolment=enrolment,
            quiz=quiz,
            number=number,
            answers=evaluation.answers,
            score=evaluation.score,
            passed=evaluation.passed,
        )
        last = min(start + datetime.timedelta(days=number - 1, minutes=7 * shift), now)
        QuizAttempt.objects.filter(pk=attempt.pk).update(created_at=last)
        if evaluation.passed:
            break
    return last


def _learner_online_create(
    *,
    registration: Registration,
    row: dict[str, Any],
    training: Training,
    final_quiz: tuple[Quiz | None, list[QuizQuestion]],
    registered_at: datetime.datetime,
    last: HalfDay,
    half_days: int,
    now: datetime.datetime,
    index: int,
) -> int:
    """The learner's demo account (no password: nobody signs in with it), enrolled by the team in the training
    online when they registered, with their attempts at its final quiz in the days after the session; the
    enrolment is completed when they attended enough of the session. Returns 1 when the account was created."""
    first_name, _space, last_name = registration.name.partition(" ")
    user, created = get_user_model().objects.get_or_create(
        username=_learner_username(registration.name),
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": registration.email,
            "date_joined": registered_at,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Registration.objects.filter(pk=registration.pk).update(user=user)
    enrolment, enrolled = Enrolment.objects.get_or_create(
        user=user, training=training, defaults={"source": Enrolment.Source.STAFF}
    )
    if not enrolled:
        return int(created)
    quiz, questions = final_quiz
    tried_at = None
    if quiz is not None and questions and row["quiz"]:
        tried_at = _quiz_attempts_create(
            enrolment=enrolment,
            quiz=quiz,
            questions=questions,
            scores=row["quiz"],
            start=last.end + datetime.timedelta(days=2 + index % 3, hours=2),
            now=now,
            shift=index,
        )
    attended = sum(1 for entry in row["attendance"] if entry != "absent")
    completed_at = None
    if attended >= COMPLETION_ATTENDANCE * half_days:
        completed_at = max(last.end + datetime.timedelta(minutes=10), tried_at or last.end)
    enrolled_at = registered_at + datetime.timedelta(minutes=2)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        created_at=enrolled_at, updated_at=completed_at or tried_at or enrolled_at, completed_at=completed_at
    )
    return int(created)


def _session_create(
    *, data: dict[str, Any], training: Training, trainer, today, now, where: str
) -> dict[str, int]:
    created = {"registrations": 0, "complaints": 0, "conventions": 0, "accounts": 0}
    session = model_checked(
        TrainingSession(
            training=training,
            kind=data["kind"],
            company_name=data["company_name"],
            format=data["format"],
            place=french_typography(data["place"]),
            remote_link=data["remote_link"],
            practical_info=french_typography(data["practical_info"]),
            trainer=trainer,
            seats=data["seats"],
            price_text=french_typography(data["price_text"]),
        ),
        where=where,
    )
    session.save()
    days = _working_days(
        today + datetime.timedelta(days=data["day"]), max(row["day"] for row in data["half_days"])
    )
    half_days = []
    for index, row in enumerate(data["half_days"], start=1):
        half_day = model_checked(
            HalfDay(
                session=session,
                date=days[row["day"] - 1],
                period=row["period"],
                starts_at=row["starts"],
                ends_at=row["ends"],
            ),
            where=f"{where}, half-day {index}",
        )
        half_day.save()
        half_days.append(half_day)
    half_days.sort(key=lambda half_day: half_day.start)
    first, last = half_days[0], half_days[-1]
    over = last.end <= now
    convention = None
    if data["convention"]:
        convention = _convention_create(session=session, data=data, first=first, where=f"{where}, convention")
        created["conventions"] += 1
    final_quiz = _final_quiz(training) if over else (None, [])
    cold_due = last.end + datetime.timedelta(days=settings.SESSIONS_COLD_SURVEY_DAYS)
    # The made-up people registered in the weeks before the session (or before today, for one to come).
    registered_by = min(first.start, now) - datetime.timedelta(days=2)
    count = len(data["registrations"])
    for index, row in enumerate(data["registrations"]):
        at = f"{where}, registration {index + 1}"
        registered_at = registered_by - datetime.timedelta(days=3 * (count - index), hours=2 * index)
        positioning, _errors = positioning_clean(row["positioning"])
        registration = model_checked(
            Registration(
                session=session,
                name=row["name"],
                email=row["email"],
                # An intra session's learners come from its company, under its convention when there is one.
                company=row["company"] or data["company_name"],
                convention=convention,
                positioning={label: french_typography(answer) for label, answer in positioning.items()},
                positioning_at=registered_at,
                consent_text=CONSENT_TEXT,
                # Marked as sent: the worker must not mail the made-up people of the demo.
                convocation_sent_at=registered_at + datetime.timedelta(minutes=1),
                reminder_sent_at=first.start - datetime.timedelta(hours=settings.SESSIONS_REMINDER_HOURS)
                if over
                else None,
                cold_survey_sent_at=cold_due if over and cold_due <= now else None,
            ),
            where=at,
        )
        registration.save()
        Registration.objects.filter(pk=registration.pk).update(
            created_at=registered_at, updated_at=registered_at
        )
        created["registrations"] += 1
        if over:
            _attendances_create(
                registration=registration,
                half_days=half_days,
                entries=row["attendance"],
                note=row["absence_note"],
                trainer=trainer,
                where=at,
            )
            if row["hot"]:
                _survey_create(
                    registration=registration,
                    kind=SurveyResponse.Kind.HOT,
                    answers=row["hot"],
                    at=last.end + datetime.timedelta(minutes=5 + index),
                    where=at,
                )
            if row["cold"] and cold_due <= now:
                _survey_create(
                    registration=registration,
                    kind=SurveyResponse.Kind.COLD,
                    answers=row["cold"],
                    at=min(cold_due + datetime.timedelta(days=1 + index, hours=3), now),
                    where=at,
                )
            created["accounts"] += _learner_online_create(
                registration=registration,
                row=row,
                training=training,
                final_quiz=final_quiz,
                registered_at=registered_at,
                last=last,
                half_days=len(half_days),
                now=now,
                index=index,
            )
    if over:
        # The trainer countersigned each half-day at its end.
        for half_day in half_days:
            HalfDay.objects.filter(pk=half_day.pk).update(
                countersigned_at=half_day.end + datetime.timedelta(minutes=5),
                countersigned_by=trainer,
                countersign_name=trainer.get_full_name(),
            )
    for index, row in enumerate(data["complaints"], start=1):
        created["complaints"] += _complaint_create(
            session=session,
            data=row,
            last_day=last.date,
            trainer=trainer,
            now=now,
            where=f"{where}, complaint {index}",
        )
    return created


@transaction.atomic
def sessions_demo_load(*, today: datetime.date | None = None) -> dict[str, int]:
    """Create the demo sessions not there yet (for the demo trainings that exist), with their half-days,
    registrations, attendance, surveys, conventions and complaints, and the demo accounts of the learners of the
    past ones (enrolled online, with their final quiz), then compute the indicators of the trainings they belong
    to; returns the counts created. `today` (Paris) is the day the relative dates count from.

    Every data file entry is checked first: a malformed one raises `DataFileError` and creates nothing."""
    data = sessions_demo_read()
    now = timezone.now()
    today = today or timezone.localdate(now, timezone=PARIS)
    created = {
        "sessions": 0,
        "past": 0,
        "registrations": 0,
        "conventions": 0,
        "accounts": 0,
        "complaints": 0,
    }
    trainer = None
    trainings: dict[int, Training] = {}
    for number, session in enumerate(data["sessions"], start=1):
        training = Training.objects.filter(slug=session["training"]).first()
        if training is None:
            continue
        trainer = trainer or _trainer(data["trainer"])
        if TrainingSession.objects.filter(
            training=training,
            trainer=trainer,
            kind=session["kind"],
            format=session["format"],
            company_name=session["company_name"],
        ).exists():
            continue
        counts = _session_create(
            data=session,
            training=training,
            trainer=trainer,
            today=today,
            now=now,
            where=f"{datafile_name(DEMO_FILE)}, session {number}",
        )
        created["sessions"] += 1
        created["past"] += session["day"] < 0
        for key, value in counts.items():
            created[key] += value
        trainings[training.pk] = training
    for training in trainings.values():
        indicator_snapshot_save(training=training, on=today)
    return created


def demo_report() -> str:
    """Load the demo sessions for `frenchbot demo` and say what was created ("" when they were there)."""
    created = sessions_demo_load()
    if not created["sessions"]:
        return ""
    sessions, past = created["sessions"], created["past"]
    said = [
        f"{_said(sessions, 'session', 'sessions')} ({_said(past, 'passée', 'passées')} avec émargements et "
        f"satisfaction, {sessions - past} à venir)",
        f"{_said(created['registrations'], 'inscription', 'inscriptions')} de personnes fictives",
    ]
    if created["conventions"]:
        said.append(_said(created["conventions"], "convention signée", "conventions signées"))
    if created["accounts"]:
        said.append(
            f"{_said(created['accounts'], 'compte', 'comptes')} de stagiaires fictifs (formation en ligne et "
            "quiz final)"
        )
    if created["complaints"]:
        said.append(_complaints_said(created["complaints"]))
    return f"Sessions de formation : {', '.join(said)} ; indicateurs de résultat calculés."


def _said(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _complaints_said(count: int) -> str:
    if count == 1:
        return "une réclamation suivie jusqu'à son action d'amélioration"
    return f"{count} réclamations"


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} et {parts[-1]}"


@transaction.atomic
def demo_remove() -> str:
    """Delete the demo sessions (those of the demo trainer) with everything recorded about them, their
    conventions and complaints, the demo learners' accounts (their enrolments and quiz attempts go with them), the
    indicators computed from them, and the demo trainer's account. Says what was done."""
    data = sessions_demo_read()
    user_model = get_user_model()
    # Only the accounts the demo made, which have no password: one that has a password is a person's.
    learners = [
        user.pk
        for user in user_model.objects.filter(username__in=data["learners"])
        if not user.has_usable_password()
    ]
    training_ids = set(Enrolment.objects.filter(user_id__in=learners).values_list("training_id", flat=True))
    user_model.objects.filter(pk__in=learners).delete()
    removed = [_said(len(learners), "compte", "comptes") + " de stagiaires fictifs"] if learners else []
    trainer = user_model.objects.filter(username=data["trainer"]["username"]).first()
    if trainer is not None:
        sessions = TrainingSession.objects.filter(trainer=trainer)
        training_ids |= set(sessions.values_list("training_id", flat=True))
        count = sessions.count()
        removed.insert(0, f"{_said(count, 'session', 'sessions')} de démonstration")
        Complaint.objects.filter(session__in=sessions).delete()
        Convention.objects.filter(session__in=sessions).delete()
        sessions.delete()
        try:
            with transaction.atomic():
                trainer.delete()
            removed.append("leur formateur fictif")
        except ProtectedError:
            # Something the team recorded names the account: it stays, without a password, as it was created.
            pass
    # Computed from the demo's made-up learners: the daily job computes them again from what is left.
    IndicatorSnapshot.objects.filter(training_id__in=training_ids).delete()
    if not removed:
        return ""
    ending = "retirés"
    if trainer is not None and len(removed) == 1:
        ending = "retirée" if count == 1 else "retirées"
    return f"Sessions de formation : {_listed(removed)} {ending}."
