"""Writes of the blog: comments, moderation, votes, publication, and the writer's desk (autosave, revisions)."""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchbot.core.errors import DomainError
from frenchbot.core.net import ip_fingerprint
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.core.text import count_links

from .models import Article, ArticleRevision, Comment, Poll, PollOption, PollVote
from .selectors import blog_cache_invalidate, comments_are_open


class BlogError(DomainError):
    """A refusal to show the visitor: `message` is French (translated), `field` where it belongs in a form,
    `code` what happened ("closed", "parent", "rate_limited", "option", "already_voted", "invalid")."""


# The signature of a comment whose author had their data erased.
COMMENT_ANONYMOUS_NAME = gettext_lazy("Anonyme")


@dataclass(frozen=True)
class CommentOutcome:
    comment: Comment
    held: bool


def comment_create(
    *,
    article: Article,
    name: str,
    email: str,
    body: str,
    ip: str,
    parent_id: int | None = None,
    user_agent: str = "",
    by_staff: bool = False,
) -> CommentOutcome:
    """Record a visitor's comment and decide whether it waits for moderation.

    Held (pending): more than COMMENT_MAX_LINKS links, or an e-mail with no approved comment yet.
    Approved at once: an e-mail that already has an approved comment. Staff get an e-mail for each held one.
    A signed-in staff member's comment is published at once and marked as the team's.
    Raises BlogError when comments are closed, the parent is not a visible comment, or the IP is over its limit.
    """
    if not comments_are_open(article=article):
        raise BlogError(
            _("Les commentaires sont fermés pour cet article. Votre texte est conservé ci-dessous."),
            field="body",
            code="closed",
        )

    parent = None
    if parent_id:
        parent = Comment.objects.filter(pk=parent_id, article=article, status=Comment.Status.APPROVED).first()
        if parent is None:
            raise BlogError(
                _("Le commentaire auquel vous répondez n'existe plus. Votre texte est conservé ci-dessous."),
                field="body",
                code="parent",
            )
        # One level of replies: answering a reply answers the thread it belongs to.
        if parent.parent_id:
            parent = parent.parent

    if rate_limit_hit(
        scope="comment",
        key=ip,
        limit=settings.COMMENT_RATE_LIMIT,
        window_seconds=settings.COMMENT_RATE_WINDOW,
    ):
        raise BlogError(
            _(
                "Vous avez envoyé beaucoup de commentaires en peu de temps. "
                "Patientez quelques minutes puis renvoyez celui-ci : votre texte est conservé."
            ),
            field="body",
            code="rate_limited",
        )

    email = email.strip().lower()
    links = count_links(body)
    if by_staff:
        status, reason = Comment.Status.APPROVED, ""
    elif links > settings.COMMENT_MAX_LINKS:
        status, reason = Comment.Status.PENDING, _("plus de %(n)d liens") % {"n": settings.COMMENT_MAX_LINKS}
    elif Comment.objects.filter(email=email, status=Comment.Status.APPROVED).exists():
        status, reason = Comment.Status.APPROVED, ""
    else:
        status, reason = Comment.Status.PENDING, _("premier commentaire de cette adresse")

    with transaction.atomic():
        comment = Comment.objects.create(
            article=article,
            parent=parent,
            name=name.strip(),
            email=email,
            body=body.strip(),
            status=status,
            held_reason=reason,
            ip_fingerprint=ip_fingerprint(ip),
            user_agent=user_agent[:300],
            is_staff_reply=by_staff,
        )
        if status == Comment.Status.APPROVED:
            transaction.on_commit(blog_cache_invalidate)
        else:
            transaction.on_commit(lambda: _enqueue_held_notice(comment.pk))
    return CommentOutcome(comment=comment, held=status != Comment.Status.APPROVED)


def _enqueue_held_notice(comment_id: int) -> None:
    from .tasks import notify_staff_of_held_comment

    notify_staff_of_held_comment.enqueue(comment_id=comment_id)


def comment_moderate(*, comments: QuerySet[Comment], status: str) -> int:
    """Move comments to a moderation status (bulk); returns how many changed."""
    if status not in Comment.Status.values:
        raise BlogError(_("Statut de modération inconnu."))
    with transaction.atomic():
        changed = comments.exclude(status=status).update(status=status, updated_at=timezone.now())
        if changed:
            transaction.on_commit(blog_cache_invalidate)
    return changed


def comments_erase(*, comments: QuerySet[Comment], delete: bool) -> int:
    """Erase a person's comments (a request under the RGPD); returns how many of `comments` were erased.

    `delete`: the comments go, and the replies made to them with them (`parent` cascades: a reply is never left
    answering a text that is gone). Otherwise they are anonymised: the text stays where it was, signed
    « Anonyme », without the e-mail, the address fingerprint or the browser. The public pages follow once
    committed.
    """
    with transaction.atomic():
        ids = list(comments.values_list("pk", flat=True))
        if not ids:
            return 0
        erased = Comment.objects.filter(pk__in=ids)
        if delete:
            erased.delete()
        else:
            # Stored, and shown to every visitor whatever their language: in the site's language.
            with translation.override(settings.LANGUAGE_CODE):
                anonymous = str(COMMENT_ANONYMOUS_NAME)
            erased.update(
                name=anonymous, email="", ip_fingerprint="", user_agent="", updated_at=timezone.now()
            )
        transaction.on_commit(blog_cache_invalidate)
    return len(ids)


def article_set_status(*, articles: QuerySet[Article], status: str) -> int:
    """Publish (dated now when undated) or move back to draft, for the admin's bulk actions."""
    if status not in Article.Status.values:
        raise BlogError(_("Statut d'article inconnu."))
    changed = 0
    with transaction.atomic():
        for article in articles.select_for_update():
            if article.status == status:
                continue
            article.status = status
            if status != Article.Status.DRAFT and not article.published_at:
                article.published_at = timezone.now()
            article.save(update_fields=["status", "published_at", "updated_at"])
            changed += 1
        if changed:
            transaction.on_commit(blog_cache_invalidate)
    return changed


def poll_vote(*, poll: Poll, option_id: int | str | None, voter_id: str, ip: str) -> PollVote:
    """Count one vote: once per browser (`voter_id`), and once per IP address within the window."""
    if not poll.is_open:
        raise BlogError(_("Ce sondage est clos : vous pouvez consulter les résultats."), code="closed")
    try:
        option = PollOption.objects.get(pk=int(option_id), poll=poll)
    except (TypeError, ValueError, PollOption.DoesNotExist):
        raise BlogError(_("Choisissez une des réponses proposées."), field="option", code="option") from None
    fingerprint = ip_fingerprint(ip)
    if PollVote.objects.filter(poll=poll, voter_id=voter_id).exists():
        raise BlogError(_("Vous avez déjà voté, merci ! Voici les résultats."), code="already_voted")
    since = timezone.now() - timezone.timedelta(seconds=settings.POLL_IP_WINDOW_SECONDS)
    if PollVote.objects.filter(poll=poll, ip_fingerprint=fingerprint, created_at__gte=since).exists():
        raise BlogError(
            _("Un vote a déjà été enregistré depuis votre connexion, merci ! Voici les résultats."),
            code="already_voted",
        )
    try:
        with transaction.atomic():
            vote = PollVote.objects.create(
                poll=poll, option=option, voter_id=voter_id, ip_fingerprint=fingerprint
            )
    except IntegrityError:
        # Two clicks racing: the unique constraint let only one through.
        raise BlogError(
            _("Vous avez déjà voté, merci ! Voici les résultats."), code="already_voted"
        ) from None
    # No cached page or fragment holds the results (they are read at each request, for those who voted or once
    # the poll is closed, when no vote comes in): a vote retires nothing, so busy polls keep the pages cached.
    return vote


# --- The writer's desk: autosave and revisions ----------------------------------------------------------

_TITLE_MAX = Article._meta.get_field("title").max_length


def _check_text_size(body: str) -> None:
    if len(body) > settings.BLOG_EDITOR_MAX_CHARS:
        raise BlogError(
            _("Le texte dépasse %(n)s caractères : il ne peut pas être enregistré ainsi.")
            % {"n": f"{settings.BLOG_EDITOR_MAX_CHARS:,}".replace(",", "\u00a0")},
            field="body",
            code="too_large",
        )


def article_revision_record(
    *, article: Article, user, kind: str = ArticleRevision.Kind.SAVE
) -> ArticleRevision:
    """Keep the article's current text as a revision (at each save in the admin, or after a restore).

    The writer's rolling autosave has done its job and goes; older kept revisions beyond BLOG_REVISIONS_KEEP
    are deleted, oldest first."""
    with transaction.atomic():
        revision = ArticleRevision.objects.create(
            article=article,
            kind=kind,
            title=article.title,
            excerpt=article.excerpt,
            body=article.body,
            author=user if getattr(user, "pk", None) else None,
        )
        if revision.author_id:
            ArticleRevision.objects.filter(
                article=article, author_id=revision.author_id, kind=ArticleRevision.Kind.AUTOSAVE
            ).delete()
        kept = ArticleRevision.objects.filter(article=article).exclude(kind=ArticleRevision.Kind.AUTOSAVE)
        stale = list(
            kept.order_by("-created_at", "-id").values_list("pk", flat=True)[settings.BLOG_REVISIONS_KEEP :]
        )
        if stale:
            ArticleRevision.objects.filter(pk__in=stale).delete()
    return revision


def article_autosave(*, article: Article, user, title: str, excerpt: str, body: str) -> ArticleRevision:
    """Store what `user` is typing on `article` as their one rolling autosave (replaced at each call).

    The article itself is never touched: its text changes only when the writer saves."""
    _check_text_size(body)
    now = timezone.now()
    fields = {"title": (title or "")[:_TITLE_MAX], "excerpt": excerpt or "", "body": body or ""}
    with transaction.atomic():
        mine = ArticleRevision.objects.select_for_update().filter(
            article=article, author=user, kind=ArticleRevision.Kind.AUTOSAVE
        )
        current = mine.order_by("-created_at", "-id").first()
        if current is None:
            current = ArticleRevision.objects.create(
                article=article, author=user, kind=ArticleRevision.Kind.AUTOSAVE, **fields
            )
        else:
            # auto_now_add only dates a new row: the rolling row is re-dated by hand.
            mine.filter(pk=current.pk).update(created_at=now, **fields)
            mine.exclude(pk=current.pk).delete()
            current.refresh_from_db()
    return current


def article_revision_restore(*, revision: ArticleRevision, user) -> Article:
    """Put a revision's title, excerpt and body back into its article (rendered again at save) and keep a
    « restore » revision of the result, so that the step can itself be undone."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=revision.article_id)
        article.title = revision.title[:_TITLE_MAX]
        article.excerpt = revision.excerpt
        article.body = revision.body
        article.save()
        article_revision_record(article=article, user=user, kind=ArticleRevision.Kind.RESTORE)
        transaction.on_commit(blog_cache_invalidate)
    return article


def articles_rerender_for_image(*, image) -> int:
    """Re-render the articles whose body shows `image` (a media library image being deleted), so that none
    keeps a <picture> of files that are gone: the image becomes the plain <img> of its Markdown, which shows its
    alternative text. Returns how many articles changed."""
    if not image.file.name:
        return 0
    stem = image.file.name.rsplit(".", 1)[0]
    articles = list(Article.objects.filter(body_html__contains=stem))
    for article in articles:
        article.save(update_fields=["body", "updated_at"])
    if articles:
        blog_cache_invalidate()
    return len(articles)
