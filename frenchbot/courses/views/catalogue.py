"""The catalogue, a training's page, and enrolment by access code. Every page works without JavaScript.

The catalogue and a training's page are shared between anonymous visitors only (`render_cached` renders afresh
for anyone with a session cookie, as every signed-in learner has), and the trainings' admin invalidates the
copies.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.core.net import client_ip
from frenchbot.core.pagecache import public_version, render_cached
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.text import render_markdown

from ..errors import CourseError
from ..forms import AccessCodeForm
from ..models import Audience
from ..selectors.progress import enrolment_get, enrolment_progress, training_ids_followed
from ..selectors.trainings import training_get, training_outline, trainings_published
from ..services.enrolment import enrolment_by_code

# The code an anonymous visitor typed, kept while they sign in or create their account.
PENDING_CODE_SESSION_KEY = "courses:pending_code"


# The catalogue's filter, in the words of the address bar.
AUDIENCE_PARAMS = {"particulier": Audience.INDIVIDUAL, "entreprise": Audience.BUSINESS}


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    """Published trainings as cards, optionally for one audience (?public=particulier|entreprise)."""
    wanted = request.GET.get("public", "")
    audience = AUDIENCE_PARAMS.get(wanted)
    trainings = trainings_published(audience=audience)

    def context(values):
        enrolled_ids = training_ids_followed(user=request.user)
        return {
            # Evaluated by the template inside the cards' fragment: no query when it is kept.
            "trainings": trainings,
            "audience_param": wanted if audience is not None else "",
            "enrolled_ids": enrolled_ids,
            # The cards differ only by the « Vous suivez cette formation » badges: one rendering per set.
            "enrolled_key": ",".join(str(pk) for pk in sorted(enrolled_ids)),
        }

    return render_cached(request, template="courses/catalogue.html", context=context)


def training_or_404(request: HttpRequest, slug: str):
    """The training this visitor may see under `slug`; 404 otherwise (unpublished, unknown, not theirs)."""
    training = training_get(user=request.user, slug=slug)
    if training is None:
        raise Http404(_("Cette formation n'existe pas ou n'est plus proposée."))
    return training


@require_safe
def training(request: HttpRequest, slug: str) -> HttpResponse:
    """A training's page: what it teaches, its programme, and the next step for this visitor."""
    training = training_or_404(request, slug)
    enrolment = enrolment_get(user=request.user, training=training, with_done=True)

    def context(values):
        # Built only when the page is rendered: a cached copy needs no outline.
        outline = training_outline(training=training, version=public_version(request))
        return {
            "training": training,
            "is_draft": not training.is_published,
            # Called by the template inside a fragment kept per content version: not at all on a hit.
            "description_html": lambda: render_markdown(training.description),
            "outline": outline,
            "enrolment": enrolment,
            "progress": (
                enrolment_progress(enrolment=enrolment, outline=outline, done=enrolment.done_keys)
                if enrolment
                else None
            ),
            "can_open_all": enrolment is not None or request.user.is_staff,
            "form": AccessCodeForm(),
        }

    if not training.is_published:
        return render(request, "courses/training.html", context({}))
    return render_cached(request, template="courses/training.html", context=context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def enrol_code(request: HttpRequest) -> HttpResponse:
    """Enter an access code: a signed-in person is enrolled and sent to their first step; an anonymous
    visitor is asked to sign in first, and finds the code they typed waiting here afterwards."""
    status = 200
    already_enrolled = False
    if request.method != "POST":
        form = AccessCodeForm(initial={"code": request.session.get(PENDING_CODE_SESSION_KEY, "")})
        return render(request, "courses/enrol_code.html", {"form": form, "already_enrolled": False})

    form = AccessCodeForm(request.POST)
    if not request.user.is_authenticated:
        if form.is_valid():
            request.session[PENDING_CODE_SESSION_KEY] = form.cleaned_data["code"]
        messages.info(
            request,
            _(
                "Connectez-vous ou créez votre compte pour utiliser votre code : il vous attendra ici ensuite."
            ),
        )
        return redirect_to_login(reverse("courses:enrol_code"))
    if not form.is_valid():
        status = 422
    elif rate_limit_hit(
        scope="courses-code",
        key=client_ip(request),
        limit=settings.COURSES_CODE_RATE_LIMIT,
        window_seconds=3600,
    ):
        status = 429
        form.add_error(
            "code",
            _(
                "Vous avez essayé beaucoup de codes en peu de temps. Patientez une heure, "
                "ou écrivez-nous : nous vous aiderons."
            ),
        )
    else:
        try:
            enrolment = enrolment_by_code(user=request.user, code=form.cleaned_data["code"])
        except CourseError as error:
            status = 422
            already_enrolled = error.code == "already_enrolled"
            form.add_error("code", error.message)
        else:
            request.session.pop(PENDING_CODE_SESSION_KEY, None)
            messages.success(
                request,
                _("Bienvenue dans la formation « %(title)s » : vous pouvez commencer.")
                % {"title": enrolment.training.title},
            )
            return redirect("courses:resume", slug=enrolment.training.slug)
    return render(
        request,
        "courses/enrol_code.html",
        {"form": form, "already_enrolled": already_enrolled},
        status=status,
    )
