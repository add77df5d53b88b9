"""A session's documents for the team: the attendance sheet, each learner's certificate of completion, the
conventions (written, changed — a new version once signed — and downloaded), and the audit archives (one
session, or every session of a period)."""

import datetime

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.core.pdf import PdfError
from frenchbot.core.storage import StorageUnavailable
from frenchbot.sessions.errors import SessionError
from frenchbot.sessions.forms.conventions import ConventionForm
from frenchbot.sessions.models import Convention, Registration, TrainingSession
from frenchbot.sessions.services import archive, documents
from frenchbot.sessions.services import conventions as services
from frenchbot.sessions.tasks import evidence_archive_prepare

from ..permissions import staff_permission_required

VIEW = "training_sessions.view_trainingsession"
CHANGE = "training_sessions.change_trainingsession"


def _session_or_404(session_id: int) -> TrainingSession:
    session = TrainingSession.objects.select_related("training", "trainer").filter(pk=session_id).first()
    if session is None:
        raise Http404(_("Cette session n'existe pas."))
    return session


def _convention_or_404(convention_id: int) -> Convention:
    convention = Convention.objects.select_related("session__training").filter(pk=convention_id).first()
    if convention is None:
        raise Http404(_("Cette convention n'existe pas."))
    return convention


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": _("Nous n'avons pas compris cette demande"), "message": message},
        status=400,
    )


def _pdf_unavailable(request: HttpRequest, back_url: str) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Document momentanément indisponible"),
            "message": _(
                "Nous n'avons pas pu préparer ce document (PDF). Réessayez dans quelques minutes ; si cela dure, "
                "prévenez la personne qui administre le site."
            ),
            "back_url": back_url,
            "back_label": _("Revenir à la session"),
        },
        status=503,
    )


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _session_url(session_id: int) -> str:
    return reverse("backoffice:session_detail", args=[session_id])


@staff_permission_required(VIEW)
@require_safe
def attendance_sheet(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(session_id)
    try:
        pdf = documents.attendance_sheet_pdf(session=session)
    except PdfError:
        return _pdf_unavailable(request, _session_url(session.pk))
    return _download(
        pdf, content_type="application/pdf", filename=documents.attendance_sheet_filename(session=session)
    )


@staff_permission_required(VIEW)
@require_safe
def completion_certificate(request: HttpRequest, session_id: int, registration_id: int) -> HttpResponse:
    registration = (
        Registration.objects.select_related("session__training", "convention")
        .filter(pk=registration_id, session_id=session_id)
        .first()
    )
    if registration is None:
        raise Http404(_("Ce stagiaire n'est pas inscrit à cette session."))
    try:
        pdf = documents.completion_certificate_pdf_kept(registration=registration)
    except PdfError:
        return _pdf_unavailable(request, _session_url(session_id))
    return _download(
        pdf,
        content_type="application/pdf",
        filename=documents.completion_certificate_filename(registration=registration),
    )


def _form_page(
    request: HttpRequest,
    *,
    session: TrainingSession,
    form: ConventionForm,
    convention: Convention | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"session": session, "form": form, "convention": convention}
    if convention is not None:
        context.update(
            {
                "versions": services.convention_versions(convention=convention),
                "signing_url": services.convention_url(convention=convention),
                "signed_text": documents.convention_context(convention=convention)["signed_text"],
            }
        )
    return render(request, "backoffice/convention_form.html", context, status=status)


def _form_error(form: ConventionForm, error: SessionError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@staff_permission_required(CHANGE)
@require_http_methods(["GET", "HEAD", "POST"])
def convention_create(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(session_id)
    if request.method != "POST":
        initial = {"price_text": session.price, "company_name": session.company_name}
        return _form_page(request, session=session, form=ConventionForm(initial=initial))
    form = ConventionForm(request.POST)
    if not form.is_valid():
        return _form_page(request, session=session, form=form, status=400)
    try:
        convention = services.convention_create(session=session, **form.cleaned_data)
    except SessionError as error:
        _form_error(form, error)
        return _form_page(request, session=session, form=form, status=400)
    messages.success(
        request,
        _("Convention %(number)s écrite : le lien de signature est envoyé à %(email)s.")
        % {"number": convention.number, "email": convention.contact_email},
    )
    return redirect("backoffice:convention_update", convention_id=convention.pk)


@staff_permission_required(CHANGE)
@require_http_methods(["GET", "HEAD", "POST"])
def convention_update(request: HttpRequest, convention_id: int) -> HttpResponse:
    convention = _convention_or_404(convention_id)
    session = convention.session
    if request.method != "POST" or convention.replaced_at:
        initial = {name: getattr(convention, name) for name in services.CONVENTION_FIELDS}
        return _form_page(
            request,
            session=session,
            form=ConventionForm(initial=initial),
            convention=convention,
            status=409 if request.method == "POST" else 200,
        )
    form = ConventionForm(request.POST)
    if not form.is_valid():
        return _form_page(request, session=session, form=form, convention=convention, status=400)
    try:
        current = services.convention_update(convention=convention, **form.cleaned_data)
    except SessionError as error:
        _form_error(form, error)
        convention.refresh_from_db()
        return _form_page(request, session=session, form=form, convention=convention, status=400)
    if current.pk != convention.pk:
        messages.success(
            request,
            _(
                "Version %(version)d de la convention %(number)s écrite : la version signée est conservée, et le "
                "lien de la nouvelle version est envoyé à %(email)s."
            )
            % {"version": current.version, "number": current.number, "email": current.contact_email},
        )
    else:
        messages.success(request, _("Convention %(number)s enregistrée.") % {"number": current.number})
    return redirect("backoffice:convention_update", convention_id=current.pk)


@staff_permission_required(VIEW)
@require_safe
def convention_pdf(request: HttpRequest, convention_id: int) -> HttpResponse:
    convention = _convention_or_404(convention_id)
    try:
        pdf = documents.convention_pdf_kept(convention=convention)
    except PdfError:
        return _pdf_unavailable(request, _session_url(convention.session_id))
    return _download(
        pdf, content_type="application/pdf", filename=documents.convention_filename(convention=convention)
    )


@staff_permission_required(VIEW)
@require_safe
def session_archive(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(session_id)
    try:
        content = archive.archive_build(sessions=[session])
    except PdfError:
        return _pdf_unavailable(request, _session_url(session.pk))
    return _download(
        content, content_type="application/zip", filename=archive.archive_filename(session=session)
    )


def _date_param(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


@staff_permission_required(VIEW)
@require_http_methods(["GET", "HEAD", "POST"])
def period_archive(request: HttpRequest) -> HttpResponse:
    """The evidence of a period (`debut`, `fin`: AAAA-MM-JJ): the sessions whose first half-day falls in it (both
    days included), the complaints and the e-learning followed in it. The form is shown with this year's dates;
    sent, the worker prepares the archive and e-mails the link (a year takes minutes to render)."""
    today = timezone.localdate()
    if request.method == "POST":  # what was typed, kept as it is when refused
        dates = {"debut": request.POST.get("debut", ""), "fin": request.POST.get("fin", "")}
    else:
        dates = {"debut": f"{today:%Y}-01-01", "fin": f"{today:%Y-%m-%d}"}
    context = {**dates, "email": request.user.email}
    if request.method != "POST":
        return render(request, "backoffice/session_archive.html", context)
    start, end = _date_param(context["debut"]), _date_param(context["fin"])
    error = ""
    if start is None or end is None:
        error = _(
            "Indiquez la période avec deux dates au format AAAA-MM-JJ, par exemple 2026-01-01 et 2026-12-31."
        )
    elif end < start:
        error = _("La date de fin précède la date de début : inversez-les.")
    if error:
        return render(request, "backoffice/session_archive.html", {**context, "error": error}, status=400)
    evidence_archive_prepare.enqueue(start=start.isoformat(), end=end.isoformat(), user_id=request.user.pk)
    return render(
        request, "backoffice/session_archive.html", {**context, "start": start, "end": end, "queued": True}
    )


@staff_permission_required(VIEW)
@require_safe
def archive_download(request: HttpRequest, name: str) -> HttpResponse:
    """A period's archive prepared by the worker (the link of its e-mail)."""
    try:
        handle = archive.archive_stored_open(name=name)
    except StorageUnavailable:
        handle = None
    if handle is None:
        raise Http404(
            _("Cette archive n'existe plus (elles sont gardées %(days)d jours) : demandez-la de nouveau.")
            % {"days": archive.ARCHIVE_KEEP_DAYS}
        )
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")
