"""Demo content of the blog, written for this project: articles (Markdown with a front matter),
categories, comments and polls. `frenchbot demo` loads it once."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from frenchbot.core.text import parse_front_matter

from ..models import Article, AuthorProfile, Category, Comment, Poll, PollOption, Tag
from ..selectors import blog_cache_invalidate
from .pictures import demo_body_with_images, demo_images_load, demo_images_remove

DEMO_DIR = Path(__file__).resolve().parent


@dataclass
class DemoArticle:
    meta: dict[str, str]
    body: str
    tags: list[str] = field(default_factory=list)


def demo_articles() -> list[DemoArticle]:
    articles = []
    for path in sorted((DEMO_DIR / "articles").glob("*.md")):
        meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
        tags = [tag.strip() for tag in meta.get("tags", "").split(",") if tag.strip()]
        articles.append(DemoArticle(meta=meta, body=body, tags=tags))
    return articles


def demo_author():
    user_model = get_user_model()
    author, created = user_model.objects.get_or_create(
        username="claire",
        defaults={
            "first_name": "Claire",
            "last_name": "Martin",
            "email": "claire@thefrenchbot.fr",
            "is_staff": False,
        },
    )
    if created:
        author.set_unusable_password()
        author.save()
    return author


def demo_author_profiles() -> int:
    """The demo writers' author pages (authors.json); an existing profile is left as it is."""
    user_model = get_user_model()
    created = 0
    for item in json.loads((DEMO_DIR / "authors.json").read_text(encoding="utf-8")):
        user = user_model.objects.filter(username=item["username"]).first()
        if user is None:
            continue
        _profile, was_created = AuthorProfile.objects.get_or_create(
            user=user,
            defaults={key: item[key] for key in ("slug", "display_name", "role", "bio", "linkedin_url")},
        )
        created += was_created
    return created


@transaction.atomic
def demo_load() -> dict[str, int]:
    """Create the demo blog; rows that already exist (same slug) are left as they are."""
    now = timezone.now()
    author = demo_author()
    demo_author_profiles()
    categories = {}
    for item in json.loads((DEMO_DIR / "categories.json").read_text(encoding="utf-8")):
        categories[item["slug"]], _ = Category.objects.get_or_create(
            slug=item["slug"], defaults={"name": item["name"], "description": item.get("description", "")}
        )
    created = {"articles": 0, "comments": 0, "polls": 0}
    images, created["images"] = demo_images_load()
    articles = {}
    for demo in demo_articles():
        meta = demo.meta
        status = Article.Status.DRAFT if meta.get("status") == "draft" else Article.Status.PUBLISHED
        article, was_created = Article.objects.get_or_create(
            slug=meta["slug"],
            defaults={
                "title": meta["title"],
                "excerpt": meta.get("excerpt", ""),
                "body": demo_body_with_images(demo.body, images),
                "cover": images.get(meta.get("cover", "")),
                "category": categories[meta["category"]],
                "author": author,
                "status": status,
                "published_at": None
                if status == Article.Status.DRAFT
                else now - timezone.timedelta(days=int(meta.get("days_ago", 1)), hours=3),
                "seo_title": meta.get("seo_title", "")[:70],
                "seo_description": meta.get("seo_description", "")[:160],
            },
        )
        articles[article.slug] = article
        if not was_created:
            continue
        created["articles"] += 1
        for name in demo.tags:
            tag, _ = Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})
            article.tags.add(tag)
        if meta.get("poll_question"):
            poll = Poll.objects.create(article=article, question=meta["poll_question"])
            for position, label in enumerate(meta.get("poll_options", "").split(" | ")):
                PollOption.objects.create(poll=poll, label=label.strip(), position=position)
            created["polls"] += 1

    comments_path = DEMO_DIR / "comments.json"
    if created["articles"] and comments_path.exists():
        saved: list[Comment | None] = []
        for item in json.loads(comments_path.read_text(encoding="utf-8")):
            article = articles.get(item["article"])
            if article is None:
                saved.append(None)
                continue
            parent = saved[item["reply_to"]] if item.get("reply_to") is not None else None
            comment = Comment.objects.create(
                article=article,
                parent=parent,
                name=item["name"],
                email=item["email"].lower(),
                body=item["body"],
                status=item["status"],
                is_staff_reply=item["email"].startswith("equipe@"),
            )
            # auto_now_add ignores a given value: date the comment afterwards.
            Comment.objects.filter(pk=comment.pk).update(
                created_at=now - timezone.timedelta(days=int(item.get("days_ago", 0)), hours=1)
            )
            saved.append(comment)
            created["comments"] += 1
    transaction.on_commit(blog_cache_invalidate)
    return created


def demo_report() -> str:
    """Load the demo blog for `frenchbot demo` and say what was created ("" when it was all there)."""
    created = demo_load()
    if not created["articles"]:
        return ""
    return (
        f"Démo chargée : {created['articles']} articles, {created['comments']} commentaires, "
        f"{created['polls']} sondages."
    )


@transaction.atomic
def demo_remove() -> str:
    """Delete the demo articles (their comments and polls go with them); an article the team wrote stays.
    Says what was removed."""
    slugs = [article.meta["slug"] for article in demo_articles()]
    articles = Article.objects.filter(slug__in=slugs)
    count = articles.count()
    articles.delete()
    pictures = demo_images_remove()
    transaction.on_commit(blog_cache_invalidate)
    if not count and not pictures:
        return ""
    return f"Blog : {count} articles et {pictures} illustrations de démonstration retirés."
