"""The public archive of the letters: the list, one letter as a web page (without anyone's personal links), and
its RSS feed."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from ..rendering import issue_web_html
from ..selectors import issue_get_archived, issues_archived

ARCHIVE_PAGE_SIZE = 12
FEED_SIZE = 20


def archive(request):
    page_obj = Paginator(issues_archived(), ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "newsletter/archive.html", {"page_obj": page_obj})


def issue(request, slug: str):
    letter = issue_get_archived(slug=slug)
    if letter is None:
        raise Http404
    return render(
        request, "newsletter/issue.html", {"issue": letter, "body_html": issue_web_html(issue=letter)}
    )


class ArchiveFeed(Feed):
    title = _("The French Bot — la lettre")
    link = reverse_lazy("newsletter:archive")
    description = _(
        "Les lettres d'information de The French Bot : l'IA au travail, nos tutoriels et nos événements."
    )
    language = "fr"

    def items(self):
        return issues_archived()[:FEED_SIZE]

    def item_title(self, item):
        return item.subject

    def item_description(self, item):
        return item.preheader or item.subject

    def item_link(self, item):
        return reverse("newsletter:issue", args=[item.slug])

    def item_pubdate(self, item):
        return item.sent_at

    def item_updateddate(self, item):
        return item.updated_at

    def feed_copyright(self):
        return settings.SITE_NAME
