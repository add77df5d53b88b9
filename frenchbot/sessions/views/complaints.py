"""/reclamation/: the complaint form, open to learners, companies, funders and anyone."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from frenchbot.core.formguard import form_timestamp
from frenchbot.core.net import client_ip

from ..errors import SessionError
from ..forms.complaints import ComplaintForm
from ..services.complaints import COMPLAINT_ANSWER_WORKING_DAYS, complaint_create

# The reference of the complaint just sent, kept in the sender's session for the page after the redirect (a
# reference in the address would let anyone print « bien reçue » for any number).
_SESSION_KEY = "sessions:complaint_reference"


def _initial(request: HttpRequest) -> dict:
    initial = {"ts": form_timestamp()}
    user = request.user
    if user.is_authenticated:
        initial.update(name=user.get_full_name() or "", email=user.email or "")
    return initial


# Rendered for each visitor with their own CSRF token and time stamp; never_cache so that no proxy or browser
# history keeps a copy: after a POST the page holds their complaint.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def complaint(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ComplaintForm(request.POST)
        if form.is_valid():
            try:
                created = complaint_create(**form.create_kwargs(), ip=client_ip(request))
            except SessionError as error:
                for field, message in (error.errors or {error.field: error.message}).items():
                    form.add_error(field if field in form.fields else None, message)
                status = 429 if error.code == "rate_limited" else 400
            else:
                request.session[_SESSION_KEY] = created.reference
                return redirect(reverse("sessions:complaint") + "?envoyee=1")
        else:
            status = 400
        # A re-displayed form gets a fresh time stamp; everything the person typed stays.
        form.data = form.data.copy()
        form.data["ts"] = form_timestamp()
    else:
        form = ComplaintForm(initial=_initial(request))
    sent = request.method != "POST" and request.GET.get("envoyee") == "1"
    context = {
        "form": form,
        "sent": sent,
        "reference": request.session.pop(_SESSION_KEY, "") if sent else "",
        "answer_days": COMPLAINT_ANSWER_WORKING_DAYS,
    }
    return render(request, "sessions/complaint.html", context, status=status)
