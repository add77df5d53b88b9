"""« Données personnelles »: the requests people made (self-service or entered by the team) with their deadline
and what was done, and the register of processing activities generated from the apps' declarations."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from frenchbot.core.csvexport import csv_response
from frenchbot.privacy import selectors, services
from frenchbot.privacy.forms import ManualRequestForm
from frenchbot.privacy.models import PrivacyRequest
from frenchbot.privacy.processors import ai_processors
from frenchbot.privacy.services import PrivacyError

from ..permissions import staff_permission_required


@staff_permission_required("privacy.view_privacyrequest")
@require_http_methods(["GET", "HEAD", "POST"])
def privacy_requests(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("privacy.add_privacyrequest"):
            return render(
                request,
                "core/error.html",
                {"title": _("Accès refusé"), "message": _("Vous ne pouvez pas saisir de demande.")},
                status=403,
            )
        form = ManualRequestForm(request.POST)
        if form.is_valid():
            try:
                services.manual_request_record(
                    right=form.cleaned_data["right"],
                    email=form.cleaned_data["email"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except PrivacyError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("La demande est enregistrée, avec son délai de réponse."))
                return redirect("backoffice:privacy_requests")
        else:
            status = 400
    else:
        form = ManualRequestForm()
    filter_status = request.GET.get("statut", "open")
    rows = [
        {"request": item, "late": selectors.request_is_late(item)}
        for item in selectors.requests_for_staff(status=filter_status if filter_status != "tout" else "")[
            :200
        ]
    ]
    context = {
        "rows": rows,
        "form": form,
        "filter_status": filter_status,
        "statuses": PrivacyRequest.Status.choices,
        "today": timezone.localdate(),
    }
    return render(request, "backoffice/privacy_requests.html", context, status=status)


@staff_permission_required("privacy.change_privacyrequest")
@require_POST
def privacy_request_execute(request: HttpRequest, public_id) -> HttpResponse:
    item = get_object_or_404(PrivacyRequest, public_id=public_id)
    try:
        done = services.manual_request_execute(request=item, by=request.user)
    except PrivacyError as error:
        messages.error(request, error.message)
    else:
        if done.status == PrivacyRequest.Status.DONE:
            messages.success(request, _("Demande traitée : %(summary)s") % {"summary": done.summary})
        else:
            messages.warning(
                request, _("Une partie n'a pas pu être faite ; le reste sera repris automatiquement.")
            )
    return redirect("backoffice:privacy_requests")


@staff_permission_required("privacy.view_privacyrequest")
@require_safe
def privacy_register(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": selectors.register_rows(),
        "processors": ai_processors(),
        "today": timezone.localdate(),
    }
    return render(request, "backoffice/privacy_register.html", context)


_REGISTER_COLUMNS = [
    ("name", _("Traitement")),
    ("purpose", _("Finalité")),
    ("legal_basis", _("Base légale")),
    ("people", _("Personnes concernées")),
    ("categories", _("Catégories de données")),
    ("recipients", _("Destinataires")),
    ("retention", _("Durée de conservation")),
    ("ai_processing", _("Prestataire d'IA possible")),
    ("stored_in", _("Où les données sont enregistrées")),
]


@staff_permission_required("privacy.view_privacyrequest")
@require_safe
def privacy_register_export(request: HttpRequest) -> HttpResponse:
    def rows():
        yield [str(label) for _key, label in _REGISTER_COLUMNS]
        for row in selectors.register_rows():
            yield [
                _("oui") if row[key] is True else _("non") if row[key] is False else row[key]
                for key, _l in _REGISTER_COLUMNS
            ]

    return csv_response(rows=rows(), filename="registre-des-traitements.csv")
