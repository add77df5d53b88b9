from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Category
from .selectors import article_list

FEED_SIZE = 20


class LatestArticlesFeed(Feed):
    title = _("The French Bot — le blog")
    link = "/blog/"
    description = _("Actualités de l'IA et tutoriels pour utiliser ChatGPT et les outils d'IA au travail.")
    language = "fr"

    def items(self):
        return article_list()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.excerpt

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.get_full_name() or item.author.get_username()

    def item_categories(self, item):
        return [item.category.name, *(tag.name for tag in item.tags.all())]

    def feed_copyright(self):
        return settings.SITE_NAME


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj):
        return f"The French Bot — {obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or obj.name

    def items(self, obj):
        return article_list(category=obj)[:FEED_SIZE]


class CategoryAtomFeed(CategoryFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return obj.description or obj.name
