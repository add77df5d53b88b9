"""Company accounts: the manager's page (seats, colleagues' progress, invitations) and the invitation link."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from frenchbot.core.ratelimit import rate_limit_hit

from ..errors import SeatError
from ..forms import SeatInviteForm
from ..selectors import companies as company_selectors
from ..services import companies as company_services

# Invitations and freed seats per manager per hour; seat acceptances per account per hour.
COMPANY_WRITE_RATE_LIMIT = 60
SEAT_ACCEPT_RATE_LIMIT = 20
RATE_WINDOW = 3600

_RATE_LIMITED = gettext_lazy(
    "Vous avez fait beaucoup de demandes en peu de temps. Patientez quelques minutes puis réessayez : "
    "ce que vous avez saisi est conservé."
)


def _company_or_404(request: HttpRequest, company_id: int):
    company = company_selectors.company_get_managed(company_id=company_id, user=request.user)
    if company is None:
        # Someone else's company and no company at all look the same: nothing to learn from the answer.
        raise Http404(_("Ce compte entreprise n'existe pas."))
    return company


def _write_limited(request: HttpRequest) -> bool:
    return rate_limit_hit(
        scope="company_write",
        key=str(request.user.pk),
        limit=COMPANY_WRITE_RATE_LIMIT,
        window_seconds=RATE_WINDOW,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _company_or_404(request, company_id)
    page_url = reverse("courses:company", args=[company.pk])
    form = SeatInviteForm()
    status = 200
    seat_to_free = None
    free_error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invite":
            form = SeatInviteForm(request.POST)
            if not form.is_valid():
                status = 400
            elif _write_limited(request):
                form.add_error(None, _RATE_LIMITED)
                status = 429
            else:
                try:
                    seat = company_services.seat_invite(
                        company=company, email=form.cleaned_data["email"], invited_by=request.user
                    )
                except SeatError as error:
                    form.add_error("email", error.message)
                    status = 409 if error.code in ("full", "duplicate") else 400
                else:
                    messages.success(
                        request,
                        _(
                            "Invitation envoyée à %(email)s. La place lui est réservée jusqu'à ce que vous la libériez."
                        )
                        % {"email": seat.email},
                    )
                    return redirect(page_url)
        elif action == "free":
            seat = company_selectors.seat_get(company=company, seat_id=request.POST.get("seat"))
            if seat is None:
                messages.info(request, _("Cette place était déjà libre."))
                return redirect(page_url)
            if _write_limited(request):
                seat_to_free, free_error, status = seat, str(_RATE_LIMITED), 429
            else:
                email = seat.email
                company_services.seat_free(seat=seat, by=request.user)
                messages.success(
                    request,
                    _("La place de %(email)s est libérée : vous pouvez la donner à quelqu'un d'autre.")
                    % {"email": email},
                )
                return redirect(page_url)
        else:
            status = 400
            free_error = _("Action inconnue : rechargez la page puis réessayez.")
    elif "liberer" in request.GET:
        # The confirmation step of freeing a seat: the page shows what will happen, the button POSTs.
        seat_to_free = company_selectors.seat_get(company=company, seat_id=request.GET.get("liberer"))
    members = company_selectors.company_members(company=company)
    used = len(members)
    context = {
        "company": company,
        "members": members,
        "seats_used": used,
        "seats_left": max(company.seats - used, 0),
        "seats_percent": min(100, used * 100 // company.seats) if company.seats else 100,
        "form": form,
        "seat_to_free": seat_to_free,
        "free_error": free_error,
        "page_url": page_url,
    }
    return render(request, "courses/company.html", context, status=status)


def _invitation_not_found(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Invitation introuvable"),
            "message": _(
                "Ce lien d'invitation n'est plus valable : la place a peut-être été libérée ou donnée à "
                "quelqu'un d'autre. Demandez une nouvelle invitation à la personne qui gère la formation dans "
                "votre entreprise."
            ),
        },
        status=404,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def seat_accept(request: HttpRequest, token: str) -> HttpResponse:
    seat = company_selectors.seat_get_by_token(token=token)
    if seat is None:
        return _invitation_not_found(request)
    user = request.user
    next_query = urlencode({"next": request.path})
    status = 200
    error = ""
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{next_query}")
        if rate_limit_hit(
            scope="seat_accept", key=str(user.pk), limit=SEAT_ACCEPT_RATE_LIMIT, window_seconds=RATE_WINDOW
        ):
            error, status = str(_RATE_LIMITED), 429
        else:
            try:
                enrolment = company_services.seat_accept(token=token, user=user)
            except SeatError as refusal:
                if refusal.code == "not_found":
                    return _invitation_not_found(request)
                error = refusal.message
                status = 403 if refusal.code == "wrong_account" else 409
            else:
                messages.success(
                    request,
                    _("Bienvenue ! Vous avez maintenant accès à la formation « %(training)s ».")
                    % {"training": enrolment.training.title},
                )
                return redirect(enrolment.training.get_absolute_url())
    context = {
        "seat": seat,
        "company": seat.company,
        "training": seat.company.training,
        "masked_email": company_selectors.email_mask(seat.email),
        "is_for_user": company_selectors.seat_is_for_user(seat=seat, user=user),
        "accepted_by_user": user.is_authenticated and seat.user_id == user.pk,
        "accepted_by_other": seat.user_id is not None and seat.user_id != getattr(user, "pk", None),
        "login_url": f"{reverse('account_login')}?{next_query}",
        "signup_url": f"{reverse('account_signup')}?{next_query}",
        "error": error,
    }
    return render(request, "courses/seat_accept.html", context, status=status)
