import re

import pytest
from django.urls import reverse
from django.utils import timezone

from frenchbot.blog.models import Article, Comment, PollVote

from .factories import ArticleFactory, CategoryFactory, CommentFactory, PollFactory, TagFactory

pytestmark = pytest.mark.django_db


def _form_token(client, article) -> str:
    page = client.get(article.get_absolute_url()).content.decode()
    return re.search(r'name="ts" value="([^"]+)"', page).group(1)


def _valid_token() -> str:
    from frenchbot.blog.forms import comment_form_token

    return comment_form_token()


def _post_comment(client, article, **fields):
    data = {
        "name": "Jeanne",
        "email": "jeanne@example.fr",
        "body": "Merci pour ces conseils.",
        "website": "",
        "ts": _form_token(client, article),
    }
    data.update(fields)
    return client.post(reverse("blog:comment", args=[article.slug]), data)


def test_list_paginates(client, settings):
    settings.BLOG_PAGE_SIZE = 2
    ArticleFactory.create_batch(5)
    first = client.get("/blog/")
    assert first.status_code == 200
    assert len(first.context["page_obj"]) == 2
    assert "Page 1 sur 3" in first.content.decode()
    last = client.get("/blog/?page=3")
    assert len(last.context["page_obj"]) == 1
    # A page number out of range or not a number still shows a page.
    assert client.get("/blog/?page=99").status_code == 200
    assert client.get("/blog/?page=abc").status_code == 200


def test_category_page_lists_its_articles(client):
    category = CategoryFactory(name="Tutoriels", slug="tutoriels")
    inside = ArticleFactory(category=category, title="Dans la catégorie")
    ArticleFactory(title="Ailleurs")
    response = client.get("/blog/categorie/tutoriels/")
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [inside]
    assert b"/blog/categorie/tutoriels/rss/" in response.content


def test_tag_page_lists_its_articles(client):
    tag = TagFactory(name="Mistral", slug="mistral")
    tagged = ArticleFactory(tags=[tag])
    ArticleFactory()
    response = client.get("/blog/etiquette/mistral/")
    assert list(response.context["page_obj"]) == [tagged]
    assert "« Mistral »" in response.content.decode()


def test_article_page_shows_meta_and_reading_time(client):
    article = ArticleFactory(
        title="Écrire un bon prompt", seo_description="Rôle, contexte, format.", body="mot " * 700
    )
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Écrire un bon prompt</h1>" in html
    assert "4 min de lecture" in html
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html
    assert '<meta property="og:title" content="Écrire un bon prompt">' in html
    assert '<meta property="og:description" content="Rôle, contexte, format.">' in html


def test_article_dates_are_french(client):
    article = ArticleFactory(
        published_at=timezone.datetime(2026, 11, 27, 9, 0, tzinfo=timezone.get_current_timezone())
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "27 novembre 2026" in html


def test_script_in_markdown_is_neutralised(client):
    article = ArticleFactory(
        body='Bonjour <script>alert("x")</script>\n\n[clic](javascript:alert(1))\n\n<img src=x onerror=alert(1)>'
    )
    html = client.get(article.get_absolute_url()).content.decode()
    body = html.split('class="container narrow prose"')[1].split("</div>")[0]
    assert "<script" not in body
    assert 'href="javascript:' not in body
    assert not re.search(r"<[^>]*onerror", body)
    assert "&lt;script&gt;" in body  # shown as text, not run


def test_unknown_and_draft_slugs_are_404_in_the_site_layout(client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    for url in [
        "/blog/nexiste-pas/",
        draft.get_absolute_url(),
        "/blog/categorie/inconnue/",
        "/blog/etiquette/x/",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert "Cette page est introuvable" in response.content.decode()
        assert "Aller au contenu" in response.content.decode()


def test_held_comment_shows_awaiting_moderation(client):
    article = ArticleFactory()
    response = _post_comment(client, article)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "en attente de modération" in page
    assert Comment.objects.get().status == Comment.Status.PENDING
    # Not shown publicly before moderation.
    from django.test import Client

    assert "Merci pour ces conseils." not in Client().get(article.get_absolute_url()).content.decode()


def test_known_commenter_is_published_and_email_never_shown(client):
    article = ArticleFactory()
    CommentFactory(article=article, email="jeanne@example.fr", body="Premier avis.")
    response = _post_comment(client, article)
    page = client.get(response["Location"]).content.decode()
    assert "Merci pour ces conseils." in page
    assert "jeanne@example.fr" not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": "   "}, "Votre commentaire est vide"),
        ({"body": "é" * 5001}, "dépasse 5000 caractères"),
        ({"website": "http://spam.example"}, "envoi automatique"),
        ({"ts": "falsifié"}, "Ce formulaire a expiré"),
        ({"email": "pas-une-adresse"}, "ne semble pas valide"),
    ],
)
def test_bad_comment_keeps_the_text_and_explains(client, fields, message):
    article = ArticleFactory()
    typed = {"name": "Léa <b>", "body": "Mon avis très détaillé & sincère."}
    typed.update(fields)
    response = _post_comment(client, article, **typed)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'aria-invalid="true"' in html
    if fields.get("body", "").strip():
        assert fields["body"][:50] in html
    elif "body" not in fields:
        assert "Mon avis très détaillé &amp; sincère." in html
    assert 'value="Léa &lt;b&gt;"' in html
    assert not Comment.objects.exists()


def test_too_fast_submission_is_refused_but_kept(client, settings):
    settings.COMMENT_MIN_FILL_SECONDS = 30
    article = ArticleFactory()
    response = _post_comment(client, article, body="Écrit en un éclair.")
    assert response.status_code == 400
    html = response.content.decode()
    assert "très rapide" in html
    assert "Écrit en un éclair." in html
    assert not Comment.objects.exists()


def test_rate_limited_comment_keeps_the_text(client, settings):
    settings.COMMENT_RATE_LIMIT = 1
    article = ArticleFactory()
    _post_comment(client, article)
    response = _post_comment(client, article, body="Deuxième avis.")
    assert response.status_code == 400
    assert "Patientez quelques minutes" in response.content.decode()
    assert "Deuxième avis." in response.content.decode()
    assert Comment.objects.count() == 1


def test_closed_comments_hide_the_form(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 5
    article = ArticleFactory(published_at=timezone.now() - timezone.timedelta(days=6))
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Les commentaires sont fermés" in html
    assert 'id="laisser-un-commentaire"' not in html
    response = client.post(
        reverse("blog:comment", args=[article.slug]),
        {"name": "A", "email": "a@example.fr", "body": "Encore ouvert ?", "ts": _valid_token()},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Les commentaires sont fermés pour cet article. Votre texte est conservé" in html
    assert "Encore ouvert" in html
    assert not Comment.objects.exists()


def test_reply_link_prefills_the_parent(client):
    article = ArticleFactory()
    top = CommentFactory(article=article, name="Paul")
    html = client.get(f"{article.get_absolute_url()}?reponse={top.pk}").content.decode()
    assert "Vous répondez à Paul." in html
    assert f'name="parent" value="{top.pk}"' in html


def test_comment_get_is_not_allowed(client):
    article = ArticleFactory()
    assert client.get(reverse("blog:comment", args=[article.slug])).status_code == 405


def test_vote_then_results_without_javascript(client):
    poll = PollFactory()
    option = poll.options.last()
    response = client.post(reverse("blog:poll_vote", args=[poll.article.slug]), {"option": option.pk})
    assert response.status_code == 302
    results = client.get(response["Location"])
    html = results.content.decode()
    assert "Merci, votre vote est enregistré" in html
    assert "100 %" in html
    assert "1 vote au total" in html
    # The article now shows the results instead of the form.
    article_html = client.get(poll.article.get_absolute_url()).content.decode()
    assert "Voter</button>" not in article_html
    assert "1 vote au total" in article_html


def test_second_vote_is_refused_politely(client):
    poll = PollFactory()
    url = reverse("blog:poll_vote", args=[poll.article.slug])
    client.post(url, {"option": poll.options.first().pk})
    response = client.post(url, {"option": poll.options.last().pk}, follow=True)
    assert response.status_code == 200
    assert "Vous avez déjà voté, merci" in response.content.decode()
    assert PollVote.objects.count() == 1


def test_vote_without_choice_explains(client):
    poll = PollFactory()
    response = client.post(reverse("blog:poll_vote", args=[poll.article.slug]), {"option": "42abc"})
    assert response.status_code == 400
    assert "Choisissez une des réponses proposées." in response.content.decode()
    assert not PollVote.objects.exists()


def test_vote_on_article_without_poll_is_404(client):
    article = ArticleFactory()
    assert client.post(reverse("blog:poll_vote", args=[article.slug]), {"option": 1}).status_code == 404


def test_feeds(client):
    category = CategoryFactory(slug="actualites")
    ArticleFactory(title="Dans le flux", category=category)
    ArticleFactory(title="Brouillon caché", status=Article.Status.DRAFT, published_at=None)
    for url in [
        "/feed/rss/",
        "/feed/atom/",
        "/blog/categorie/actualites/rss/",
        "/blog/categorie/actualites/atom/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Dans le flux" in response.content.decode()
        assert "Brouillon caché" not in response.content.decode()
    assert client.get("/blog/categorie/inconnue/rss/").status_code == 404


def test_sitemap_lists_public_articles_only(client):
    public = ArticleFactory()
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    xml = client.get("/sitemap.xml").content.decode()
    assert public.get_absolute_url() in xml
    assert draft.get_absolute_url() not in xml


def test_staff_preview_a_draft_visitors_do_not(client, django_user_model):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None, title="Pas encore prêt")
    assert client.get(draft.get_absolute_url()).status_code == 404
    staff = django_user_model.objects.create_user("redac", "redac@example.fr", "x", is_staff=True)
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aperçu" in html and "brouillon" in html
    assert 'id="laisser-un-commentaire"' not in html


def test_pages_carry_a_content_security_policy(client):
    article = ArticleFactory()
    policy = client.get(article.get_absolute_url())["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_api_docs_are_served_without_a_cdn(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"cdn.jsdelivr" not in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/blog/?page=-1",
        "/blog/?page=" + "9" * 40,
        "/blog/ok/?reponse=../../etc",
        "/blog/%00/",
        "/blog/categorie/%F0%9F%98%80/",
        "/feed/rss/?page=x",
        "/blog/ok/sondage/",
    ],
)
def test_odd_urls_never_fail(client, url):
    ArticleFactory(slug="ok")
    assert client.get(url).status_code in (200, 404)


def test_huge_ids_are_refused_cleanly(client):
    poll = PollFactory()
    response = client.post(reverse("blog:poll_vote", args=[poll.article.slug]), {"option": "9" * 30})
    assert response.status_code == 400
    response = _post_comment(client, poll.article, parent="9" * 30)
    assert response.status_code == 400
    assert "Votre texte est conservé" in response.content.decode()


def test_cached_page_gives_each_visitor_working_tokens(settings, django_capture_on_commit_callbacks):
    from django.test import Client

    settings.PAGE_CACHE_SECONDS = 300
    article = ArticleFactory()
    PollFactory(article=article)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(article.get_absolute_url()).content.decode()
    page_two = second.get(article.get_absolute_url()).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert "fbcsrfplaceholder" not in page_one and "fbtsplaceholder" not in page_one
    assert token.search(page_one).group(1) != token.search(page_two).group(1)
    # The second visitor posts with the tokens of the page served from the cache.
    response = second.post(
        reverse("blog:comment", args=[article.slug]),
        {
            "csrfmiddlewaretoken": token.search(page_two).group(1),
            "name": "Jeanne",
            "email": "jeanne@example.fr",
            "body": "Servie depuis le cache.",
            "ts": re.search(r'name="ts" value="([^"]+)"', page_two).group(1),
        },
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "Servie depuis le cache."
    # A voter sees the results, not the cached form.
    with django_capture_on_commit_callbacks(execute=True):
        vote = second.post(
            reverse("blog:poll_vote", args=[article.slug]),
            {
                "csrfmiddlewaretoken": token.search(page_two).group(1),
                "option": article.poll.options.first().pk,
            },
        )
    assert vote.status_code == 302
    second.cookies.pop("messages", None)
    assert "1 vote au total" in second.get(article.get_absolute_url()).content.decode()
    assert "Voter</button>" in first.get(article.get_absolute_url()).content.decode()


def test_author_sees_their_held_comment_others_do_not(client):
    from django.test import Client

    article = ArticleFactory()
    response = _post_comment(client, article, body="Mon avis en attente.")
    page = client.get(response["Location"]).content.decode()
    assert "Mon avis en attente." in page
    assert "visible par vous seul" in page
    assert "Mon avis en attente." not in Client().get(article.get_absolute_url()).content.decode()
    # Once approved it is shown to everyone, and no longer as waiting.
    Comment.objects.update(status=Comment.Status.APPROVED)
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count("Mon avis en attente.") == 1
    assert "visible par vous seul" not in page


def test_htmx_vote_answers_the_poll_section(client):
    poll = PollFactory()
    url = reverse("blog:poll_vote", args=[poll.article.slug])
    response = client.post(url, {"option": poll.options.first().pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="poll" id="sondage"')
    assert "Merci, votre vote est enregistré" in html
    assert "1 vote au total" in html
    again = client.post(url, {"option": poll.options.last().pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "Vous avez déjà voté, merci" in again
    assert PollVote.objects.count() == 1
    wrong = client.post(url, {"option": "x"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Choisissez une des réponses proposées." in wrong
