"""The page the trainer's link or QR code opens: the learner in front of it signs the half-day, for themselves
only (who they are comes from their personal link or their account, see `identity`)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..errors import SessionError
from ..forms.learners import SignForm
from ..identity import learner_for_session
from ..models import Attendance, HalfDay, Registration
from ..services.attendance import attendance_sign


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign(request: HttpRequest, token: str) -> HttpResponse:
    half_day = HalfDay.objects.select_related("session__training").filter(token=token).first()
    if half_day is None or half_day.session.cancelled_at:
        raise Http404(_("Ce lien d'émargement ne correspond à aucune demi-journée."))
    learner = learner_for_session(request, half_day.session)
    context = {"half_day": half_day, "session": half_day.session, "learner": learner}
    if learner is None:
        return render(request, "sessions/sign.html", {**context, "unknown": True}, status=403)
    attendance = Attendance.objects.filter(
        registration=learner, half_day=half_day, signed_at__isnull=False
    ).first()
    if attendance is not None:
        return render(request, "sessions/sign.html", {**context, "attendance": attendance})
    status = 200
    if request.method == "POST":
        form = SignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                attendance = attendance_sign(
                    half_day=half_day,
                    registration=Registration.objects.filter(pk=data["registration"]).first() or learner,
                    signer=learner,
                    method=data["method"],
                    signed_name=data["signed_name"],
                    strokes_raw=data["strokes"],
                )
            except SessionError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 403 if error.code == "forbidden" else 409 if error.code == "duplicate" else 400
            else:
                return render(
                    request, "sessions/sign.html", {**context, "attendance": attendance, "done": True}
                )
        else:
            status = 400
    else:
        form = SignForm(initial={"registration": learner.pk, "method": Attendance.Method.DRAWN})
    now = timezone.now()
    opens, _closes = half_day.window
    is_open = half_day.is_open(now) or request.method == "POST"  # a refused post shows its message
    return render(
        request,
        "sessions/sign.html",
        {**context, "form": form, "open": is_open, "opens_at": opens if now < opens else None},
        status=status,
    )
