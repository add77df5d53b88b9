"""Who may see what in the trainings: drafts, preview lessons, enrolled learners, the team.

One place decides, for the pages, the file downloads and the bot alike: a lesson is readable when it is
published inside a published module of a published training, and it is either a preview lesson or the person
follows the training. The team sees everything, drafts included (marked as such on the pages).

Below the rules, the other reads the learner's pages need beside selectors.py (outline and progress).
"""

import re
from dataclasses import dataclass

from django.urls import reverse

from frenchbot.core.text import render_markdown

from .models import Company, Enrolment, Lesson, Resource, Training
from .selectors import (
    ModuleItem,
    Progress,
    StepItem,
    enrolment_progress,
    enrolments_done_keys,
    training_outlines,
)


def training_visibility(training_id: int) -> str:
    """The index visibility of a training's lessons reserved to its learners."""
    return f"training:{training_id}"


def _is_staff(user) -> bool:
    return user is not None and user.is_authenticated and user.is_staff


def lesson_is_published(lesson: Lesson) -> bool:
    """Published, in a published module of a published training (what learners and the index see)."""
    module = lesson.module
    return lesson.is_published and module.is_published and module.training.is_published


def training_can_see(*, user, training: Training) -> bool:
    """The training's page exists for this person: published, or a draft shown to the team."""
    return training.is_published or _is_staff(user)


def lesson_can_see(*, user, lesson: Lesson) -> bool:
    """The lesson exists for this person (else a 404): published, or a draft shown to the team."""
    return lesson_is_published(lesson) or _is_staff(user)


def has_active_enrolment(*, user, training: Training) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Enrolment.objects.filter(user=user, training=training, is_active=True).exists()


def lesson_can_view(*, user, lesson: Lesson) -> bool:
    """The person may read the lesson and download its files."""
    if _is_staff(user):
        return True
    if not lesson_is_published(lesson):
        return False
    return lesson.is_preview or has_active_enrolment(user=user, training=lesson.module.training)


def visibilities_for_user(user) -> tuple[str, ...]:
    """Index visibilities of the lessons the bot may quote to this person, beyond public content: those of
    the trainings they follow (every training for the team). Listed in ASSISTANT_VISIBILITY_PROVIDERS."""
    if user is None or not user.is_authenticated:
        return ()
    if user.is_staff:
        ids = Training.objects.values_list("pk", flat=True)
    else:
        ids = Enrolment.objects.filter(user=user, is_active=True).values_list("training_id", flat=True)
    return tuple(training_visibility(pk) for pk in ids.order_by("pk"))


# ---------------------------------------------------------------------------------------------------------------
# Reads the learner's pages need besides the outline and the progress (selectors.py).

# `![texte](image:nom)` or `![texte](image:nom "titre")` in a lesson's Markdown.
IMAGE_REF_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(image:(?P<name>[^)\s]*)(?:\s+\"[^\"]*\")?\)")


def lesson_get(*, training_slug: str, lesson_id: int) -> Lesson | None:
    """The lesson `lesson_id` of the training `training_slug`, whatever its state (callers check access)."""
    return (
        Lesson.objects.select_related("module__training")
        .filter(pk=lesson_id, module__training__slug=training_slug)
        .first()
    )


def resource_get(*, training_slug: str, resource_id: int) -> Resource | None:
    return (
        Resource.objects.select_related("lesson__module__training")
        .filter(pk=resource_id, lesson__module__training__slug=training_slug)
        .first()
    )


def training_get(*, user, slug: str) -> Training | None:
    """The training's page as this person may see it: published, or a draft for the team."""
    training = Training.objects.filter(slug=slug).first()
    if training is None or not training_can_see(user=user, training=training):
        return None
    return training


def lesson_body_html(*, lesson: Lesson) -> str:
    """The lesson's Markdown as safe HTML, its `image:<name>` references pointing at its uploaded images.

    A reference to an unknown name is dropped rather than shown as a broken image. An empty text alternative
    in the Markdown takes the one written with the image.
    """
    images = {image.name: image for image in lesson.images.all()}

    def resolve(match: re.Match) -> str:
        image = images.get(match.group("name"))
        if image is None or not image.image:
            return ""
        alt = match.group("alt").strip() or image.alt
        alt = alt.replace("[", "").replace("]", "")
        url = reverse("courses:lesson_image", args=[lesson.module.training.slug, lesson.pk, image.name])
        return f"![{alt}]({url})"

    return render_markdown(IMAGE_REF_RE.sub(resolve, lesson.body))


def step_neighbours(*, outline: list[ModuleItem], key: str) -> tuple[StepItem | None, StepItem | None]:
    """The steps just before and just after the step `key` in the training's order (None at either end, and
    both None for a step outside the outline, like a draft shown to the team)."""
    steps = [step for module in outline for step in module.steps]
    keys = [step.key for step in steps]
    if key not in keys:
        return None, None
    index = keys.index(key)
    return (steps[index - 1] if index > 0 else None), (steps[index + 1] if index + 1 < len(steps) else None)


def enrolment_certificate(enrolment: Enrolment):
    """The enrolment's certificate when one was issued and not revoked, else None."""
    # The reverse one-to-one raises a subclass of AttributeError when there is no certificate.
    certificate = getattr(enrolment, "certificate", None)
    if certificate is None or certificate.revoked_at is not None:
        return None
    return certificate


@dataclass
class DashboardItem:
    enrolment: Enrolment
    progress: Progress
    certificate: object | None


def learner_dashboard(*, user) -> tuple[list[DashboardItem], list[Company]]:
    """The trainings `user` follows with their progress and certificate, and the companies they manage."""
    enrolments = (
        Enrolment.objects.filter(user=user, is_active=True)
        .select_related("training", "certificate")
        .order_by("-updated_at", "-pk")
    )
    if not user.is_staff:
        enrolments = enrolments.filter(training__is_published=True)
    enrolments = list(enrolments)
    # Seven queries whatever the number of trainings followed.
    outlines = training_outlines(trainings=[e.training for e in enrolments])
    done = enrolments_done_keys(enrolment_ids=[e.pk for e in enrolments])
    items = [
        DashboardItem(
            enrolment=enrolment,
            progress=enrolment_progress(
                enrolment=enrolment, outline=outlines[enrolment.training_id], done=done[enrolment.pk]
            ),
            certificate=enrolment_certificate(enrolment),
        )
        for enrolment in enrolments
    ]
    companies = list(Company.objects.filter(manager=user).select_related("training").order_by("name"))
    return items, companies


# Players embedded in a lesson: the privacy-enhanced YouTube host and Vimeo's player. Any other link stays a
# link. The lesson page's Content-Security-Policy allows frames from these hosts only.
VIDEO_FRAME_HOSTS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def video_embed_url(url: str) -> str:
    """The player address to embed for a YouTube or Vimeo link (« » for any other link or a malformed one)."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url or "")
    if parts.scheme != "https":
        return ""
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    path = [segment for segment in parts.path.split("/") if segment]
    video = ""
    if host in ("youtube.com", "youtube-nocookie.com"):
        if path[:1] == ["watch"]:
            video = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(path) >= 2 and path[0] in ("embed", "shorts", "live"):
            video = path[1]
        if _YOUTUBE_ID.match(video):
            return f"https://www.youtube-nocookie.com/embed/{video}"
    elif host == "youtu.be" and path and _YOUTUBE_ID.match(path[0]):
        return f"https://www.youtube-nocookie.com/embed/{path[0]}"
    elif host in ("vimeo.com", "player.vimeo.com"):
        numeric = [segment for segment in path if segment.isdigit()]
        if numeric:
            return f"https://player.vimeo.com/video/{numeric[0]}"
    return ""
