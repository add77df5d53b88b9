"""Writing a letter: the « insérer les derniers articles » helper of the admin."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from frenchbot.blog.selectors import article_list
from frenchbot.core.dates import when_text
from frenchbot.core.text import french_typography
from frenchbot.events.selectors import events_upcoming

from ..errors import NewsletterError
from ..models import Issue


def _markdown_text(text: str) -> str:
    # A title with brackets would end the link text early.
    return text.replace("[", "(").replace("]", ")").strip()


def latest_content_markdown(*, articles: int = 3, events: int = 3) -> str:
    """Markdown listing the latest published articles and the upcoming events, with absolute links."""
    sections = []
    latest = list(article_list()[:articles])
    if latest:
        lines = [f"## {_('Nos derniers articles')}", ""]
        for article in latest:
            line = f"- [{_markdown_text(article.title)}]({settings.SITE_URL + article.get_absolute_url()})"
            if article.excerpt:
                line += f" — {' '.join(article.excerpt.split())}"
            lines.append(line)
        sections.append("\n".join(lines))
    upcoming = events_upcoming(limit=events)
    if upcoming:
        lines = [f"## {_('Nos prochains événements')}", ""]
        for event in upcoming:
            url = settings.SITE_URL + event.get_absolute_url()
            when = french_typography(when_text(event.starts_at, "Europe/Paris", with_zone=False))
            lines.append(
                f"- [{_markdown_text(event.title)}]({url}) — {when} ({event.get_kind_display().lower()})"
            )
        sections.append("\n".join(lines))
    return "\n\n".join(sections)


def issue_insert_latest(*, issue: Issue, articles: int = 3, events: int = 3) -> Issue:
    """Append the latest articles and upcoming events to the letter's Markdown (a draft or scheduled one)."""
    addition = latest_content_markdown(articles=articles, events=events)
    if not addition:
        raise NewsletterError(_("Aucun article publié ni événement à venir à insérer."), code="nothing")
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        if locked.status not in {Issue.Status.DRAFT, Issue.Status.SCHEDULED}:
            raise NewsletterError(
                _("Cette lettre est déjà partie : son contenu ne change plus."), code="started"
            )
        body = locked.body_markdown.rstrip()
        locked.body_markdown = f"{body}\n\n{addition}\n" if body else f"{addition}\n"
        locked.save(update_fields=["body_markdown", "updated_at"])
    issue.refresh_from_db()
    return issue
