"""The audit archive (Qualiopi): one ZIP with every piece of evidence about some sessions, for the auditor.

Per session, a folder with the public programme of the training, the positioning answers, the attendance sheet,
the quiz results, each learner's certificate of completion, the satisfaction answers (without names: the
indicators are anonymous in aggregate) and the conventions (every version, the signed ones kept as signed); at the
top, the complaints with their answers and actions, and a summary of the indicators per session (CSV and HTML).
CSV files are written for a French Excel (core.csvexport: UTF-8 with a BOM, « ; », no formula).
"""

import datetime
import io
import re
import secrets
import zipfile
from collections.abc import Iterable
from statistics import mean

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from frenchbot.core.csvexport import csv_line
from frenchbot.core.storage import private_storage
from frenchbot.courses.certificates_pdf import certificate_hours_text
from frenchbot.courses.models import Enrolment, LessonCompletion, QuizAttempt

from ..models import Attendance, Complaint, HalfDay, Registration, SurveyResponse, TrainingSession
from .documents import (
    ATTENDED,
    attendance_sheet_pdf,
    completion_certificate_pdf_kept,
    convention_filename,
    convention_pdf_kept,
    dates_text,
)


def _csv(rows: Iterable[Iterable]) -> bytes:
    return ("\ufeff" + "".join(csv_line(row) for row in rows)).encode("utf-8")


def _moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("oui") if value else _("non")


def _decimal(value: float | None, places: int = 1) -> str:
    return "" if value is None else number_format(round(value, places), decimal_pos=places)


# --- Which sessions, which complaints ------------------------------------------------------------------------


def _sessions_query():
    return TrainingSession.objects.select_related("training", "trainer").prefetch_related(
        Prefetch("half_days", queryset=HalfDay.objects.order_by("date", "starts_at"))
    )


def archive_sessions_for_period(*, start: datetime.date, end: datetime.date) -> list[TrainingSession]:
    """The sessions held whose first half-day falls between `start` and `end` (both included), oldest first;
    a cancelled session has no evidence to give."""
    sessions = [
        session
        for session in _sessions_query()
        .filter(half_days__date__range=(start, end), cancelled_at__isnull=True)
        .distinct()
        if start <= session.half_days.all()[0].date <= end
    ]
    return sorted(sessions, key=lambda session: (session.half_days.all()[0].date, session.pk))


def _complaints_about(sessions: list[TrainingSession]) -> Q:
    return Q(session__in=sessions) | Q(training_id__in={session.training_id for session in sessions})


# --- What each file holds ------------------------------------------------------------------------------------


def _folder(session: TrainingSession) -> str:
    half_days = session.half_days.all()
    day = f"{half_days[0].date:%Y-%m-%d}-" if half_days else ""
    return f"{day}{session.training.slug}-session-{session.pk}"


def _programme_html(session: TrainingSession) -> str:
    training = session.training
    return render_to_string(
        "sessions/archive_programme.html",
        {
            "training": training,
            "modules": training.modules.filter(is_published=True).order_by("order", "pk"),
            "duration_text": certificate_hours_text(training.duration_hours),
            "accessibility_contact": training.accessibility_contact or settings.SESSIONS_DISABILITY_CONTACT,
            "computed_on": timezone.localdate(),
            "site_name": settings.SITE_NAME,
        },
    )


def _registered(session: TrainingSession) -> list[Registration]:
    return list(session.registrations.filter(status=Registration.Status.REGISTERED).order_by("name", "pk"))


def _positioning_rows(session: TrainingSession) -> list[list]:
    registrations = list(session.registrations.order_by("name", "pk"))
    questions: list[str] = []
    for registration in registrations:
        for question in registration.positioning or {}:
            if question not in questions:
                questions.append(question)
    rows = [[_("Stagiaire"), _("Entreprise"), _("Statut"), _("Rempli le"), *questions]]
    for registration in registrations:
        answers = registration.positioning or {}
        row = [registration.name, registration.company, registration.get_status_display()]
        row.append(_moment(registration.positioning_at))
        for question in questions:
            answer = answers.get(question, "")
            row.append(", ".join(map(str, answer)) if isinstance(answer, list) else answer)
        rows.append(row)
    return rows


def _quiz_rows(session: TrainingSession) -> list[list]:
    names = {}
    for registration in session.registrations.filter(user__isnull=False).order_by("name"):
        names.setdefault(registration.user_id, registration.name)
    attempts = (
        QuizAttempt.objects.filter(enrolment__user_id__in=names, enrolment__training_id=session.training_id)
        .select_related("quiz", "enrolment")
        .order_by("enrolment__user_id", "quiz__title", "number")
    )
    rows = [[_("Stagiaire"), _("Quiz"), _("Tentative n°"), _("Score (%)"), _("Réussi"), _("Date")]]
    for attempt in attempts:
        rows.append(
            [
                names[attempt.enrolment.user_id],
                attempt.quiz.title,
                attempt.number,
                attempt.score,
                _yes_no(attempt.passed),
                _moment(attempt.created_at),
            ]
        )
    return rows


def _satisfaction_rows(session: TrainingSession) -> list[list]:
    """The answers without the learner's name, nor anything that points to them (no registration id)."""
    rows = [
        [
            _("Questionnaire"),
            _("Satisfaction globale (1 à 5)"),
            _("Objectifs atteints (1 à 5)"),
            _("Mise en pratique (1 à 5, à froid)"),
            _("Recommanderait la formation"),
            _("Commentaire"),
            _("Date"),
        ]
    ]
    for response in session.survey_responses.order_by("kind", "created_at"):
        rows.append(
            [
                response.get_kind_display(),
                response.rating,
                response.objectives_met,
                response.applied if response.applied is not None else "",
                _yes_no(response.would_recommend),
                response.comment,
                timezone.localtime(response.created_at).strftime("%Y-%m-%d"),
            ]
        )
    return rows


def _complaint_rows(complaints: list[Complaint]) -> list[list]:
    rows = [
        [
            _("Référence"),
            _("Reçue le"),
            _("De la part de"),
            _("Formation"),
            _("Session"),
            _("Objet"),
            _("Réclamation"),
            _("Statut"),
            _("Réponse"),
            _("Répondue le"),
            _("Action d'amélioration"),
            _("Action décidée le"),
            _("Close le"),
        ]
    ]
    for complaint in complaints:
        rows.append(
            [
                complaint.reference,
                _moment(complaint.created_at),
                complaint.get_role_display(),
                complaint.training.title if complaint.training else "",
                complaint.session_id or "",
                complaint.subject,
                complaint.body,
                complaint.get_status_display(),
                complaint.answer,
                _moment(complaint.answered_at),
                complaint.action,
                _moment(complaint.action_at),
                _moment(complaint.closed_at),
            ]
        )
    return rows


def session_summary(*, session: TrainingSession, now: datetime.datetime | None = None) -> dict:
    """The indicators of one session: learners registered, attendance rate over the half-days begun, hours
    delivered (half-days begun) and attended (per learner, in all), average hot and cold satisfaction, complaints."""
    now = now or timezone.now()
    half_days = list(session.half_days.all())
    begun = [half_day for half_day in half_days if half_day.start <= now]
    learners = _registered(session)
    attended = list(
        Attendance.objects.filter(
            half_day__in=begun, registration__in=learners, status__in=ATTENDED
        ).select_related("half_day")
    )
    expected = len(learners) * len(begun)
    ratings = {kind: [] for kind in SurveyResponse.Kind.values}
    for kind, rating in session.survey_responses.values_list("kind", "rating"):
        ratings[kind].append(rating)
    return {
        "session": session,
        "training": session.training,
        "dates_text": dates_text([half_day.date for half_day in half_days]),
        "first_day": half_days[0].date if half_days else None,
        "learners": len(learners),
        "half_days": len(half_days),
        "attendance_rate": round(100 * len(attended) / expected) if expected else None,
        "hours_delivered": sum(half_day.hours for half_day in begun),
        "learner_hours": sum(attendance.half_day.hours for attendance in attended),
        "hot": mean(ratings[SurveyResponse.Kind.HOT]) if ratings[SurveyResponse.Kind.HOT] else None,
        "hot_answers": len(ratings[SurveyResponse.Kind.HOT]),
        "cold": mean(ratings[SurveyResponse.Kind.COLD]) if ratings[SurveyResponse.Kind.COLD] else None,
        "cold_answers": len(ratings[SurveyResponse.Kind.COLD]),
        "complaints": session.complaints.count(),
    }


def _summary_rows(summaries: list[dict]) -> list[list]:
    rows = [
        [
            _("Formation"),
            _("Session"),
            _("Type"),
            _("Modalité"),
            _("Dates"),
            _("Stagiaires inscrits"),
            _("Demi-journées"),
            _("Taux de présence (%)"),
            _("Heures dispensées"),
            _("Heures-stagiaires réalisées"),
            _("Satisfaction à chaud (sur 5)"),
            _("Réponses à chaud"),
            _("Satisfaction à froid (sur 5)"),
            _("Réponses à froid"),
            _("Réclamations"),
        ]
    ]
    for summary in summaries:
        session = summary["session"]
        rows.append(
            [
                summary["training"].title,
                session.pk,
                session.get_kind_display(),
                session.get_format_display(),
                summary["dates_text"],
                summary["learners"],
                summary["half_days"],
                "" if summary["attendance_rate"] is None else summary["attendance_rate"],
                _decimal(summary["hours_delivered"]),
                _decimal(summary["learner_hours"]),
                _decimal(summary["hot"]),
                summary["hot_answers"],
                _decimal(summary["cold"]),
                summary["cold_answers"],
                summary["complaints"],
            ]
        )
    return rows


# --- The archive ---------------------------------------------------------------------------------------------


def _unique(name: str, used: set[str]) -> str:
    candidate, counter = name, 2
    while candidate in used:
        candidate = f"{name}-{counter}"
        counter += 1
    used.add(candidate)
    return candidate


def _write_session(archive: zipfile.ZipFile, session: TrainingSession) -> None:
    folder = _folder(session)

    def text(name: str, content: bytes | str) -> None:
        archive.writestr(f"{folder}/{name}", content, compress_type=zipfile.ZIP_DEFLATED)

    def pdf(name: str, content: bytes) -> None:
        # Already compressed: stored as they are.
        archive.writestr(f"{folder}/{name}", content, compress_type=zipfile.ZIP_STORED)

    text("programme.html", _programme_html(session))
    text("positionnement.csv", _csv(_positioning_rows(session)))
    pdf("feuille-emargement.pdf", attendance_sheet_pdf(session=session))
    text("resultats-quiz.csv", _csv(_quiz_rows(session)))
    used: set[str] = set()
    for registration in _registered(session):
        name = _unique(slugify(registration.name) or f"stagiaire-{registration.pk}", used)
        pdf(
            f"certificats-de-realisation/{name}.pdf",
            completion_certificate_pdf_kept(registration=registration),
        )
    text("satisfaction.csv", _csv(_satisfaction_rows(session)))
    for convention in session.conventions.order_by("number", "version"):
        pdf(
            f"conventions/{convention_filename(convention=convention)}",
            convention_pdf_kept(convention=convention),
        )


def archive_build(
    *,
    sessions: Iterable[TrainingSession],
    complaints: Iterable[Complaint] | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """The ZIP of the evidence about `sessions`, in French: a folder per session, then `reclamations.csv`
    (`complaints`; by default those about these sessions or their trainings), `synthese.csv` and
    `synthese.html`; `extra` adds files (name → content). Raises frenchbot.core.pdf.PdfError when a document
    cannot be rendered."""
    ids = [session.pk for session in sessions]
    sessions = sorted(
        _sessions_query().filter(pk__in=ids),
        key=lambda session: (
            session.half_days.all()[0].date if session.half_days.all() else datetime.date.max,
            session.pk,
        ),
    )
    if complaints is None:
        complaints = (
            Complaint.objects.filter(_complaints_about(sessions)) if sessions else Complaint.objects.none()
        )
    complaints = list(
        Complaint.objects.filter(pk__in=[complaint.pk for complaint in complaints])
        .select_related("training")
        .order_by("created_at", "pk")
    )
    buffer = io.BytesIO()
    with (
        translation.override("fr"),
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        now = timezone.now()
        summaries = []
        for session in sessions:
            _write_session(archive, session)
            summaries.append({**session_summary(session=session, now=now), "folder": _folder(session)})
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
        archive.writestr("reclamations.csv", _csv(_complaint_rows(complaints)))
        archive.writestr("synthese.csv", _csv(_summary_rows(summaries)))
        archive.writestr(
            "synthese.html",
            render_to_string(
                "sessions/archive_summary.html",
                {
                    "summaries": summaries,
                    "complaints": complaints,
                    "period": period,
                    "generated_at": timezone.localtime(now),
                    "site_name": settings.SITE_NAME,
                    "body_name": settings.TRAINING_BODY_NAME,
                },
            ),
        )
    return buffer.getvalue()


def _elearning_rows(*, start: datetime.datetime, end: datetime.datetime) -> dict[str, tuple[list, list]]:
    """Per training followed online, the proof of attendance of e-learning (the record of time and progress):
    one line per learner active in the period (enrolled or completing a step in it) and the journal of every step
    they completed or quiz they took, dated. Keyed by the training's slug."""
    completions = LessonCompletion.objects.filter(completed_at__gte=start, completed_at__lt=end)
    attempts = QuizAttempt.objects.filter(created_at__gte=start, created_at__lt=end)
    enrolments = (
        Enrolment.objects.filter(
            Q(created_at__gte=start, created_at__lt=end)
            | Q(pk__in=completions.values("enrolment_id"))
            | Q(pk__in=attempts.values("enrolment_id"))
        )
        .select_related("user", "training")
        .order_by("training__title", "user__last_name", "user__username")
    )
    found: dict[str, tuple[list, list]] = {}
    for enrolment in enrolments:
        summary, journal = found.setdefault(
            enrolment.training.slug,
            (
                [
                    [
                        _("Stagiaire"),
                        _("E-mail"),
                        _("Inscrit le"),
                        _("Leçons terminées"),
                        _("Temps de lecture (min)"),
                        _("Dernière activité"),
                        _("Quiz final réussi"),
                        _("Formation terminée le"),
                    ]
                ],
                [[_("Stagiaire"), _("Date et heure"), _("Étape"), _("Résultat")]],
            ),
        )
        name = enrolment.user.get_full_name() or enrolment.user.get_username()
        done = list(
            LessonCompletion.objects.filter(enrolment=enrolment)
            .select_related("lesson")
            .order_by("completed_at")
        )
        tries = list(
            QuizAttempt.objects.filter(enrolment=enrolment).select_related("quiz").order_by("created_at")
        )
        moments = [c.completed_at for c in done] + [a.created_at for a in tries]
        summary.append(
            [
                name,
                enrolment.user.email,
                _moment(enrolment.created_at),
                len(done),
                sum(c.lesson.minutes for c in done),
                _moment(max(moments)) if moments else "",
                _yes_no(any(a.passed for a in tries)) if tries else "",
                _moment(enrolment.completed_at),
            ]
        )
        events = [(c.completed_at, c.lesson.title, _("leçon terminée")) for c in done] + [
            (
                a.created_at,
                a.quiz.title,
                _("%(score)s %% — %(result)s")
                % {"score": a.score, "result": _("réussi") if a.passed else _("non réussi")},
            )
            for a in tries
        ]
        journal.extend([name, _moment(at), title, result] for at, title, result in sorted(events))
    return found


def archive_build_period(*, start: datetime.date, end: datetime.date) -> bytes:
    """The archive of the sessions whose first half-day falls between `start` and `end`, with the complaints
    received in that period or about those sessions' trainings, and the proof of attendance of the e-learning
    followed in it (`e-learning/<training>/suivi.csv` and `journal.csv`)."""
    sessions = archive_sessions_for_period(start=start, end=end)
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    condition = Q(created_at__gte=since, created_at__lt=until)
    if sessions:
        condition |= _complaints_about(sessions)
    elearning = _elearning_rows(start=since, end=until)
    return archive_build(
        sessions=sessions,
        complaints=Complaint.objects.filter(condition),
        period=(start, end),
        extra={
            f"e-learning/{slug}/{name}": _csv(rows)
            for slug, (summary, journal) in elearning.items()
            for name, rows in (("suivi.csv", summary), ("journal.csv", journal))
        },
    )


def archive_filename(*, session: TrainingSession | None = None, period=None) -> str:
    if session is not None:
        return f"preuves-{_folder(session)}.zip"
    start, end = period
    return f"preuves-qualiopi-{start:%Y-%m-%d}-au-{end:%Y-%m-%d}.zip"


# --- A period's archive, prepared by the worker -------------------------------------------------------------
# A year of sessions takes minutes to render (each PDF is hundreds of milliseconds, see docs/benchmarks.md): too
# long for a request. The worker builds it into the private storage and e-mails the staff member the link of a
# back-office page that serves it; the files go after ARCHIVE_KEEP_DAYS.
ARCHIVE_FOLDER = "qualiopi"
ARCHIVE_KEEP_DAYS = 7
_ARCHIVE_NAME = re.compile(
    r"preuves-qualiopi-\d{4}-\d{2}-\d{2}-au-\d{4}-\d{2}-\d{2}-[A-Za-z0-9_-]{16,64}\.zip"
)


def archive_period_store(*, start: datetime.date, end: datetime.date) -> str:
    """Build the period's archive and keep it in the private storage; returns its name (the period and an
    unguessable token), which `archive_stored_open` serves."""
    content = archive_build_period(start=start, end=end)
    name = f"{archive_filename(period=(start, end))[:-4]}-{secrets.token_urlsafe(18)}.zip"
    return private_storage.save(f"{ARCHIVE_FOLDER}/{name}", ContentFile(content)).rsplit("/", 1)[-1]


def archive_stored_open(*, name: str):
    """The stored archive `name` opened for reading, or None (a name of another shape, or gone)."""
    if not _ARCHIVE_NAME.fullmatch(name) or not private_storage.exists(f"{ARCHIVE_FOLDER}/{name}"):
        return None
    return private_storage.open(f"{ARCHIVE_FOLDER}/{name}", "rb")


def archives_stored_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the stored archives older than ARCHIVE_KEEP_DAYS; returns how many."""
    limit = (now or timezone.now()) - datetime.timedelta(days=ARCHIVE_KEEP_DAYS)
    try:
        _folders, names = private_storage.listdir(ARCHIVE_FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return 0
    deleted = 0
    for name in names:
        path = f"{ARCHIVE_FOLDER}/{name}"
        if _ARCHIVE_NAME.fullmatch(name) and private_storage.get_modified_time(path) < limit:
            private_storage.delete(path)
            deleted += 1
    return deleted
