"""What the blog gives the search index: every article that is or will be published."""

from django.utils.translation import gettext_lazy

from frenchbot.retrieval.registry import IndexedItem, IndexSource

from .models import Article


class ArticleSource(IndexSource):
    name = "blog.article"
    label = gettext_lazy("Articles")
    model = Article

    def items(self):
        for article in Article.objects.exclude(status=Article.Status.DRAFT).filter(
            published_at__isnull=False
        ):
            yield self.item(article)

    def item(self, article: Article) -> IndexedItem | None:
        if article.status == Article.Status.DRAFT or article.published_at is None:
            return None
        # A scheduled article is indexed ahead and found only from its publication date.
        return IndexedItem(
            source_id=str(article.pk),
            title=article.title,
            url=article.get_absolute_url(),
            text=f"{article.excerpt}\n\n{article.body}" if article.excerpt else article.body,
            available_from=article.published_at,
        )
