from django.contrib.sitemaps import Sitemap

from .models import Lesson
from .selectors.trainings import trainings_published


class TrainingSitemap(Sitemap):
    """Every published training's page."""

    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return trainings_published().order_by("order", "title")

    def lastmod(self, item):
        return item.updated_at


class PreviewLessonSitemap(Sitemap):
    """Lessons anyone may read (preview lessons of published trainings); the others are for learners only."""

    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return (
            Lesson.objects.filter(
                is_preview=True,
                is_published=True,
                module__is_published=True,
                module__training__is_published=True,
            )
            .select_related("module__training")
            .order_by("module__training__order", "module__order", "order", "id")
        )

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"trainings": TrainingSitemap, "lessons": PreviewLessonSitemap}
