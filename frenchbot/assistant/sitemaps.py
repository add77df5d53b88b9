from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import FaqEntry


class FaqSitemap(Sitemap):
    """/faq/, one page: dated by its latest published entry."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return ["faq"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        latest = FaqEntry.objects.filter(is_published=True).order_by("-updated_at").first()
        return latest.updated_at if latest else None
