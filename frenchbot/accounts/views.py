"""The learner's account page (sign-in, sign-up and passwords are allauth's, under /compte/ too)."""

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from frenchbot.core.net import client_ip

from .forms import ProfileForm
from .selectors import profile_overview
from .services import admin_login_rate_limited, profile_rate_limited, profile_update, staff_login


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if not form.is_valid():
            status = 400
        elif profile_rate_limited(user=user):
            form.add_error(
                None,
                _(
                    "Vous avez fait beaucoup de modifications en peu de temps. Patientez quelques minutes puis "
                    "renvoyez le formulaire : ce que vous avez saisi est conservé."
                ),
            )
            status = 429
        else:
            profile_update(
                user=user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
            messages.success(request, _("Vos nom et prénom sont enregistrés."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"first_name": user.first_name, "last_name": user.last_name})
    context = {"form": form, "overview": profile_overview(user=user)}
    return render(request, "accounts/profile.html", context, status=status)


class _AdminLoginView(LoginView):
    """The admin's own sign-in form and page, but a good password goes through allauth's sign-in stages: a
    staff member with an authenticator app is asked for its code before being signed in."""

    authentication_form = AdminAuthenticationForm
    template_name = "admin/login.html"

    def form_valid(self, form):
        return staff_login(request=self.request, user=form.get_user(), redirect_url=self.get_success_url())


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's sign-in page, with a limit on attempts per address (ADMIN_LOGIN_RATE_LIMIT in
    ADMIN_LOGIN_RATE_WINDOW seconds): password guessing against staff accounts is stopped, not just slowed.
    Code attempts on the second-factor page are limited by allauth (ACCOUNT_RATE_LIMITS « login_failed », per
    account)."""
    if request.method == "POST" and admin_login_rate_limited(ip=client_ip(request)):
        return render(
            request,
            "core/error.html",
            {
                "title": _("Trop de tentatives de connexion"),
                "message": _(
                    "Trop de tentatives de connexion depuis votre adresse : patientez quelques minutes avant de "
                    "réessayer."
                ),
            },
            status=429,
        )
    if request.method == "GET" and admin.site.has_permission(request):
        return redirect("admin:index")
    # The context AdminSite.login gives its page, which this view replaces.
    context = {
        **admin.site.each_context(request),
        "title": _("Connexion"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index")
    request.current_app = admin.site.name
    return _AdminLoginView.as_view(extra_context=context)(request)
