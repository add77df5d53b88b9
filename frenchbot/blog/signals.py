"""The public pages follow every change of what they show, whoever makes it (the admin's forms and inlines, a
shell, a data migration): the rows around articles retire the cached pages and fragments once committed.
Articles and comments do it in their services and admin too; a second bump costs nothing."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .selectors import blog_cache_invalidate


def public_row_changed(sender, raw=False, action="", **kwargs) -> None:
    if raw or action.startswith("pre_"):
        return
    transaction.on_commit(blog_cache_invalidate)


def connect() -> None:
    from .models import Article, AuthorProfile, Category, Poll, PollOption, Tag

    # Comments are left out: a held comment changes no public page, and moderation goes through the services.
    for model in (Article, AuthorProfile, Category, Poll, PollOption, Tag):
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                public_row_changed, sender=model, dispatch_uid=f"blog:public:{model.__name__}:{name}"
            )
    m2m_changed.connect(
        public_row_changed, sender=Article.tags.through, dispatch_uid="blog:public:article-tags"
    )
