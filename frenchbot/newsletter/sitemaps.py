from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .selectors import issues_archived


class ArchiveSitemap(Sitemap):
    """The archive's index page."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return ["newsletter:archive"]

    def location(self, item):
        return reverse(item)


class IssueSitemap(Sitemap):
    """Each letter of the public archive."""

    changefreq = "yearly"
    priority = 0.4

    def items(self):
        return issues_archived()

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"newsletter_archive": ArchiveSitemap, "newsletter_issues": IssueSitemap}
