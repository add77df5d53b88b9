"""What the trainings give the bot's index: each published training's page (public: what the catalogue shows),
and every published lesson, visible to the people who may read it.

A preview lesson is public; any other lesson carries its training's visibility (`training:<id>`), which the
assistant adds to a learner's visibilities for the trainings they follow (`access.visibilities_for_user`).
Quizzes and exercises are not indexed: the bot must not hand out their answers.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchbot.retrieval.models import Visibility
from frenchbot.retrieval.registry import IndexedItem, IndexSource

from .access import lesson_is_published, training_visibility
from .models import Lesson, Module, Training
from .selectors.trainings import IMAGE_REF_RE


class LessonSource(IndexSource):
    name = "courses.lesson"
    label = gettext_lazy("Leçons")
    model = Lesson

    def items(self):
        lessons = Lesson.objects.filter(
            is_published=True, module__is_published=True, module__training__is_published=True
        ).select_related("module__training")
        for lesson in lessons:
            yield self.item(lesson)

    def item(self, lesson: Lesson) -> IndexedItem | None:
        if not lesson_is_published(lesson):
            return None
        training = lesson.module.training
        return IndexedItem(
            source_id=str(lesson.pk),
            title=f"{lesson.title} — {training.title}",
            url=lesson.get_absolute_url(),
            # An image's address means nothing outside the lesson page.
            text=IMAGE_REF_RE.sub("", lesson.body),
            visibility=Visibility.PUBLIC if lesson.is_preview else training_visibility(training.pk),
        )


class TrainingSource(IndexSource):
    """A training's page as the catalogue shows it to anyone: who it is for, how long, the price, the programme.
    So « combien coûte la formation PME ? » or « la formation dure combien de temps ? » find the training."""

    name = "courses.training"
    label = gettext_lazy("Formations")
    model = Training

    def items(self):
        for training in Training.objects.filter(is_published=True).prefetch_related("modules"):
            yield self.item(training)

    def item(self, training: Training) -> IndexedItem | None:
        if not training.is_published:
            return None
        with translation.override(settings.LANGUAGE_CODE):
            hours = number_format(training.duration_hours.normalize(), use_l10n=True)
            facts = [
                _("Public : %(audience)s.") % {"audience": training.get_audience_display()},
                _("Niveau : %(level)s.") % {"level": training.get_level_display()},
                _("Durée : %(hours)s heures.") % {"hours": hours},
            ]
            if training.price_text:
                facts.append(_("Tarif : %(price)s.") % {"price": training.price_text})
            parts = [training.summary, " ".join(facts)]
            # Before the description, and as bold lines rather than headings: they sit in the page's first
            # section, so the bot links to the page itself (the page's anchors for them are not their slugs).
            if training.outcome_list:
                parts.append(
                    f"**{_('À la fin de la formation, vous saurez')}**\n\n"
                    + "\n".join(f"- {line}" for line in training.outcome_list)
                )
            modules = [module.title for module in training.modules.all() if module.is_published]
            if modules:
                parts.append(f"**{_('Programme')}**\n\n" + "\n".join(f"- {title}" for title in modules))
            if training.description.strip():
                parts.append(IMAGE_REF_RE.sub("", training.description.strip()))
            title = _("Formation « %(title)s »") % {"title": training.title}
        return IndexedItem(
            source_id=str(training.pk),
            title=title,
            url=training.get_absolute_url(),
            text="\n\n".join(part for part in parts if part),
        )


def _reindex_lessons(lesson_ids: list[int]) -> None:
    from frenchbot.retrieval.tasks import index_object

    for lesson_id in lesson_ids:
        index_object.enqueue(source_name=LessonSource.name, object_id=str(lesson_id))


def _reindex_training(training_id: int) -> None:
    from frenchbot.retrieval.tasks import index_object

    index_object.enqueue(source_name=TrainingSource.name, object_id=str(training_id))


def _on_parent_save(sender, instance, raw=False, **kwargs) -> None:
    # Publishing or unpublishing a training or a module changes whether its lessons belong in the index
    # (and a renamed training changes their titles), but the registry only watches the lessons themselves.
    if raw:
        return
    lessons = Lesson.objects.filter(**{"module__training" if sender is Training else "module": instance})
    lesson_ids = list(lessons.values_list("pk", flat=True))
    if lesson_ids:
        transaction.on_commit(lambda: _reindex_lessons(lesson_ids))
    if sender is Module:
        # The training's page lists its modules: renaming, adding or hiding one changes it.
        training_id = instance.training_id
        transaction.on_commit(lambda: _reindex_training(training_id))


def connect_parent_signals() -> None:
    for model in (Training, Module):
        post_save.connect(
            _on_parent_save,
            sender=model,
            dispatch_uid=f"courses:reindex-lessons:{model.__name__}",
            weak=False,
        )
