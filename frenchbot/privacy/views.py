"""« Mes données »: the same pages for a signed-in person (`mes-donnees/`) and for anyone holding a signed link
sent to their address (`acces/<token>/`). Every page is personal: never cached, never indexed."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from frenchbot.core.formguard import form_timestamp
from frenchbot.core.net import client_ip

from . import registry, services
from .forms import ErasureForm, LinkRequestForm, RectificationForm
from .models import PrivacyRequest
from .services import PrivacyError


class _Access:
    """Who is asking, proven by the link or the session, and where their pages are."""

    def __init__(self, *, subject, channel, token, email):
        self.subject = subject
        self.channel = channel
        self.token = token
        self.email = email

    def __getattr__(self, name: str) -> str:
        # `access.url_archive` in templates.
        if name.startswith("url_"):
            return self.url(name[4:])
        raise AttributeError(name)

    def url(self, name: str) -> str:
        if self.token:
            suffix = "" if name == "overview" else f"_{name}"
            return reverse(f"privacy:access{suffix}", kwargs={"token": self.token})
        return reverse("privacy:mine" if name == "overview" else f"privacy:mine_{name}")


def _access(request: HttpRequest, token: str | None) -> _Access | HttpResponse:
    session_key = request.session.session_key
    if token:
        try:
            email = services.link_email(token=token)
        except PrivacyError as error:
            return render(
                request,
                "privacy/link_invalid.html",
                {"message": error.message},
                status=400,
            )
        subject = services.subject_for_email(email=email, session_key=session_key)
        return _Access(subject=subject, channel=PrivacyRequest.Channel.LINK, token=token, email=email)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    subject = services.subject_for_user(user=request.user, session_key=session_key)
    return _Access(
        subject=subject, channel=PrivacyRequest.Channel.ACCOUNT, token=None, email=request.user.email
    )


def _rate_limited_page(request, access) -> HttpResponse | None:
    if services.action_rate_limited(subject=access.subject):
        messages.error(
            request,
            _(
                "Vous avez fait beaucoup de demandes en peu de temps. Patientez quelques minutes puis recommencez."
            ),
        )
        return redirect(access.url("overview"))
    return None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    sent_url = reverse("privacy:request") + "?envoye=1"
    status = 200
    if request.method == "POST":
        form = LinkRequestForm(request.POST)
        if not form.is_valid():
            status = 400
        else:
            try:
                services.link_request(email=form.cleaned_data["email"], ip=client_ip(request))
            except PrivacyError as error:
                form.add_error(None, error.message)
                status = 429
            else:
                return redirect(sent_url)
    else:
        form = LinkRequestForm(initial={"ts": form_timestamp()})
    context = {
        "form": form,
        "sent": request.method != "POST" and request.GET.get("envoye") == "1",
        "hours": settings.PRIVACY_LINK_MAX_AGE_HOURS,
    }
    return render(request, "privacy/request.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def overview(request: HttpRequest, token: str | None = None) -> HttpResponse:
    access = _access(request, token)
    if isinstance(access, HttpResponse):
        return access
    return _overview_render(request, access)


def _overview_render(request, access, *, rectification_form=None, status=200) -> HttpResponse:
    held = services.holdings_read(subject=access.subject)
    context = {
        "access": access,
        "apps": held,
        "consents": services.consents_list(subject=access.subject),
        "rectification_form": rectification_form or RectificationForm(),
        "has_account": access.subject.user_id is not None,
    }
    return render(request, "privacy/overview.html", context, status=status)


@never_cache
@require_POST
def archive(request: HttpRequest, token: str | None = None) -> HttpResponse:
    access = _access(request, token)
    if isinstance(access, HttpResponse):
        return access
    if (limited := _rate_limited_page(request, access)) is not None:
        return limited
    # What the person holds is read once, for the archive and for the log of the copy taken.
    held = services.holdings_read(subject=access.subject)
    content = services.archive_build(subject=access.subject, held=held)
    services.access_record(subject=access.subject, channel=access.channel, held=held)
    response = HttpResponse(content, content_type="application/zip")
    filename = f"mes-donnees-thefrenchbot-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@require_POST
def rectify(request: HttpRequest, token: str | None = None) -> HttpResponse:
    access = _access(request, token)
    if isinstance(access, HttpResponse):
        return access
    form = RectificationForm(request.POST)
    if not form.is_valid():
        return _overview_render(request, access, rectification_form=form, status=400)
    if (limited := _rate_limited_page(request, access)) is not None:
        return limited
    try:
        services.rectification_run(
            subject=access.subject,
            channel=access.channel,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
        )
    except PrivacyError as error:
        form.add_error(None, error.message)
        return _overview_render(request, access, rectification_form=form, status=400)
    messages.success(request, _("Vos informations sont corrigées partout où elles apparaissent."))
    new_email = form.cleaned_data["email"]
    if access.token and new_email:
        # The old link names the old address: the corrected data now answers to the new one.
        return redirect(reverse("privacy:access", kwargs={"token": services.link_token(email=new_email)}))
    return redirect(access.url("overview"))


@never_cache
@require_POST
def withdraw(request: HttpRequest, token: str | None = None) -> HttpResponse:
    access = _access(request, token)
    if isinstance(access, HttpResponse):
        return access
    if (limited := _rate_limited_page(request, access)) is not None:
        return limited
    try:
        consent = services.consent_withdraw(
            subject=access.subject, key=request.POST.get("consent", ""), channel=access.channel
        )
    except PrivacyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Consentement retiré : %(label)s.") % {"label": consent.label})
    return redirect(access.url("overview"))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def erase(request: HttpRequest, token: str | None = None) -> HttpResponse:
    access = _access(request, token)
    if isinstance(access, HttpResponse):
        return access
    status = 200
    if request.method == "POST":
        form = ErasureForm(request.POST)
        if not form.is_valid():
            status = 400
        elif (limited := _rate_limited_page(request, access)) is not None:
            return limited
        else:
            done = services.erasure_request(subject=access.subject, channel=access.channel)
            if access.channel == PrivacyRequest.Channel.ACCOUNT or (
                request.user.is_authenticated and request.user.pk == access.subject.user_id
            ):
                logout(request)
            return render(request, "privacy/erased.html", {"done": done})
    else:
        form = ErasureForm()
    context = {
        "access": access,
        "apps": services.holdings_read(subject=access.subject),
        "form": form,
        "has_account": access.subject.user_id is not None,
        "KEEP": registry.Erasure.KEEP,
    }
    return render(request, "privacy/erase.html", context, status=status)
