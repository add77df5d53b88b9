"""Pages of the sign-up: /lettre/ (the letter and its form), the confirmation of the double opt-in, the
preferences and the unsubscribe page reached from every e-mail, without an account."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from frenchbot.core.formguard import form_timestamp
from frenchbot.core.net import client_ip
from frenchbot.core.ratelimit import rate_limit_hit

from .. import selectors
from ..errors import NewsletterError, NewsletterLinkError
from ..forms import CONSENT_TEXT, PreferencesForm, SignupForm, signup_form_fresh
from ..models import Subscriber
from ..services.subscriptions import (
    subscriber_from_token,
    subscriber_token,
    subscriber_unsubscribe,
    subscription_confirm,
    subscription_request,
    subscription_request_verified,
    subscription_update,
)


def _safe_next(request: HttpRequest, value: str) -> str:
    """`value` when it is an address of this site (the article the visitor came from), else ""."""
    value = (value or "").strip()
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _account_address_verified(request: HttpRequest, email: str) -> bool:
    """True when `email` is the signed-in person's own address, verified by allauth: its owner proved it by the
    account's confirmation e-mail, so a second confirmation would add friction and no proof."""
    user = request.user
    if not user.is_authenticated:
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email.strip(), verified=True).exists()


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """GET: the letter, its lists and the form. POST (from here or from any page's compact form): the sign-up,
    answered with the same « vérifiez votre boîte » page whether or not the address was known."""
    if request.method != "POST":
        form = signup_form_fresh(next_url=_safe_next(request, request.GET.get("next", "")))
        return render(request, "newsletter/signup.html", {"form": form})
    form = SignupForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        verified = _account_address_verified(request, data["email"])
        request_service = subscription_request_verified if verified else subscription_request
        try:
            subscriber = request_service(
                email=data["email"],
                list_slugs=data["lists"],
                consent=data["consent"],
                consent_text=str(CONSENT_TEXT),
                origin=data["origin"],
                ip=client_ip(request),
            )
        except NewsletterError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            status = 429 if error.code == "rate_limited" else 400
        else:
            context = {
                "next_url": _safe_next(request, data.get("next", "")),
                "confirmed_now": verified and subscriber.status == Subscriber.Status.CONFIRMED,
            }
            return render(request, "newsletter/signup_done.html", context)
    # Re-displayed with everything typed and a fresh time stamp (the old one may be what failed).
    form.data = form.data.copy()
    form.data["ts"] = form_timestamp()
    return render(request, "newsletter/signup.html", {"form": form}, status=status)


def _link_error(request: HttpRequest, error: NewsletterLinkError) -> HttpResponse:
    return render(
        request,
        "newsletter/link_invalid.html",
        {"message": error.message},
        status=410 if error.expired else 400,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the confirmation e-mail. GET only shows a button; the POST of that button confirms: mail
    scanners and link previews open every link of a message (GET), and must not subscribe anyone."""
    try:
        subscriber, _issue_id = subscriber_from_token(token=token, action="confirm")
    except NewsletterLinkError as error:
        return _link_error(request, error)
    error_message = ""
    status = 200
    if request.method == "POST":
        try:
            subscriber = subscription_confirm(subscriber=subscriber)
        except NewsletterError as error:
            error_message, status = error.message, 409
    context = {
        "subscriber": subscriber,
        "lists": list(subscriber.lists.all()),
        "error_message": error_message,
        "preferences_url": reverse(
            "newsletter:preferences", args=[subscriber_token(subscriber=subscriber, action="preferences")]
        ),
    }
    return render(request, "newsletter/confirm.html", context, status=status)


def _preferences_limited(request: HttpRequest) -> bool:
    return rate_limit_hit(
        scope="newsletter-preferences",
        key=client_ip(request),
        limit=settings.NEWSLETTER_SIGNUP_RATE_LIMIT * 3,
        window_seconds=settings.NEWSLETTER_SIGNUP_RATE_WINDOW,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """Change lists, unsubscribe, and see what is kept, from the link of any e-mail (no account needed)."""
    try:
        subscriber, issue_id = subscriber_from_token(token=token, action="preferences")
    except NewsletterLinkError as error:
        return _link_error(request, error)
    status = 200
    saved = ""
    form = PreferencesForm(initial={"lists": [m.slug for m in subscriber.lists.all()]})
    if request.method == "POST":
        if _preferences_limited(request):
            form.add_error(None, _("Trop de modifications en peu de temps : patientez quelques minutes."))
            status = 429
        elif request.POST.get("action") == "unsubscribe":
            subscriber = subscriber_unsubscribe(subscriber=subscriber, issue_id=issue_id)
            saved = _("Vous êtes désinscrit : vous ne recevrez plus la lettre.")
        else:
            form = PreferencesForm(request.POST)
            if form.is_valid():
                try:
                    subscriber = subscription_update(
                        subscriber=subscriber, list_slugs=form.cleaned_data["lists"]
                    )
                except NewsletterError as error:
                    form.add_error(None, error.message)
                    status = 400
                else:
                    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
                        saved = _("Vous n'avez gardé aucune liste : vous êtes désinscrit.")
                    else:
                        saved = _("Vos préférences sont enregistrées.")
                    form = PreferencesForm(initial={"lists": [m.slug for m in subscriber.lists.all()]})
            else:
                status = 400
    subscribed = subscriber.status in (Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED)
    context = {
        "subscriber": subscriber,
        "form": form,
        "saved": saved,
        "subscribed": subscribed,
        "kept": selectors.subscriber_kept_data(subscriber=subscriber),
        "signup_form": None
        if subscribed
        else signup_form_fresh(origin="preferences", email=subscriber.email),
    }
    return render(request, "newsletter/preferences.html", context, status=status)


# RFC 8058 one-click unsubscribe: mail clients POST « List-Unsubscribe=One-Click » to the address of the
# List-Unsubscribe header, without cookies and so without a CSRF token. CSRF protects a visitor against a
# forged request made with *their* session; this view uses no session at all: what authorises the change is the
# signed token in the address, which only the subscriber's mailbox has. So this one view is csrf_exempt.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: one button (a mail scanner opening the link unsubscribes nobody). POST, from that button or from a
    mail client's one-click: unsubscribed at once, answered 200."""
    try:
        subscriber, issue_id = subscriber_from_token(token=token, action="unsubscribe")
    except NewsletterLinkError as error:
        return _link_error(request, error)
    done = False
    if request.method == "POST":
        subscriber = subscriber_unsubscribe(subscriber=subscriber, issue_id=issue_id)
        done = True
    context = {
        "subscriber": subscriber,
        "done": done or subscriber.status == Subscriber.Status.UNSUBSCRIBED,
        "preferences_url": reverse(
            "newsletter:preferences",
            args=[subscriber_token(subscriber=subscriber, action="preferences", issue_id=issue_id)],
        ),
    }
    return render(request, "newsletter/unsubscribe.html", context)
