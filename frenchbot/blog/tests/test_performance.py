"""The pages Django renders itself (signed in, a query string, the first visit after a change) assemble parts kept
as fragments: what they read does not grow with the content, a change shows at once, and nothing of a visitor
ever reaches another."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from frenchbot.blog import services
from frenchbot.blog.models import Article, Comment

from .factories import ArticleFactory, CategoryFactory, CommentFactory, PollFactory, TagFactory

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TS_RE = re.compile(r'name="ts" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 0


def _article_with(*, comments: int, related: int) -> Article:
    tag = TagFactory()
    article = ArticleFactory(tags=[tag])
    PollFactory(article=article)
    for index in range(comments):
        parent = CommentFactory(article=article, body=f"Avis numéro {index}.")
        CommentFactory(article=article, parent=parent, body=f"Réponse numéro {index}.")
    for _ in range(related):
        ArticleFactory(tags=[tag], category=article.category)
    return article


@pytest.mark.parametrize(("comments", "related"), [(0, 0), (1, 1), (12, 3)])
def test_article_page_reads_the_same_few_rows_whatever_it_shows(
    client, comments, related, django_assert_max_num_queries, django_assert_num_queries
):
    article = _article_with(comments=comments, related=related)
    # The first visit renders every part: a fixed number of queries, however many comments and related articles.
    with django_assert_max_num_queries(15):
        first = client.get(article.get_absolute_url())
    assert first.status_code == 200
    # The next visits take the article and the parts from memory: nothing to read.
    with django_assert_num_queries(0):
        again = client.get(article.get_absolute_url())
    assert again.status_code == 200
    assert again.content.count(b"Avis num") == first.content.count(b"Avis num") == comments


def test_lists_and_home_read_nothing_once_kept(client, django_assert_num_queries):
    category = CategoryFactory(slug="outils")
    tag = TagFactory(slug="chatgpt")
    for _ in range(4):
        ArticleFactory(category=category, tags=[tag])
    for path in ("/", "/blog/", "/blog/categorie/outils/", "/blog/etiquette/chatgpt/", "/blog/?page=1"):
        assert client.get(path).status_code == 200
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 200


def test_an_edit_of_an_article_shows_at_once(client, django_capture_on_commit_callbacks):
    article = _article_with(comments=1, related=1)
    assert "Bien utiliser" in client.get(article.get_absolute_url()).content.decode()
    assert article.title in client.get("/blog/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Un titre tout neuf"
        article.body = "## Nouveau départ\n\nUn corps réécrit."
        article.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Un titre tout neuf" in page and "Un corps réécrit." in page
    assert "Un titre tout neuf" in client.get("/blog/").content.decode()
    assert "Un titre tout neuf" in client.get("/").content.decode()


def test_a_renamed_category_shows_at_once(client, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    client.get("/blog/")
    with django_capture_on_commit_callbacks(execute=True):
        article.category.name = "Outils du quotidien"
        article.category.save()
    assert "Outils du quotidien" in client.get(article.get_absolute_url()).content.decode()
    assert "Outils du quotidien" in client.get("/blog/").content.decode()


def test_an_approved_comment_shows_at_once_with_its_count(client, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    CommentFactory(article=article, body="Le premier avis.")
    pending = CommentFactory(article=article, body="Le second avis.", status=Comment.Status.PENDING)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "1 commentaire" in page and "Le second avis." not in page
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_moderate(
            comments=Comment.objects.filter(pk=pending.pk), status=Comment.Status.APPROVED
        )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Le second avis." in page
    assert "2 commentaires" in page


def test_a_vote_shows_at_once_to_every_voter_and_never_to_others():
    poll = PollFactory()
    url = poll.article.get_absolute_url()
    first, second, reader = Client(), Client(), Client()
    assert "Voter</button>" in reader.get(url).content.decode()
    first.post(reverse("blog:poll_vote", args=[poll.article.slug]), {"option": poll.options.first().pk})
    first.cookies.pop("messages", None)
    assert "1 vote au total" in first.get(url).content.decode()
    second.post(
        reverse("blog:poll_vote", args=[poll.article.slug]),
        {"option": poll.options.last().pk},
        REMOTE_ADDR="192.0.2.8",
    )
    # The first voter sees the second vote at once: results are never kept.
    assert "2 votes au total" in first.get(url).content.decode()
    page = reader.get(url).content.decode()
    assert "Voter</button>" in page and "votes au total" not in page


def test_each_visitor_gets_working_tokens_in_kept_forms():
    article = ArticleFactory()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(article.get_absolute_url()).content.decode()
    page_two = second.get(article.get_absolute_url()).content.decode()
    for page in (page_one, page_two):
        assert "fbcsrfplaceholder" not in page and "tsplaceholder" not in page
    # Three forms each (comment, newsletter, the bot's widget), each visitor with their own token; the time
    # stamps say when the page was shown (to a tenth of a second, so two visitors may share one).
    assert len(set(TOKEN_RE.findall(page_one))) == 1 and len(TOKEN_RE.findall(page_one)) >= 3
    assert set(TOKEN_RE.findall(page_one)).isdisjoint(TOKEN_RE.findall(page_two))
    assert all(TS_RE.findall(page) for page in (page_one, page_two))
    response = second.post(
        reverse("blog:comment", args=[article.slug]),
        {
            "csrfmiddlewaretoken": TOKEN_RE.search(page_two).group(1),
            "name": "Jeanne",
            "email": "jeanne@example.fr",
            "body": "Envoyé depuis un formulaire gardé en mémoire.",
            "ts": TS_RE.search(page_two).group(1),
        },
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "Envoyé depuis un formulaire gardé en mémoire."


def test_a_signed_in_person_never_sees_another_ones_parts(django_user_model):
    article = ArticleFactory()
    claire = django_user_model.objects.create_user("claire", "claire@example.fr", "x")
    marc = django_user_model.objects.create_user("marc", "marc@example.fr", "x")
    as_claire, as_marc, visitor = Client(), Client(), Client()
    as_claire.force_login(claire)
    as_marc.force_login(marc)
    # Claire sends a comment held for moderation: she sees it, marked as hers; nobody else does.
    as_claire.post(
        reverse("blog:comment", args=[article.slug]),
        {
            "name": "Claire",
            "email": "claire@example.fr",
            "body": "Un lien http://a.example http://b.example http://c.example à relire.",
            "ts": TS_RE.search(as_claire.get(article.get_absolute_url()).content.decode()).group(1),
        },
    )
    assert Comment.objects.get().status == Comment.Status.PENDING
    as_claire.cookies.pop("messages", None)
    for path in (article.get_absolute_url(), "/", "/blog/"):
        claire_page = as_claire.get(path).content.decode()
        marc_page = as_marc.get(path).content.decode()
        visitor_page = visitor.get(path).content.decode()
        assert "Se déconnecter" in claire_page and "Se déconnecter" in marc_page
        assert "Se déconnecter" not in visitor_page and "Se connecter" in visitor_page
        assert set(TOKEN_RE.findall(claire_page)).isdisjoint(TOKEN_RE.findall(marc_page))
        assert set(TOKEN_RE.findall(marc_page)).isdisjoint(TOKEN_RE.findall(visitor_page))
    claire_page = as_claire.get(article.get_absolute_url()).content.decode()
    assert "à relire" in claire_page and "visible par vous seul" in claire_page
    for other in (as_marc, visitor):
        page = other.get(article.get_absolute_url()).content.decode()
        assert "à relire" not in page and "visible par vous seul" not in page


def test_a_scheduled_article_shows_when_its_date_comes(client):
    now = timezone.now()
    with freeze_time(now) as frozen:
        ArticleFactory(title="Déjà en ligne")
        scheduled = ArticleFactory(
            title="Prévu pour demain",
            status=Article.Status.SCHEDULED,
            published_at=now + timezone.timedelta(hours=1),
        )
        for path in ("/", "/blog/", scheduled.category.get_absolute_url()):
            assert "Prévu pour demain" not in client.get(path).content.decode()
        # No write: only the clock moves on.
        frozen.move_to(now + timezone.timedelta(hours=2))
        for path in ("/", "/blog/", scheduled.category.get_absolute_url()):
            assert "Prévu pour demain" in client.get(path).content.decode()
