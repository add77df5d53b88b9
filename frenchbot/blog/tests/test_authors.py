"""Author pages: who writes, their published articles, Person structured data, the byline's link."""

import json
import re

import pytest
from django.urls import reverse

from frenchbot.blog.models import Article, AuthorProfile

from .factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile():
    user = UserFactory(username="claire-m")
    return AuthorProfile.objects.create(
        user=user,
        slug="claire-martin",
        display_name="Claire Martin",
        role="Formatrice IA",
        bio="Elle forme les **PME** à l'IA.\n\n<script>alert(1)</script> [x](javascript:alert(1))",
        linkedin_url="https://www.linkedin.com/in/claire-martin-exemple",
    )


def _ld_json(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_author_page_shows_profile_and_published_articles(client, profile):
    published = ArticleFactory(author=profile.user, title="Article en ligne")
    ArticleFactory(
        author=profile.user, title="Brouillon secret", status=Article.Status.DRAFT, published_at=None
    )
    ArticleFactory(title="Article d'un autre")
    response = client.get("/blog/auteurs/claire-martin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Claire Martin</h1>" in html
    assert "Formatrice IA" in html
    assert "<strong>PME</strong>" in html
    assert published.get_absolute_url() in html
    assert "Brouillon secret" not in html
    assert "Article d&#x27;un autre" not in html and "Article d'un autre" not in html
    assert 'href="https://www.linkedin.com/in/claire-martin-exemple"' in html


def test_author_bio_is_sanitised(client, profile):
    from html.parser import HTMLParser

    html = client.get(profile.get_absolute_url()).content.decode()
    bio = html[html.index('<div class="prose author__bio">') :]
    bio = bio[: bio.index("</div>")]
    elements = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            elements.append((tag, dict(attrs)))

    Collect().feed(bio)
    assert "script" not in {tag for tag, _ in elements}
    assert not any((attrs.get("href") or "").startswith("javascript") for _, attrs in elements)
    assert "&lt;script&gt;" in bio


def test_demo_author_has_a_page(client, tmp_path, settings):
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_login=True)
    profile = AuthorProfile.objects.get(slug="claire-martin")
    assert profile.user.articles.exists()
    html = client.get(profile.get_absolute_url()).content.decode()
    assert "Formatrice et consultante IA" in html


def test_author_structured_data_is_escaped_json(client, profile):
    profile.display_name = "Claire </script><script>alert(1)</script>"
    profile.save()
    html = client.get(profile.get_absolute_url()).content.decode()
    data = _ld_json(html)
    assert data["@type"] == "Person"
    assert data["name"] == "Claire </script><script>alert(1)</script>"
    assert data["url"] == "http://testserver/blog/auteurs/claire-martin/"
    assert data["jobTitle"] == "Formatrice IA"
    assert data["sameAs"] == ["https://www.linkedin.com/in/claire-martin-exemple"]
    assert "<script>alert(1)" not in html


def test_unknown_author_is_a_404(client):
    assert client.get("/blog/auteurs/personne/").status_code == 404


def test_author_articles_are_paginated(client, profile, settings):
    settings.BLOG_PAGE_SIZE = 2
    for number in range(3):
        ArticleFactory(author=profile.user, title=f"Numéro {number}")
    first = client.get(profile.get_absolute_url()).content.decode()
    second = client.get(profile.get_absolute_url() + "?page=2").content.decode()
    assert first.count('class="card"') == 2
    assert second.count('class="card"') == 1
    assert "Page 2 sur 2" in second


def test_byline_links_to_the_author_page_when_a_profile_exists(client, profile):
    with_profile = ArticleFactory(author=profile.user)
    without = ArticleFactory()
    html = client.get(with_profile.get_absolute_url()).content.decode()
    assert f'<a href="{profile.get_absolute_url()}" rel="author">Claire Martin</a>' in html
    html = client.get(without.get_absolute_url()).content.decode()
    assert 'rel="author"' not in html


def test_sitemap_lists_authors_with_articles(client, profile):
    idle = AuthorProfile.objects.create(user=UserFactory(), slug="sans-article", display_name="Sans article")
    ArticleFactory(author=profile.user)
    xml = client.get("/sitemap.xml").content.decode()
    assert profile.get_absolute_url() in xml
    assert idle.get_absolute_url() not in xml


def test_author_profile_admin(client, django_user_model, profile):
    admin = django_user_model.objects.create_superuser("chef", "chef@example.fr", "motdepasse-solide")
    client.force_login(admin)
    html = client.get(reverse("admin:blog_authorprofile_changelist")).content.decode()
    assert "Claire Martin" in html
    assert client.get(reverse("admin:blog_authorprofile_change", args=[profile.pk])).status_code == 200


def test_author_profile_is_edited_from_the_user_page(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser(
        "cheffe", "cheffe@example.fr", "motdepasse-solide"
    )
    writer = UserFactory(username="nouvelle-plume")
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[writer.pk])
    html = client.get(url).content.decode()
    assert "page d&#x27;auteur du blog" in html.lower() or "page d'auteur du blog" in html.lower()
    assert 'name="author_profile-TOTAL_FORMS"' in html
