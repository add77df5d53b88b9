"""Attendance per half-day: each learner signs for themselves, inside the half-day's window, once; the trainer
records late or absent learners and countersigns the half-day.

Who signs is never read from the form: it is the registration the learner's own link (or account) opened in
this browser, so a learner cannot sign for another. A signature is kept as it was given (name typed, or the
strokes of a drawing) with the time; the trainer's countersignature closes the half-day: after it, nothing on that
half-day changes.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.core.text import single_line

from ..errors import SessionError
from ..models import Attendance, HalfDay, Registration
from ..signatures import InvalidSignature, strokes_parse


def _signature(*, method: str, signed_name: str, strokes_raw: str) -> tuple[str, list]:
    if method == Attendance.Method.DRAWN:
        try:
            return "", strokes_parse(strokes_raw)
        except InvalidSignature:
            raise SessionError(
                _("Dessinez votre signature dans le cadre (ou choisissez de taper votre nom)."),
                field="strokes",
                code="signature",
            ) from None
    if method == Attendance.Method.TYPED:
        name = single_line(signed_name)[:200]
        if len(name) < 2:
            raise SessionError(_("Tapez votre nom pour signer."), field="signed_name", code="signature")
        return name, []
    raise SessionError(_("Choisissez comment signer."), field="method", code="signature")


def attendance_sign(
    *,
    half_day: HalfDay,
    registration: Registration,
    signer: Registration,
    method: str,
    signed_name: str = "",
    strokes_raw: str = "",
    now: datetime.datetime | None = None,
) -> Attendance:
    """`signer` signs `registration`'s presence on `half_day`.

    Refused (SessionError) when `signer` is not `registration` (« pour vous-même »), the registration is not in
    this half-day's session or is cancelled, the half-day's window is closed (SESSIONS_SIGNING_OPENS_MINUTES
    before the start to SESSIONS_SIGNING_CLOSES_MINUTES after the end), the trainer has countersigned it, or the
    learner has signed already. A signature more than SESSIONS_LATE_MINUTES after the start is recorded late."""
    now = now or timezone.now()
    if signer.pk != registration.pk:
        raise SessionError(
            _("Vous ne pouvez signer que pour vous-même : chaque stagiaire signe depuis son propre lien."),
            code="forbidden",
        )
    if (
        registration.session_id != half_day.session_id
        or registration.status != Registration.Status.REGISTERED
    ):
        raise SessionError(_("Vous n'êtes pas inscrit(e) à cette session."), code="forbidden")
    opens, closes = half_day.window
    if now < opens:
        raise SessionError(
            _("La signature de cette demi-journée ouvre à %(time)s.")
            % {"time": timezone.localtime(opens).strftime("%H h %M")},
            code="window",
        )
    if now > closes:
        raise SessionError(
            _(
                "La signature de cette demi-journée est close. Si vous étiez présent(e), signalez-le au "
                "formateur : il l'indiquera sur la feuille."
            ),
            code="window",
        )
    signed_name, strokes = _signature(method=method, signed_name=signed_name, strokes_raw=strokes_raw)
    late = now > half_day.start + datetime.timedelta(minutes=settings.SESSIONS_LATE_MINUTES)
    try:
        with transaction.atomic():
            locked = HalfDay.objects.select_for_update().get(pk=half_day.pk)
            if locked.countersigned_at:
                raise _closed_error()
            existing = Attendance.objects.filter(registration=registration, half_day=half_day).first()
            if existing and existing.signed_at:
                raise _already_signed_error(existing)
            if existing:
                # The trainer marked them absent before they arrived: their own signature replaces the mark.
                existing.delete()
            return Attendance.objects.create(
                registration=registration,
                half_day=half_day,
                status=Attendance.Status.LATE if late else Attendance.Status.PRESENT,
                signed_at=now,
                method=method,
                signed_name=signed_name,
                strokes=strokes,
            )
    except IntegrityError:
        # Two taps at once: the other one signed.
        raise _already_signed_error(None) from None


def _already_signed_error(existing: Attendance | None) -> SessionError:
    if existing and existing.signed_at:
        message = _("Vous avez déjà signé pour cette demi-journée, à %(time)s.") % {
            "time": timezone.localtime(existing.signed_at).strftime("%H h %M")
        }
    else:
        message = _("Vous avez déjà signé pour cette demi-journée.")
    return SessionError(message, code="duplicate")


def _closed_error() -> SessionError:
    return SessionError(
        _("Le formateur a déjà contre-signé cette demi-journée : la feuille est close."), code="closed"
    )


def attendance_record(
    *, half_day: HalfDay, registration: Registration, status: str, by, note: str = ""
) -> Attendance:
    """The trainer records a learner late or absent (or present, when they forgot to sign and were there);
    a learner's own signature stays: only its status and note change. Refused after the countersignature."""
    if status not in Attendance.Status.values:
        raise SessionError(_("Choisissez présent, en retard ou absent."), field="status")
    if registration.session_id != half_day.session_id:
        raise SessionError(_("Ce stagiaire n'est pas inscrit à cette session."), code="forbidden")
    with transaction.atomic():
        locked = HalfDay.objects.select_for_update().get(pk=half_day.pk)
        if locked.countersigned_at:
            raise _closed_error()
        attendance, _created = Attendance.objects.get_or_create(
            registration=registration, half_day=half_day, defaults={"status": status}
        )
        attendance.status, attendance.recorded_by = status, by
        attendance.note = single_line(note)[:300]
        attendance.save(update_fields=["status", "recorded_by", "note"])
    return attendance


def half_day_countersign(
    *,
    half_day: HalfDay,
    by,
    method: str,
    signed_name: str = "",
    strokes_raw: str = "",
    now: datetime.datetime | None = None,
) -> HalfDay:
    """The trainer countersigns the half-day, once it has started: every learner who neither signed nor was
    marked is recorded absent, and the half-day is closed. Refused when already countersigned or not started."""
    now = now or timezone.now()
    if now < half_day.start:
        raise SessionError(
            _("La contre-signature est possible une fois la demi-journée commencée."), code="window"
        )
    signed_name, strokes = _signature(method=method, signed_name=signed_name, strokes_raw=strokes_raw)
    with transaction.atomic():
        locked = HalfDay.objects.select_for_update().get(pk=half_day.pk)
        if locked.countersigned_at:
            raise _closed_error()
        marked = set(Attendance.objects.filter(half_day=locked).values_list("registration_id", flat=True))
        Attendance.objects.bulk_create(
            Attendance(
                registration=registration, half_day=locked, status=Attendance.Status.ABSENT, recorded_by=by
            )
            for registration in locked.session.registrations.filter(status=Registration.Status.REGISTERED)
            if registration.pk not in marked
        )
        locked.countersigned_at, locked.countersigned_by = now, by
        locked.countersign_name, locked.countersign_strokes = signed_name, strokes
        locked.save(
            update_fields=["countersigned_at", "countersigned_by", "countersign_name", "countersign_strokes"]
        )
    return locked


def half_day_roll(*, half_day: HalfDay) -> list[dict]:
    """Each learner of the half-day's session with their attendance (or None), in name order: the trainer's live
    list and the attendance sheet."""
    attendances = {a.registration_id: a for a in Attendance.objects.filter(half_day=half_day)}
    return [
        {"registration": registration, "attendance": attendances.get(registration.pk)}
        for registration in half_day.session.registrations.filter(
            status=Registration.Status.REGISTERED
        ).order_by("name")
    ]


def hours_attended(*, registration: Registration) -> float:
    """Hours of the half-days the learner attended (present or late): the certificate of completion's figure."""
    return sum(
        attendance.half_day.hours
        for attendance in registration.attendances.select_related("half_day").filter(
            status__in=(Attendance.Status.PRESENT, Attendance.Status.LATE)
        )
    )
