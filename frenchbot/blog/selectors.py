"""Reads of the blog: what a visitor may see, and in what order."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from frenchbot.core.pagecache import pagecache_invalidate, pagecache_version

from .models import Article, Category, Comment, Poll, PollVote, Tag

# Every blog write that changes what a visitor sees calls this; cached pages and page data follow at once.
blog_cache_invalidate = pagecache_invalidate


def article_list(*, category: Category | None = None, tag: Tag | None = None) -> QuerySet[Article]:
    """Public articles, newest first, with what a card shows loaded up front."""
    qs = Article.objects.published().select_related("category", "author").prefetch_related("tags")
    if category is not None:
        qs = qs.filter(category=category)
    if tag is not None:
        qs = qs.filter(tags=tag)
    return qs.defer("body", "body_html")


def article_get_public(*, slug: str) -> Article | None:
    return (
        Article.objects.published()
        .select_related("category", "author")
        .prefetch_related("tags")
        .filter(slug=slug)
        .first()
    )


def article_get_any(*, slug: str) -> Article | None:
    """Any article, whatever its status: for staff previews only."""
    return (
        Article.objects.select_related("category", "author")
        .prefetch_related("tags")
        .filter(slug=slug)
        .first()
    )


def article_related(*, article: Article, limit: int = 3) -> list[Article]:
    """Articles sharing the most tags, then the same category, newest first."""
    tag_ids = list(article.tags.values_list("id", flat=True))
    qs = (
        article_list()
        .exclude(pk=article.pk)
        .annotate(shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
        .filter(Q(shared_tags__gt=0) | Q(category_id=article.category_id))
        .order_by("-shared_tags", "-published_at")
    )
    return list(qs[:limit])


def categories_with_articles() -> QuerySet[Category]:
    now = timezone.now()
    published = Q(articles__status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED]) & Q(
        articles__published_at__lte=now
    )
    return (
        Category.objects.annotate(article_count=Count("articles", filter=published))
        .filter(article_count__gt=0)
        .order_by("name")
    )


def comment_tree(*, article: Article) -> list[Comment]:
    """Approved top-level comments, each with its approved replies in `approved_replies`."""
    replies = Comment.objects.filter(status=Comment.Status.APPROVED).order_by("created_at", "id")
    return list(
        Comment.objects.filter(article=article, parent__isnull=True, status=Comment.Status.APPROVED)
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="approved_replies"))
        .order_by("created_at", "id")
    )


def comments_awaiting_for_author(*, article: Article, comment_ids: list[int]) -> list[Comment]:
    """The held comments this browser sent on this article, so that their author sees them, marked as such."""
    if not comment_ids:
        return []
    return list(
        Comment.objects.filter(article=article, pk__in=comment_ids, status=Comment.Status.PENDING).order_by(
            "created_at", "id"
        )
    )


def comment_count(*, article: Article) -> int:
    return Comment.objects.filter(article=article, status=Comment.Status.APPROVED).count()


def comments_are_open(*, article: Article, now=None) -> bool:
    """Open while the article allows it and, when a limit is set, for N days after publication."""
    if not article.comments_enabled or not article.is_public:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days <= 0:
        return True
    now = now or timezone.now()
    return now < article.published_at + timezone.timedelta(days=days)


@dataclass(frozen=True)
class PollResult:
    option_id: int
    label: str
    votes: int
    percent: int


@dataclass(frozen=True)
class PollResults:
    poll_id: int
    question: str
    total: int
    options: list[PollResult]


def poll_results(*, poll: Poll) -> PollResults:
    """Votes per option and rounded percentages that add up to 100 (largest remainder)."""
    options = list(poll.options.annotate(vote_count=Count("votes")).order_by("position", "id"))
    total = sum(option.vote_count for option in options)
    if total:
        raw = [option.vote_count * 100 / total for option in options]
        floors = [int(value) for value in raw]
        remainder = 100 - sum(floors)
        order = sorted(range(len(options)), key=lambda i: raw[i] - floors[i], reverse=True)
        for index in order[:remainder]:
            floors[index] += 1
    else:
        floors = [0] * len(options)
    return PollResults(
        poll_id=poll.pk,
        question=poll.question,
        total=total,
        options=[
            PollResult(option_id=option.pk, label=option.label, votes=option.vote_count, percent=percent)
            for option, percent in zip(options, floors, strict=True)
        ],
    )


def poll_has_voted_on_article(*, article: Article, voter_id: str) -> bool:
    return PollVote.objects.filter(poll__article=article, voter_id=voter_id).exists()


def poll_has_voted(*, poll: Poll, voter_id: str | None) -> bool:
    return bool(voter_id) and PollVote.objects.filter(poll=poll, voter_id=voter_id).exists()


def article_page_data(*, article: Article) -> dict:
    """What the article page shows besides the article itself, cached until the next blog write."""
    key = f"blog:page:{article.pk}:{pagecache_version()}"
    timeout = settings.PAGE_CACHE_SECONDS
    if timeout:
        data = cache.get(key)
        if data is not None:
            return data
    poll = Poll.objects.filter(article=article).first()
    data = {
        "related": article_related(article=article),
        "comments": comment_tree(article=article),
        "comment_count": comment_count(article=article),
        "poll": poll,
        "poll_results": poll_results(poll=poll) if poll else None,
    }
    if timeout:
        cache.set(key, data, timeout)
    return data
