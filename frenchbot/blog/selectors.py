"""Reads of the blog: what a visitor may see, and in what order."""

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.core.pagecache import pagecache_invalidate, public_kept
from frenchbot.core.text import word_count

from .models import Article, ArticleRevision, AuthorProfile, Category, Comment, Poll, PollVote, Tag

# Every blog write that changes what a visitor sees calls this; cached pages and page data follow at once.
blog_cache_invalidate = pagecache_invalidate


def article_list(
    *, category: Category | None = None, tag: Tag | None = None, with_tags: bool = True
) -> QuerySet[Article]:
    """Public articles, newest first, with what a card shows loaded up front (and their tags unless
    `with_tags` is False: cards do not show them)."""
    qs = Article.objects.published().select_related("category", "author")
    if with_tags:
        qs = qs.prefetch_related("tags")
    if category is not None:
        qs = qs.filter(category=category)
    if tag is not None:
        qs = qs.filter(tags=tag)
    return qs.defer("body", "body_html")


def article_get_public(*, slug: str, version: int | None = None) -> Article | None:
    """The public article of `slug`, with its category, author and poll in the same query; its tags are read
    when shown (the article page keeps them in fragments).

    Given the public-content `version`, the article is kept in memory until the next write (`core.pagecache.public_kept`): an article
    becomes public with time but never stops being public without a write, and an address that finds nothing is
    never kept."""
    return public_kept(
        version=version,
        key=f"blog:article:{slug}",
        make=lambda: (
            Article.objects.published().select_related("category", "author", "poll").filter(slug=slug).first()
        ),
    )


def category_get(*, slug: str, version: int | None = None) -> Category | None:
    return public_kept(
        version=version, key=f"blog:category:{slug}", make=lambda: Category.objects.filter(slug=slug).first()
    )


def tag_get(*, slug: str, version: int | None = None) -> Tag | None:
    return public_kept(
        version=version, key=f"blog:tag:{slug}", make=lambda: Tag.objects.filter(slug=slug).first()
    )


def article_count(*, articles: QuerySet[Article], key: str, version: int | None = None) -> int:
    """How many articles a list holds, kept per version and `key` (which must name the list and the set of
    public articles, see `articles_publication_marker`)."""
    return public_kept(version=version, key=f"blog:count:{key}", make=articles.count)


def article_get_any(*, slug: str) -> Article | None:
    """Any article, whatever its status: for staff previews only."""
    return Article.objects.select_related("category", "author", "poll").filter(slug=slug).first()


def article_related(*, article: Article, limit: int = 3) -> list[Article]:
    """Articles sharing the most tags, then the same category, newest first."""
    tag_ids = list(article.tags.values_list("id", flat=True))
    qs = (
        article_list(with_tags=False)
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


class ArticlePageData(Mapping):
    """What the article page shows besides the article itself, each part read on first use and kept for the
    request. The page passes the parts to its template as callables (`lazy()`): a part shown inside a cached
    fragment is then never read while that fragment is kept."""

    def __init__(self, *, article: Article):
        self.article = article
        self._values: dict = {}

    def _poll(self) -> Poll | None:
        # Loaded with the article when it was read with `select_related("poll")`: no query then.
        try:
            return self.article.poll
        except Poll.DoesNotExist:
            return None

    def _poll_results(self) -> PollResults | None:
        poll = self["poll"]
        return poll_results(poll=poll) if poll else None

    _parts = {
        "tags": lambda self: list(self.article.tags.all()),
        "related": lambda self: article_related(article=self.article),
        "comments": lambda self: comment_tree(article=self.article),
        "comment_count": lambda self: comment_count(article=self.article),
        "poll": _poll,
        "poll_results": _poll_results,
        "toc": lambda self: article_toc(article=self.article),
        "author_profile": lambda self: author_profile_for(user_id=self.article.author_id),
    }

    def __getitem__(self, key: str):
        if key not in self._values:
            self._values[key] = self._parts[key](self)
        return self._values[key]

    def __iter__(self):
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def lazy(self) -> dict[str, Callable[[], object]]:
        """The parts as template variables: the template calls each one when (and if) it shows it."""
        return {key: partial(self.__getitem__, key) for key in self._parts}


def article_page_data(*, article: Article) -> ArticlePageData:
    """What the article page shows besides the article itself, read lazily (see `ArticlePageData`); always
    current, since nothing of it is kept between requests (the page's fragments are, per content version)."""
    return ArticlePageData(article=article)


def articles_publication_marker(*, version: int | None) -> str:
    """A value that changes whenever the set of public articles may have changed: a write moves the content
    `version` on, and a scheduled article goes public when its date comes, without any write. Fragments that
    list articles vary on it. One query per version and per such date, in each process."""
    if version is None or settings.FRAGMENT_CACHE_SECONDS <= 0:
        return ""
    # In a tuple: "no scheduled article" is an answer to keep too.
    (next_at,) = public_kept(
        version=version,
        key="blog:next-publication",
        make=lambda: (
            Article.objects.filter(
                status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED],
                published_at__gt=timezone.now(),
            )
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first(),
        ),
        until=lambda kept: kept[0],
    )
    return next_at.isoformat() if next_at is not None else "-"


# --- Table of contents ------------------------------------------------------------------------------------

# A table of contents helps from this many h2/h3 headings, or from this many words with at least two headings.
TOC_MIN_HEADINGS = 3
TOC_MIN_WORDS = 1200


@dataclass
class TocEntry:
    anchor: str
    title: str
    children: list["TocEntry"]


class _HeadingParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str, str]] = []
        self._current: tuple[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"h2", "h3"}:
            self._current = (tag, dict(attrs).get("id") or "")
            self._text = []

    def handle_data(self, data):
        if self._current is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._current is not None and tag == self._current[0]:
            title = re.sub(r"\s+", " ", "".join(self._text)).strip()
            if self._current[1] and title:
                self.headings.append((self._current[0], self._current[1], title))
            self._current = None


def toc_from_html(html: str, *, word_count: int = 0) -> list[TocEntry]:
    """The h2 headings of an article's HTML, each with its h3s, linked by the ids `render_markdown` gave them;
    empty when the article is too short to need one."""
    parser = _HeadingParser()
    parser.feed(html or "")
    headings = parser.headings
    if len(headings) < TOC_MIN_HEADINGS and not (word_count >= TOC_MIN_WORDS and len(headings) >= 2):
        return []
    entries: list[TocEntry] = []
    for level, anchor, title in headings:
        entry = TocEntry(anchor=anchor, title=title, children=[])
        if level == "h3" and entries:
            entries[-1].children.append(entry)
        else:
            entries.append(entry)
    return entries


def article_toc(*, article: Article) -> list[TocEntry]:
    return toc_from_html(article.body_html, word_count=word_count(article.body))


# --- Authors ----------------------------------------------------------------------------------------------


def author_profile_for(*, user_id: int | None) -> AuthorProfile | None:
    if user_id is None:
        return None
    return AuthorProfile.objects.filter(user_id=user_id).first()


def author_get(*, slug: str) -> AuthorProfile | None:
    return AuthorProfile.objects.select_related("user", "photo").filter(slug=slug).first()


def author_articles(*, author: AuthorProfile) -> QuerySet[Article]:
    """The author's public articles, newest first."""
    return article_list().filter(author_id=author.user_id)


def authors_with_articles() -> QuerySet[AuthorProfile]:
    now = timezone.now()
    published = Q(user__articles__status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED]) & Q(
        user__articles__published_at__lte=now
    )
    return (
        AuthorProfile.objects.annotate(article_count=Count("user__articles", filter=published))
        .filter(article_count__gt=0)
        .order_by("display_name")
    )


# --- Revisions --------------------------------------------------------------------------------------------


@dataclass
class RevisionRow:
    revision: ArticleRevision
    size: int
    delta: int


def article_revisions(*, article: Article) -> list[RevisionRow]:
    """Every revision of the article, newest first, with how many characters each added or removed compared
    with the one before it."""
    revisions = list(
        ArticleRevision.objects.filter(article=article).select_related("author").order_by("created_at", "id")
    )
    rows: list[RevisionRow] = []
    previous = None
    for revision in revisions:
        size = len(revision.title) + len(revision.excerpt) + len(revision.body)
        rows.append(
            RevisionRow(revision=revision, size=size, delta=size - previous if previous is not None else 0)
        )
        previous = size
    rows.reverse()
    return rows


def article_autosave_pending(*, article: Article, user) -> ArticleRevision | None:
    """The writer's own autosave when it is newer than the article's last save (something to offer back)."""
    autosave = (
        ArticleRevision.objects.filter(
            article=article,
            author=user,
            kind=ArticleRevision.Kind.AUTOSAVE,
            created_at__gt=article.updated_at,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if autosave and (autosave.title, autosave.excerpt, autosave.body) == (
        article.title,
        article.excerpt,
        article.body,
    ):
        return None
    return autosave


@dataclass
class DiffSide:
    number: int | None
    # (text, changed) segments: the template escapes the text and marks the changed words.
    segments: list[tuple[str, bool]]
    kind: str  # "equal", "delete", "insert", "replace", "empty"


@dataclass
class DiffRow:
    old: DiffSide
    new: DiffSide


@dataclass
class FieldDiff:
    label: str
    rows: list[DiffRow]
    changed: bool


_WORDS_RE = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _word_segments(old: str, new: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    a, b = _WORDS_RE.findall(old), _WORDS_RE.findall(new)
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            left.append(("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            right.append(("".join(b[j1:j2]), tag != "equal"))
    return left, right


def text_diff(old: str, new: str) -> list[DiffRow]:
    """A side-by-side, line by line comparison of two texts, with the changed words of a changed line marked.
    Nothing here is HTML: the template escapes every segment."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows: list[DiffRow] = []
    empty = DiffSide(number=None, segments=[], kind="empty")
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                line = a[i1 + offset]
                rows.append(
                    DiffRow(
                        old=DiffSide(i1 + offset + 1, [(line, False)], "equal"),
                        new=DiffSide(j1 + offset + 1, [(line, False)], "equal"),
                    )
                )
            continue
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            old_line = a[i] if i < i2 else None
            new_line = b[j] if j < j2 else None
            if old_line is not None and new_line is not None:
                left, right = _word_segments(old_line, new_line)
                rows.append(
                    DiffRow(old=DiffSide(i + 1, left, "replace"), new=DiffSide(j + 1, right, "replace"))
                )
            elif old_line is not None:
                rows.append(DiffRow(old=DiffSide(i + 1, [(old_line, True)], "delete"), new=empty))
            else:
                rows.append(DiffRow(old=empty, new=DiffSide(j + 1, [(new_line, True)], "insert")))
    return rows


def revision_compare(*, old, new) -> list[FieldDiff]:
    """Title, excerpt and body of two states of an article (revisions, or the article itself) compared."""
    fields = [("title", _("Titre")), ("excerpt", _("Chapeau")), ("body", _("Corps"))]
    return [
        FieldDiff(
            label=label,
            rows=text_diff(getattr(old, name), getattr(new, name)),
            changed=getattr(old, name) != getattr(new, name),
        )
        for name, label in fields
    ]
