"""The learner's pages: « Mes formations », progress, « Reprendre », lessons and their files.

Pages that differ per person are rendered with `render`, which the shared page cache never stores, and sent with
`never_cache` so that no proxy keeps them either.
"""

import mimetypes
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.core.pagecache import public_version
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.storage import StorageUnavailable

from .. import access
from ..errors import CourseError
from ..forms import AccessCodeForm
from ..models import Enrolment, Lesson
from ..selectors.progress import (
    enrolment_get,
    enrolment_get_by_slug,
    enrolment_progress,
    learner_dashboard,
)
from ..selectors.trainings import (
    VIDEO_FRAME_HOSTS,
    lesson_body_html,
    lesson_get,
    lesson_image_get,
    lesson_with_outline,
    resource_get,
    step_neighbours,
    training_outline,
    video_embed_url,
)
from ..services.progress import lesson_complete as lesson_complete_service
from ..services.progress import lesson_open
from .catalogue import training_or_404


def _error(
    request: HttpRequest, *, status: int, title: str, message: str, back_url: str = "", back_label: str = ""
) -> HttpResponse:
    context = {"title": title, "message": message, "back_url": back_url, "back_label": back_label}
    return render(request, "core/error.html", context, status=status)


def _resume_url(request: HttpRequest, enrolment: Enrolment) -> str:
    """Where « Reprendre » leads: the next step to do, else the progress page once everything is done."""
    progress = enrolment_progress(enrolment=enrolment, version=public_version(request))
    if progress.next_step is not None:
        return progress.next_step.url
    return reverse("courses:progress", args=[enrolment.training.slug])


@never_cache
@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """« Mes formations »: each training followed with its progress, and the companies managed."""
    items, companies = learner_dashboard(user=request.user, version=public_version(request))
    return render(request, "courses/dashboard.html", {"items": items, "companies": companies})


@never_cache
@require_safe
def resume(request: HttpRequest, slug: str) -> HttpResponse:
    """« Reprendre où vous en étiez »: the next step to do; the training's page for anyone not enrolled."""
    training = training_or_404(request, slug)
    enrolment = enrolment_get(user=request.user, training=training)
    if enrolment is None:
        return redirect(training.get_absolute_url())
    return redirect(_resume_url(request, enrolment))


@never_cache
@login_required
@require_safe
def progress(request: HttpRequest, slug: str) -> HttpResponse:
    """The learner's progress: per module, overall, and what remains for the certificate."""
    version = public_version(request)
    enrolment = enrolment_get_by_slug(user=request.user, training_slug=slug, version=version)
    if enrolment is None or not access.training_can_see(user=request.user, training=enrolment.training):
        training = training_or_404(request, slug)
        messages.info(request, _("Inscrivez-vous à cette formation pour suivre votre progression."))
        return redirect(training.get_absolute_url())
    training = enrolment.training
    progress = enrolment_progress(enrolment=enrolment, version=version, done=enrolment.done_keys)
    context = {
        "training": training,
        "enrolment": enrolment,
        "progress": progress,
        "remaining": [s for s in progress.steps if s.obj.is_required and not s.done],
        "certificate": enrolment.has_certificate,
    }
    return render(request, "courses/progress.html", context)


def _locked(request: HttpRequest, lesson: Lesson, *, status: int = 403) -> HttpResponse:
    """The enrolment prompt shown instead of a lesson reserved to the training's learners."""
    training = lesson.module.training
    context = {
        "training": training,
        "lesson": lesson,
        "locked": True,
        "form": AccessCodeForm(),
        "enrolment": None,
    }
    return render(request, "courses/lesson.html", context, status=status)


def _lesson_or_404(request: HttpRequest, slug: str, lesson_id: int) -> Lesson:
    lesson = lesson_get(training_slug=slug, lesson_id=lesson_id)
    return _visible_or_404(request, lesson)


def _visible_or_404(request: HttpRequest, lesson: Lesson | None) -> Lesson:
    if lesson is None or not access.lesson_can_see(user=request.user, lesson=lesson):
        raise Http404(_("Cette leçon n'existe pas ou n'est plus proposée."))
    return lesson


@never_cache
@require_safe
def lesson(request: HttpRequest, slug: str, lesson_id: int, lesson_slug: str) -> HttpResponse:
    """A lesson: its text, images, video link and files, and the way on; the enrolment prompt (403) for a
    lesson reserved to learners."""
    version = public_version(request)
    lesson, outline = lesson_with_outline(training_slug=slug, lesson_id=lesson_id, version=version)
    lesson = _visible_or_404(request, lesson)
    if lesson.slug != lesson_slug:
        return redirect(lesson.get_absolute_url(), permanent=True)
    training = lesson.module.training
    enrolment = enrolment_get(user=request.user, training=training, with_done=True)
    if not access.lesson_can_view(user=request.user, lesson=lesson, enrolment=enrolment):
        return _locked(request, lesson)
    if outline is None:
        outline = training_outline(training=training, version=version)
    progress = None
    if enrolment is not None:
        lesson_open(enrolment=enrolment, lesson=lesson)
        progress = enrolment_progress(enrolment=enrolment, outline=outline, done=enrolment.done_keys)
    key = f"lesson:{lesson.pk}"
    previous_step, next_step = step_neighbours(outline=outline, key=key)
    context = {
        "training": training,
        "lesson": lesson,
        "locked": False,
        "is_draft": not access.lesson_is_published(lesson),
        # Called by the template, inside the fragment kept per content version: not at all on a hit.
        "body_html": lambda: lesson_body_html(lesson=lesson),
        "video_host": urlsplit(lesson.video_url).hostname or "",
        "video_embed": video_embed_url(lesson.video_url),
        "enrolment": enrolment,
        "progress": progress,
        "done": progress is not None and any(s.key == key and s.done for s in progress.steps),
        "outline": outline,
        "current_key": key,
        "can_open_all": enrolment is not None or request.user.is_staff,
        "previous_step": previous_step,
        "next_step": next_step,
        # The invitation to enrol, under a preview lesson, for those who do not follow the training.
        "form": AccessCodeForm() if enrolment is None and not request.user.is_staff else None,
    }
    response = render(request, "courses/lesson.html", context)
    if context["video_embed"]:
        # The site's policy forbids frames; this page opens it to the two video players only.
        response["Content-Security-Policy"] = (
            f"{settings.CONTENT_SECURITY_POLICY}; frame-src {' '.join(VIDEO_FRAME_HOSTS)}"
        )
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def lesson_complete(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    """« Marquer comme terminée »: record it, then go on to the next step to do."""
    lesson = _lesson_or_404(request, slug, lesson_id)
    if request.method != "POST":
        # A link followed or a page reloaded changes nothing: back to the lesson.
        return redirect(lesson.get_absolute_url())
    if not request.user.is_authenticated:
        return redirect_to_login(lesson.get_absolute_url())
    training = lesson.module.training
    enrolment = enrolment_get(user=request.user, training=training)
    if enrolment is None:
        return _error(
            request,
            status=403,
            title=_("Progression réservée aux personnes inscrites"),
            message=_("Pour enregistrer votre progression, inscrivez-vous d'abord à la formation."),
            back_url=training.get_absolute_url(),
            back_label=_("Voir comment s'inscrire"),
        )
    if rate_limit_hit(
        scope="courses-complete",
        key=str(request.user.pk),
        limit=settings.COURSES_SUBMIT_RATE_LIMIT,
        window_seconds=3600,
    ):
        return _error(
            request,
            status=429,
            title=_("Un instant, s'il vous plaît"),
            message=_(
                "Vous avez validé beaucoup de leçons en peu de temps. Patientez quelques minutes puis réessayez."
            ),
            back_url=lesson.get_absolute_url(),
            back_label=_("Revenir à la leçon"),
        )
    try:
        result = lesson_complete_service(enrolment=enrolment, lesson=lesson)
    except CourseError as error:
        return _error(request, status=403, title=_("Leçon non enregistrée"), message=error.message)
    if result.certificate_issued:
        messages.success(request, _("Bravo, vous avez terminé la formation : votre certificat est prêt."))
        return redirect("courses:certificate", slug=training.slug)
    messages.success(request, _("Leçon « %(title)s » terminée.") % {"title": lesson.title})
    return redirect(_resume_url(request, enrolment))


def _storage_unavailable(request: HttpRequest, back_url: str) -> HttpResponse:
    # The object storage is down or refuses our keys: the file is not lost, say so and let them retry.
    return _error(
        request,
        status=503,
        title=_("Fichier momentanément indisponible"),
        message=_("Ce fichier ne peut pas être lu pour le moment. Réessayez dans quelques minutes."),
        back_url=back_url,
        back_label=_("Revenir à la leçon"),
    )


@never_cache
@require_safe
def lesson_image(request: HttpRequest, slug: str, lesson_id: int, name: str) -> HttpResponse:
    """An image of a lesson, only to those who may read the lesson (the file is not under MEDIA_URL)."""
    lesson = _lesson_or_404(request, slug, lesson_id)
    image = lesson_image_get(lesson=lesson, name=name)
    if image is None or not access.lesson_can_view(user=request.user, lesson=lesson):
        raise Http404(_("Cette image n'existe pas ou n'est plus proposée."))
    try:
        handle = image.image.open("rb")
    except StorageUnavailable:
        return _storage_unavailable(request, lesson.get_absolute_url())
    except (FileNotFoundError, ValueError):
        raise Http404(_("Cette image n'existe pas ou n'est plus proposée.")) from None
    response = FileResponse(
        handle, content_type=mimetypes.guess_type(image.image.name)[0] or "application/octet-stream"
    )
    response["Cache-Control"] = "public, max-age=3600" if lesson.is_preview else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_safe
def resource_download(request: HttpRequest, slug: str, resource_id: int) -> HttpResponse:
    """A lesson's file, only to those who may read the lesson."""
    resource = resource_get(training_slug=slug, resource_id=resource_id)
    if resource is None or not access.lesson_can_see(user=request.user, lesson=resource.lesson):
        raise Http404(_("Ce fichier n'existe pas ou n'est plus proposé."))
    if not access.lesson_can_view(user=request.user, lesson=resource.lesson):
        return _locked(request, resource.lesson)
    try:
        handle = resource.file.open("rb")
    except StorageUnavailable:
        return _storage_unavailable(request, resource.lesson.get_absolute_url())
    except (FileNotFoundError, ValueError):
        raise Http404(_("Ce fichier n'est plus disponible. Écrivez-nous : nous vous l'enverrons.")) from None
    response = FileResponse(handle, as_attachment=True, filename=os.path.basename(resource.file.name))
    # Reserved to learners: no proxy or shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
