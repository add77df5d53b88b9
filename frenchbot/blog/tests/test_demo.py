import pytest
from django.core.management import call_command

from frenchbot.blog.models import Article, Comment, Poll
from frenchbot.blog.selectors import article_list

pytestmark = pytest.mark.django_db


def test_demo_loads_once(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_login=True)
    assert Article.objects.count() == 12
    assert article_list().count() == 11
    musk = Article.objects.get(slug="offre-elon-musk-openai-97-milliards")
    assert "97,4" in musk.body
    assert Poll.objects.get(article=musk).question == "Coup de génie ou coup de poker\u00a0?"
    assert Comment.objects.filter(status="approved").exists()
    assert Comment.objects.filter(status="pending").exists()
    assert (tmp_path / "admin_password").exists()
    call_command("demo", quiet_login=True)
    assert Article.objects.count() == 12
    assert Comment.objects.count() == 14


def test_demo_pages_render(client, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_login=True)
    for article in article_list():
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200, article.slug
    assert client.get("/").status_code == 200
