"""The resources' pages in the sitemap: the hub, the prompt library and the glossary, and every published guide,
prompt and term."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import GlossaryTerm, Guide, Prompt


class ResourcesIndexSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return ["resources:index", "resources:prompts", "resources:glossary"]

    def location(self, item):
        return reverse(item)


class GuideSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Guide.objects.filter(is_published=True).order_by("-published_at", "-id")

    def lastmod(self, item):
        return item.updated_at


class PromptSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Prompt.objects.filter(is_published=True).order_by("id")

    def lastmod(self, item):
        return item.updated_at


class GlossaryTermSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return GlossaryTerm.objects.filter(is_published=True).order_by("term")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "resources": ResourcesIndexSitemap,
    "guides": GuideSitemap,
    "prompts": PromptSitemap,
    "glossary": GlossaryTermSitemap,
}
