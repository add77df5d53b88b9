"""Demo sessions, written for this project (`sessions.toml` beside this file): for « ChatGPT au quotidien » a past
session in Paris with its positioning answers, attendance, countersigned half-days, satisfaction answers and a
complaint followed to its improvement action, and a remote session to come with three registrations; for « L'IA
dans votre PME » an intra-company session to come. Then both trainings' result indicators are computed.

Dates are relative to the day of loading. `frenchbot demo` loads them once, after the demo trainings (this app
comes after courses in INSTALLED_APPS); a session already there (same training, type and format, with the demo
trainer) is left as it is. The made-up people are never mailed: what the worker would send them is marked sent.
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
from frenchbot.courses.models import Training

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
from ..services.indicators import indicator_snapshot_save
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
_SESSION_KEYS = {*_SESSION_TEXTS, "day", "seats", "half_days", "registrations", "complaints"}
_HALF_DAY_KEYS = {"day", "period", "starts", "ends"}
_POSITIONING_KEYS = ("usage", "expectations", "tasks", "adaptations")
_REGISTRATION_KEYS = {
    "name",
    "email",
    "company",
    *_POSITIONING_KEYS,
    "attendance",
    "absence_note",
    "hot",
    "cold",
}
_SURVEY_KEYS = {"rating", "objectives_met", "would_recommend", "applied", "comment"}
_COMPLAINT_TEXTS = ("name", "email", "company", "role", "subject", "body", "answer", "action")
_COMPLAINT_STEPS = ("received", "answered", "action", "closed")


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
    if not past and (attendance or registration["hot"] or registration["cold"]):
        raise DataFileError(f"{where}: attendance and surveys belong to a past session (a negative 'day').")
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
        sessions.append(session)
    return {"trainer": trainer, "sessions": sessions}


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


def _session_create(
    *, data: dict[str, Any], training: Training, trainer, today, now, where: str
) -> dict[str, int]:
    created = {"registrations": 0, "complaints": 0}
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
                company=row["company"],
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
    registrations, attendance, surveys and complaints, then compute the indicators of the trainings they belong
    to; returns the counts created. `today` (Paris) is the day the relative dates count from.

    Every data file entry is checked first: a malformed one raises `DataFileError` and creates nothing."""
    data = sessions_demo_read()
    now = timezone.now()
    today = today or timezone.localdate(now, timezone=PARIS)
    created = {"sessions": 0, "registrations": 0, "complaints": 0}
    trainer = None
    trainings: dict[int, Training] = {}
    for number, session in enumerate(data["sessions"], start=1):
        training = Training.objects.filter(slug=session["training"]).first()
        if training is None:
            continue
        trainer = trainer or _trainer(data["trainer"])
        if TrainingSession.objects.filter(
            training=training, trainer=trainer, kind=session["kind"], format=session["format"]
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
    return (
        f"Sessions de formation : {created['sessions']} sessions (une passée avec émargements et "
        f"satisfaction, deux à venir), {created['registrations']} inscriptions de personnes fictives, "
        f"{_complaints_said(created['complaints'])} ; indicateurs de résultat calculés."
    )


def _complaints_said(count: int) -> str:
    if count == 1:
        return "une réclamation suivie jusqu'à son action d'amélioration"
    return f"{count} réclamations"


@transaction.atomic
def demo_remove() -> str:
    """Delete the demo sessions (those of the demo trainer) with everything recorded about them, their
    complaints, the indicators computed from them, and the demo trainer's account. Says what was done."""
    trainer = get_user_model().objects.filter(username=sessions_demo_read()["trainer"]["username"]).first()
    if trainer is None:
        return ""
    sessions = TrainingSession.objects.filter(trainer=trainer)
    training_ids = set(sessions.values_list("training_id", flat=True))
    count = sessions.count()
    Complaint.objects.filter(session__in=sessions).delete()
    Convention.objects.filter(session__in=sessions).delete()
    sessions.delete()
    # Computed from the demo's made-up learners: the daily job computes them again from what is left.
    IndicatorSnapshot.objects.filter(training_id__in=training_ids).delete()
    try:
        with transaction.atomic():
            trainer.delete()
    except ProtectedError:
        # Something the team recorded names the account: it stays, without a password, as it was created.
        return f"Sessions de formation : {count} sessions de démonstration retirées."
    return f"Sessions de formation : {count} sessions de démonstration et leur formateur fictif retirés."
