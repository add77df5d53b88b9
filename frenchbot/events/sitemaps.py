from django.contrib.sitemaps import Sitemap

from .models import Event


class EventSitemap(Sitemap):
    """Every published event's page, upcoming and past (a past event's page keeps its replay)."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Event.objects.filter(is_published=True).order_by("-starts_at")

    def lastmod(self, item):
        return item.updated_at
