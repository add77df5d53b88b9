"""« Réclamations » (Qualiopi indicator 31): every complaint, open ones first, and one complaint followed to its
answer, its improvement action and its closing, each dated."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.sessions.errors import SessionError
from frenchbot.sessions.forms.complaints import ComplaintFilterForm, ComplaintUpdateForm
from frenchbot.sessions.services.complaints import (
    COMPLAINT_ANSWER_WORKING_DAYS,
    complaint_age_days,
    complaint_get,
    complaint_update,
    complaints_for_staff,
)

from ..permissions import staff_permission_required

_PER_PAGE = 50


@staff_permission_required("training_sessions.view_complaint")
@require_safe
def complaint_list(request: HttpRequest) -> HttpResponse:
    form = ComplaintFilterForm(request.GET)
    status = form.status_value()
    page = Paginator(complaints_for_staff(status=status), _PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for complaint in page:
        complaint.age_days = complaint_age_days(complaint=complaint, today=today)
    return render(
        request,
        "backoffice/complaints.html",
        {
            "form": form,
            "page_obj": page,
            "query": f"status={status}" if status else "",
            "answer_days": COMPLAINT_ANSWER_WORKING_DAYS,
        },
    )


@staff_permission_required("training_sessions.view_complaint")
@require_http_methods(["GET", "HEAD", "POST"])
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = complaint_get(complaint_id=complaint_id)
    if complaint is None:
        raise Http404(_("Cette réclamation n'existe pas."))
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("training_sessions.change_complaint"):
            raise PermissionDenied
        form = ComplaintUpdateForm(request.POST, complaint=complaint)
        if form.is_valid():
            data = form.cleaned_data
            was_answered = complaint.answered_at is not None
            try:
                updated = complaint_update(
                    complaint=complaint,
                    by=request.user,
                    status=data["status"],
                    answer=data["answer"],
                    action=data["action"],
                )
            except SessionError as error:
                for field, message in (error.errors or {error.field: error.message}).items():
                    form.add_error(field if field in form.fields else None, message)
                status = 400
            else:
                message = _("Réclamation %(reference)s enregistrée.") % {"reference": updated.reference}
                if updated.answered_at and not was_answered:
                    message += " " + _("La réponse part par e-mail à %(email)s.") % {"email": updated.email}
                messages.success(request, message)
                return redirect("backoffice:complaint_detail", complaint_id=complaint.pk)
        else:
            status = 400
    else:
        form = ComplaintUpdateForm(complaint=complaint)
    context = {
        "complaint": complaint,
        "form": form,
        "age_days": complaint_age_days(complaint=complaint),
    }
    return render(request, "backoffice/complaint_detail.html", context, status=status)
